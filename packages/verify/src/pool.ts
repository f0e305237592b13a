import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { createHash } from "node:crypto";
import { KysoError } from "@kyso/core";
import type { FileReport } from "./report.js";
import type { RevocationMode } from "./revocation.js";

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
}

interface Job {
  id: number;
  bytes?: Uint8Array;
  path?: string;
  name: string;
  resolve: (r: FileReport) => void;
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
      },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 512, maxYoungGenerationSizeMb: 64 },
    });
    const slot: Slot = { worker };
    worker.on("message", (m: { id: number; report?: FileReport; error?: { message: string; code?: string } }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      this.release(slot);
      if (m.report) job.resolve(m.report);
      else job.reject(new KysoError(m.error?.code ?? "VERIFY_FAILED", m.error?.message ?? "verification failed"));
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
    if (job) job.resolve(boundReport(job, why));
    this.pump();
  }

  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length;
  }

  /** Verifies one document; rejects with VERIFY_BUSY when `maxPending` documents are already in. */
  verify(input: { bytes: Uint8Array; name: string } | { path: string; name?: string }): Promise<FileReport> {
    if (this.closed) return Promise.reject(new KysoError("VERIFY_CLOSED", "the verification pool is closed"));
    if (this.pending >= this.maxPending) return Promise.reject(new KysoError("VERIFY_BUSY", "too many documents are being verified; try again shortly"));
    return new Promise((resolve, reject) => {
      const job: Job = "bytes" in input ? { id: this.nextId++, bytes: input.bytes, name: input.name, resolve, reject } : { id: this.nextId++, path: input.path, name: input.name ?? input.path, resolve, reject };
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
      slot.timer = setTimeout(() => this.replace(slot, `verification took longer than ${this.timeoutMs} ms`), this.timeoutMs);
      slot.worker.postMessage({ id: job.id, bytes: job.bytes, path: job.path, name: job.name });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new KysoError("VERIFY_CLOSED", "the verification pool is closed"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function boundReport(job: Job, why: string): FileReport {
  const sha = job.bytes ? createHash("sha256").update(job.bytes).digest("hex") : "";
  return {
    file: job.name,
    sha256: sha,
    size: job.bytes?.length ?? 0,
    indication: "INDETERMINATE",
    subIndication: "FORMAT_FAILURE",
    reasons: [`The document could not be verified: ${why}`],
    revisions: 0,
    signatures: [],
    warnings: [],
    validationTime: new Date().toISOString(),
  };
}
