import { Worker, type TransferListItem } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { KysoError } from "@kyso/core";
import type { FileReport } from "./report.js";
import type { RevocationMode } from "./revocation.js";
import type { CertificateValidation } from "./certificate-validation.js";
import { detail } from "./codes.js";

export interface VerifyPoolOptions {
  /** Worker threads (default: the number of cores). */
  size?: number;
  /** Documents waiting or running beyond which `verify` refuses with VERIFY_BUSY (default 64). */
  maxPending?: number;
  /** Per-document time bound in ms (default 30 s): the worker is stopped and replaced. */
  timeoutMs?: number;
  /** Per-worker heap bound in MB (default 512). */
  maxHeapMb?: number;
  trustAnchors?: Uint8Array[];
  /** Certificates that only help build paths (a trust store's intermediates). */
  intermediates?: Uint8Array[];
  /** Default `online`. */
  revocation?: RevocationMode;
  fetchTimeoutMs?: number;
  /** Folder of the on-disk revocation cache shared by the workers (default: memory only). */
  cacheDir?: string;
  /**
   * Other kinds of job run in the same workers, by kind: the URL (href) of a module that exports
   * `run(input, context): Promise<{ result, transfer? }>` (JobRunner below). This is how
   * a higher layer (e.g. the service's edXML job) runs its parsing off the event loop without this
   * package depending on it.
   */
  jobModules?: Record<string, string>;
}

/** What a job module's `run` is given besides its input: this worker's verifier, trust and caches. */
export interface JobContext {
  verifyPdf(input: { bytes: Uint8Array; name: string } | { path: string; name?: string }): Promise<FileReport>;
  /** Chain and revocation check of a certificate with this worker's trust anchors, mode and cache. */
  validateCertificate(der: Uint8Array, extra: Uint8Array[]): Promise<CertificateValidation>;
  trustAnchors: Uint8Array[];
}

/** The module a `jobModules` entry names exports this as `run`. */
export type JobRunner = (input: { bytes?: Uint8Array; path?: string; name: string; params?: unknown }, context: JobContext) => Promise<{ result: unknown; transfer?: TransferListItem[] }>;

/** A document for a job: its bytes, or the path of a file (e.g. an upload streamed to disk). */
export type JobInput = { bytes: Uint8Array; name: string } | { path: string; name?: string };

interface Job {
  id: number;
  kind: string;
  bytes?: Uint8Array;
  path?: string;
  name: string;
  params?: unknown;
  timeoutMs: number;
  resolve: (r: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/**
 * Verification in worker threads, so that one large or hostile document cannot stall the others:
 * a bound on pending work, a time bound and a heap bound per document. A document that exceeds a
 * bound still gets a report (INDETERMINATE), as every document must.
 */
export class VerifyPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  readonly size: number;
  readonly maxPending: number;
  readonly timeoutMs: number;

  constructor(private readonly options: VerifyPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
    this.maxPending = options.maxPending ?? 64;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(new URL("./worker.js", import.meta.url), {
      workerData: {
        trustAnchors: this.options.trustAnchors ?? [],
        intermediates: this.options.intermediates ?? [],
        revocation: this.options.revocation ?? "online",
        fetchTimeoutMs: this.options.fetchTimeoutMs ?? 5000,
        cacheDir: this.options.cacheDir,
        jobModules: this.options.jobModules ?? {},
      },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 512, maxYoungGenerationSizeMb: 64 },
    });
    const slot: Slot = { worker };
    worker.on("message", (m: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      this.release(slot);
      if (m.error === undefined) job.resolve(m.result);
      else job.reject(new KysoError(m.error.code ?? "VERIFY_FAILED", m.error.message ?? "verification failed"));
      this.pump();
    });
    worker.on("error", (e) => this.replace(slot, /memory/i.test(e.message) ? "it needed more memory than the bound allows" : `the verifier failed (${e.message})`));
    worker.on("exit", () => {
      if (!this.closed && this.slots.includes(slot)) this.replace(slot, "the verifier stopped");
    });
    worker.unref();
    return slot;
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  /** Stops a worker (hang, memory) and answers its document with a bounded-failure report. */
  private replace(slot: Slot, why: string): void {
    const job = slot.job;
    this.release(slot);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
    if (!this.closed) this.slots.push(this.spawn());
    // A PDF still gets its report; another kind of job is refused with JOB_BOUND for its caller to report.
    if (job?.kind === "pdf") job.resolve(boundReport(job, why));
    else if (job) job.reject(new KysoError("JOB_BOUND", `The document could not be processed: ${why}`, { details: { why } }));
    this.pump();
  }

  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length;
  }

  /** True when `maxPending` jobs are already in: a new one would be refused with VERIFY_BUSY. */
  get full(): boolean {
    return this.pending >= this.maxPending;
  }

  /** Verifies one document; rejects with VERIFY_BUSY when `maxPending` documents are already in. */
  verify(input: JobInput): Promise<FileReport> {
    return this.run<FileReport>("pdf", input);
  }

  /**
   * Runs one job of a kind given in `jobModules` ("pdf" is verifyPdf) in a worker, within the time
   * bound (`timeoutMs`, default the pool's) and the worker's heap bound; `params` (structured-cloned)
   * go to the job module with the input.
   */
  run<T>(kind: string, input: JobInput, options: { timeoutMs?: number; params?: unknown } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new KysoError("VERIFY_CLOSED", "the verification pool is closed"));
    if (kind !== "pdf" && !this.options.jobModules?.[kind]) return Promise.reject(new KysoError("USAGE", `no job module for ${kind}`));
    if (this.full) return Promise.reject(new KysoError("VERIFY_BUSY", "too many documents are being verified; try again shortly"));
    return new Promise<T>((resolve, reject) => {
      const base = { id: this.nextId++, kind, params: options.params, timeoutMs: options.timeoutMs ?? this.timeoutMs, resolve: resolve as (r: unknown) => void, reject };
      const job: Job = "bytes" in input ? { ...base, bytes: input.bytes, name: input.name } : { ...base, path: input.path, name: input.name ?? input.path };
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.timer = setTimeout(() => this.replace(slot, `it took longer than ${job.timeoutMs} ms`), job.timeoutMs);
      slot.worker.postMessage({ id: job.id, kind: job.kind, bytes: job.bytes, path: job.path, name: job.name, params: job.params });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new KysoError("VERIFY_CLOSED", "the verification pool is closed"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function boundReport(job: Job, why: string): FileReport {
  let bytes = job.bytes;
  if (!bytes && job.path) {
    try {
      bytes = readFileSync(job.path);
    } catch {
      bytes = undefined;
    }
  }
  return {
    file: job.name,
    sha256: bytes ? createHash("sha256").update(bytes).digest("hex") : "",
    size: bytes?.length ?? 0,
    indication: "INDETERMINATE",
    subIndication: "FORMAT_FAILURE",
    reasons: [`The document could not be verified: ${why}`],
    reasonDetails: [detail("VERIFICATION_FAILED", { detail: why }, `The document could not be verified: ${why}`)],
    revisions: 0,
    signatures: [],
    warnings: [],
    warningDetails: [],
    validationTime: new Date().toISOString(),
  };
}
