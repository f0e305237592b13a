import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KysoError, defaultScheme, parseDigestAlgorithm, type DigestAlgorithm, type RawSigner } from "@kyso/core";
import type { PadesLevel, SignOptions } from "@kyso/sign";
import type { AuditLog } from "./audit-log.js";
import { agentEvent, type AgentLog } from "./log-events.js";
import type { OriginPolicy } from "./origins.js";
import type { PairingStore } from "./pairing.js";
import type { TokenSession } from "./session.js";
import { STATUS, failureOf, type Failure } from "./status.js";
import { Connections, download, upload, type TransferOptions, type UploadResult } from "./transfer.js";
import type { AgentAppearanceKind, AgentOptions, AgentPrompt, ConfirmDocument, ConfirmRequest, SecretKind, TokenCertificate } from "./types.js";

/** Where the visible signature goes and what it says (Decree 30/2020 kinds, see @kyso/appearance). */
export interface AppearanceRequest {
  kind: AgentAppearanceKind;
  page?: number;
  rect?: { x: number; y: number; w: number; h: number };
  anchor?: string;
  title?: string;
  arrivalNo?: string;
  docCode?: string;
  copyForm?: "SAO Y" | "SAO LỤC" | "TRÍCH SAO";
}

export interface DocumentSource {
  /** Shown to the officer and used for the upload's file name. */
  name?: string;
  url?: string;
  bytes?: Uint8Array;
  /** Where the signed document is posted (multipart field `uploadfile`); absent: returned. */
  uploadUrl?: string;
  /** The caller's own id (the compatible contract's FileID). */
  fileId?: string;
}

export interface SignJob {
  origin: string;
  /** The function or op, for the prompt and the audit log. */
  operation: string;
  documents: DocumentSource[];
  appearance: AppearanceRequest;
  reason?: string;
  location?: string;
  level?: PadesLevel;
  tsaUrls?: string[];
  bearer?: string;
  /** Extra multipart fields posted with the upload (the compatible contract's SessionId). */
  uploadFields?: Record<string, string>;
}

export type DocumentOutcome =
  | { ok: true; name: string; fileId?: string; sha256: string; signedSha256: string; bytes?: Uint8Array; upload?: UploadResult; signer?: string }
  | { ok: false; name: string; fileId?: string; failure: Failure };

export interface AgentContext {
  options: AgentOptions;
  policy: OriginPolicy;
  pairing: PairingStore;
  prompt: AgentPrompt;
  session: TokenSession;
  audit: AuditLog;
  log: AgentLog;
}

/** Downloads and uploads in flight at once for one request (over the agent's kept-alive connections). */
const TRANSFER_CONCURRENCY = 4;

/** What the batch engine reports for one document. */
interface SignEvent {
  status: string;
  error?: { code: string; message: string };
  signer?: string;
}

const sha256Hex = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/**
 * The operations of both protocols, once: pairing, download, confirmation, the token session, the
 * certificate check and the signing itself (all through @kyso/sign), upload, and the audit log.
 */
export class AgentOperations {
  private readonly pairingInFlight = new Map<string, Promise<void>>();
  /** Kept-alive connections to the document servers, shared by all requests. */
  private readonly connections: Connections;

  constructor(private readonly c: AgentContext) {
    this.connections = new Connections(c.options.downloadCa);
  }

  /** Closes the kept-alive connections (the agent stops). */
  close(): void {
    this.connections.close();
  }

  private get limits() {
    const l = this.c.options.limits ?? {};
    return {
      maxDownloadBytes: l.maxDownloadBytes ?? 50 * 1024 * 1024,
      downloadTimeoutMs: l.downloadTimeoutMs ?? 30_000,
      confirmTimeoutMs: l.confirmTimeoutMs ?? 120_000,
      maxBatch: l.maxBatch ?? 500,
    };
  }

  /** The first request of an origin asks the officer once; the answer "yes" is remembered. */
  async ensurePaired(origin: string): Promise<void> {
    if (this.c.pairing.has(origin)) return;
    let p = this.pairingInFlight.get(origin);
    if (!p) {
      p = (async () => {
        let yes = false;
        try {
          yes = await this.ask({ id: randomUUID(), origin, operation: "pair", documents: [] });
        } catch (e) {
          throw new KysoError("AGENT_NOT_PAIRED", `The site ${origin} is not paired with this agent: the officer did not approve it in time`, { cause: e });
        }
        if (!yes) throw new KysoError("AGENT_NOT_PAIRED", `The officer did not approve pairing the site ${origin} with this agent`);
        await this.c.pairing.add(origin);
        await this.c.audit.write({ origin, operation: "pair", outcome: "ok" });
      })();
      this.pairingInFlight.set(origin, p);
      p.finally(() => this.pairingInFlight.delete(origin)).catch(() => undefined);
    }
    return p;
  }

  /**
   * One question to the officer, bounded by confirmTimeoutMs: on timeout the question is withdrawn
   * from the prompt (its signal aborts) and the request ends with AGENT_CONFIRM_TIMEOUT.
   */
  private async bounded<T>(question: (signal: AbortSignal) => Promise<T>, what: string): Promise<T> {
    const controller = new AbortController();
    const { confirmTimeoutMs } = this.limits;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new KysoError("AGENT_CONFIRM_TIMEOUT", `${what} within ${Math.round(confirmTimeoutMs / 1000)} s: the request was not signed`));
      }, confirmTimeoutMs);
    });
    try {
      return await Promise.race([question(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  /** The confirmation; a timeout withdraws it from the prompt. */
  private ask(request: Omit<ConfirmRequest, "signal">): Promise<boolean> {
    return this.bounded((signal) => this.c.prompt.confirm({ ...request, signal }), "No answer from the officer");
  }

  private async confirm(request: Omit<ConfirmRequest, "signal">): Promise<void> {
    if (!(await this.ask(request))) throw new KysoError("AGENT_REJECTED", "The officer refused to sign");
  }

  /**
   * A PIN, OTP or password through the prompt (its `secret`, else its `pin`), bounded as the
   * confirmation is; null (cancel) stops before any login or authorization.
   */
  private async secret(origin: string, id: string, kind: SecretKind, label: string): Promise<string> {
    const prompt = this.c.prompt;
    const value = await this.bounded(
      (signal) => (prompt.secret ? prompt.secret({ id, origin, token: label, kind, label, signal }) : prompt.pin({ id, origin, token: label, signal })),
      kind === "otp" ? "No one-time code entered" : kind === "password" ? "No password entered" : "No PIN entered",
    );
    if (value === null) throw new KysoError("PIN_CANCELLED", `${kind === "otp" ? "OTP" : kind === "password" ? "Password" : "PIN"} entry was cancelled: nothing was signed`);
    return value;
  }

  private transfer(origin: string, bearer?: string): TransferOptions {
    const l = this.limits;
    return { policy: this.c.policy, origin, maxBytes: l.maxDownloadBytes, timeoutMs: l.downloadTimeoutMs, bearer, ca: this.c.options.downloadCa, connections: this.connections };
  }

  /** Opens (or reuses) the token session and checks the certificate before anything is signed. */
  private async withSigner<T>(origin: string, id: string, work: (signer: RawSigner, describe: string) => Promise<T>): Promise<T> {
    let checkedChain: Uint8Array[] | undefined;
    const check = async (certificate: Uint8Array, offered: readonly Uint8Array[]): Promise<void> => {
      const { checkCertificate, certificateRefusalError } = await import("@kyso/sign");
      const result = await checkCertificate(certificate, { ...(this.c.options.certificateCheck ?? {}), offered, purpose: "signing" });
      if (result.refusal) throw certificateRefusalError(result);
      for (const w of result.warnings) this.c.log(agentEvent.certificateWarning(w));
      checkedChain = result.chain;
    };
    // A remote credential's PIN is asked once per request (its authorizations, one per group of
    // `multisign` documents, reuse it until the request ends); an OTP is good once: asked each time.
    let pin: Promise<string> | undefined;
    const secret = (r: { kind: SecretKind; label: string }): Promise<string> => {
      if (r.kind !== "pin") return this.secret(origin, id, r.kind, r.label);
      pin ??= this.secret(origin, id, "pin", r.label);
      pin.catch(() => (pin = undefined));
      return pin;
    };
    let clearWaiting: (() => void) | undefined;
    const approval = (p: { phase: "waiting" | "approved"; count: number; timeoutMs: number }): void => {
      if (p.phase === "waiting" && !clearWaiting) {
        this.c.log(agentEvent.phoneWaiting(p.count, origin));
        clearWaiting = this.c.prompt.waiting?.({ id, origin, count: p.count, timeoutMs: p.timeoutMs }) ?? (() => undefined);
      } else if (p.phase === "approved") {
        clearWaiting?.();
        clearWaiting = undefined;
      }
    };
    return this.c.session.use(
      { pin: (label) => this.secret(origin, id, "pin", label ?? "token"), beforeLogin: check, secret, approval },
      async (signer, describe) => {
        // A kept session: the certificate is checked again for this request (the revocation cache
        // keeps it cheap), exactly as a new `kyso sign` run would.
        if (!checkedChain) await check(signer.certificate, signer.chain);
        const { withChain } = await import("@kyso/sign");
        const chain = checkedChain ?? [];
        const completed = chain.length >= signer.chain.length && chain.length > 0 ? withChain(signer, chain) : signer;
        try {
          return await work(completed, describe);
        } finally {
          clearWaiting?.();
        }
      },
    );
  }

  /** Signs one or many documents with one confirmation and (when the session is not open) one PIN. */
  async sign(job: SignJob): Promise<DocumentOutcome[]> {
    try {
      return await this.signOrThrow(job);
    } catch (e) {
      // A request that ends before any document is signed: one line for it (the documents' URLs, never the JWT).
      const f = failureOf(e);
      const outcome = f.code === "AGENT_REJECTED" ? "rejected" : f.code === "AGENT_CONFIRM_TIMEOUT" ? "timeout" : f.status === STATUS.URL_NOT_ALLOWED ? "refused" : "failed";
      const names = job.documents.map((d) => d.name ?? (d.url ? safeUrl(d.url) : "(data)")).join(", ");
      await this.c.audit.write({ origin: job.origin, operation: job.operation, outcome, document: names, status: f.status, code: f.code, message: f.message });
      throw e;
    }
  }

  private async signOrThrow(job: SignJob): Promise<DocumentOutcome[]> {
    const id = randomUUID();
    const origin = job.origin;
    if (job.documents.length === 0) throw new KysoError("AGENT_BAD_REQUEST", "No document to sign");
    if (job.documents.length > this.limits.maxBatch) throw new KysoError("AGENT_BAD_REQUEST", `At most ${this.limits.maxBatch} documents per request`);
    // Every URL is checked before anything is fetched: one bad URL refuses the whole request.
    for (const d of job.documents) {
      if (d.url !== undefined) this.c.policy.checkUrl(origin, d.url, "download");
      else if (!d.bytes) throw new KysoError("AGENT_BAD_REQUEST", "A document needs a URL or its bytes");
      if (d.uploadUrl !== undefined) this.c.policy.checkUrl(origin, d.uploadUrl, "upload");
    }
    validateAppearance(job.appearance);
    await this.ensurePaired(origin);

    const dir = await mkdtemp(join(tmpdir(), "kyso-agent-"));
    try {
      // Download (a few at a time), then look at each document: pages, and the signature order for a seal.
      const t = this.transfer(origin, job.bearer);
      const fetched: { name: string; bytes: Uint8Array; source: DocumentSource }[] = new Array(job.documents.length);
      await eachLimit(job.documents, TRANSFER_CONCURRENCY, async (d, i) => {
        if (d.bytes) fetched[i] = { name: d.name ?? `document-${i + 1}.pdf`, bytes: d.bytes, source: d };
        else {
          const got = await download(d.url as string, t);
          fetched[i] = { name: d.name ?? got.name, bytes: got.bytes, source: d };
        }
      });
      const { PdfReader } = await import("@kyso/pdf");
      const documents: ConfirmDocument[] = [];
      for (const f of fetched) {
        if (Buffer.from(f.bytes.subarray(0, 1024)).indexOf("%PDF-") < 0) throw new KysoError("AGENT_NOT_PDF", `${f.name} is not a PDF`);
        let reader;
        try {
          reader = PdfReader.fromBytes(f.bytes);
        } catch (cause) {
          throw new KysoError("AGENT_DOCUMENT_REFUSED", `${f.name} cannot be read as a PDF: ${(cause as Error).message}`, { cause });
        }
        try {
          if (job.appearance.kind === "organization") {
            const { checkSignatureOrder } = await import("@kyso/appearance");
            checkSignatureOrder(reader, f.name);
          }
          documents.push({ name: f.name, pages: reader.pageCount(), sizeBytes: f.bytes.length, kind: job.appearance.kind });
        } finally {
          reader.close();
        }
      }
      await this.confirm({ id, origin, operation: job.operation, documents });

      const items = fetched.map((f, i) => ({ input: join(dir, `${i}.pdf`), output: join(dir, `${i}.signed.pdf`) }));
      await Promise.all(fetched.map((f, i) => writeFile(items[i].input, f.bytes, { mode: 0o600 })));
      const options = await this.signOptions(job);

      // Each document is finished (read, uploaded, audited) as soon as the batch engine reports it,
      // a few at a time over kept-alive connections, while the others are still being signed.
      const outcomes: DocumentOutcome[] = new Array(fetched.length);
      const index = new Map(items.map((it, i) => [it.input, i]));
      const slot = limiter(TRANSFER_CONCURRENCY);
      const finishing: Promise<void>[] = [];
      const finish = async (i: number, e: SignEvent | undefined): Promise<void> => {
        const f = fetched[i];
        const sha256 = sha256Hex(f.bytes);
        if (!e || e.status !== "signed") {
          const err = e?.error ?? { code: "SIGN_FAILED", message: `${f.name} was not signed` };
          const failure = failureOf(new KysoError(err.code, err.message));
          outcomes[i] = { ok: false, name: f.name, fileId: f.source.fileId, failure };
          await this.c.audit.write({ origin, operation: job.operation, outcome: "failed", document: f.name, sha256, status: failure.status, code: failure.code, message: failure.message });
          return;
        }
        const signed = new Uint8Array(await readFile(items[i].output));
        const signedSha256 = sha256Hex(signed);
        try {
          const up = f.source.uploadUrl ? await upload(f.source.uploadUrl, f.name, signed, t, job.uploadFields) : undefined;
          outcomes[i] = { ok: true, name: f.name, fileId: f.source.fileId, sha256, signedSha256, upload: up, bytes: up ? undefined : signed, signer: e.signer };
          await this.c.audit.write({ origin, operation: job.operation, outcome: "ok", document: f.name, sha256, signedSha256, signer: e.signer });
        } catch (err) {
          const failure = failureOf(err);
          outcomes[i] = { ok: false, name: f.name, fileId: f.source.fileId, failure };
          await this.c.audit.write({ origin, operation: job.operation, outcome: "failed", document: f.name, sha256, signedSha256, status: failure.status, code: failure.code, message: failure.message });
        }
      };
      const results = new Map<number, SignEvent>();
      try {
        await this.withSigner(origin, id, async (signer) => {
          const { signBatch } = await import("@kyso/sign");
          const summary = await signBatch(items, signer, { ...options, concurrency: 4 }, (e) => {
            const i = index.get(e.file);
            if (i === undefined) return;
            results.set(i, e);
            if (e.status === "signed") finishing.push(slot(() => finish(i, e)));
          });
          if (summary.aborted) throw new KysoError(summary.aborted.code, summary.aborted.message);
        });
      } finally {
        // Uploads already under way end before the request answers (or fails).
        await Promise.allSettled(finishing);
      }
      await Promise.all(fetched.map((_, i) => (outcomes[i] ? undefined : finish(i, results.get(i)))));
      return outcomes;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async signOptions(job: SignJob): Promise<Partial<SignOptions>> {
    const options: Partial<SignOptions> = { reason: job.reason, location: job.location };
    const a = job.appearance;
    if (a.kind !== "none") {
      const ap = await import("@kyso/appearance");
      options.appearance = ap.appearanceHook({
        kind: a.kind, page: a.page, rect: a.rect, anchor: a.anchor, title: a.title, arrivalNo: a.arrivalNo, docCode: a.docCode, copyForm: a.copyForm,
        onWarning: (m, code) => this.c.log(agentEvent.appearanceWarning(m, code)),
      });
    }
    const level = job.level ?? "B-B";
    if (level !== "B-B") {
      const { prepareLtvSignOptions } = await import("@kyso/sign");
      const tsaUrls = job.tsaUrls?.length ? job.tsaUrls : (this.c.options.tsaUrls ?? []);
      if (tsaUrls.length === 0) throw new KysoError("AGENT_BAD_REQUEST", `Level ${level} needs a time-stamp server (tsa) and the agent has none configured`);
      Object.assign(options, await prepareLtvSignOptions({ level, tsaUrls, network: { timeoutMs: 15_000, retries: 1 } }));
    }
    return options;
  }

  /**
   * signHash: a CMS SignedData (detached, PAdES signed attributes: content-type, message-digest,
   * signing-certificate-v2; EN 319 142-1 §5.2) over a digest the caller computed of its PDF's byte
   * ranges. One confirmation, the PIN when the session is not open.
   */
  async signHash(origin: string, digest: Uint8Array, digestAlgorithm: DigestAlgorithm, name: string): Promise<{ cms: Uint8Array; certificate: Uint8Array }> {
    const id = randomUUID();
    await this.ensurePaired(origin);
    await this.confirm({ id, origin, operation: "signHash", documents: [{ name, pages: 0, sizeBytes: 0, kind: "none" }] });
    try {
      const out = await this.withSigner(origin, id, async (signer) => {
        const { signedAttributesFor } = await import("@kyso/sign");
        const { buildSignedData } = await import("@kyso/cms");
        const signingTime = new Date();
        const signedAttributes = signedAttributesFor(digest, signer, { digestAlgorithm }, signingTime);
        const scheme = defaultScheme(signer.keyAlgorithm);
        const signature = await signer.sign(signedAttributes, scheme, digestAlgorithm);
        const cms = buildSignedData({ signedAttributes, signature, scheme, digestAlgorithm, signerCertificate: signer.certificate, certificates: signer.chain });
        return { cms: new Uint8Array(cms), certificate: signer.certificate };
      });
      await this.c.audit.write({ origin, operation: "signHash", outcome: "ok", document: name, sha256: Buffer.from(digest).toString("hex") });
      return out;
    } catch (e) {
      const f = failureOf(e);
      await this.c.audit.write({ origin, operation: "signHash", outcome: "failed", document: name, status: f.status, code: f.code, message: f.message });
      throw e;
    }
  }

  /** The certificates on the inserted tokens (no login, no PIN). */
  async certificates(origin: string): Promise<TokenCertificate[]> {
    await this.ensurePaired(origin);
    const list = await this.c.options.signerFactory.certificates();
    await this.c.audit.write({ origin, operation: "certificates", outcome: "ok" });
    return list;
  }

  /** Kyso's verification report of a document (online revocation unless configured otherwise). */
  async verify(origin: string, source: DocumentSource, bearer?: string): Promise<unknown> {
    await this.ensurePaired(origin);
    let bytes = source.bytes;
    let name = source.name ?? "document.pdf";
    if (!bytes) {
      if (!source.url) throw new KysoError("AGENT_BAD_REQUEST", "verify needs a URL or the document's bytes");
      const got = await download(source.url, this.transfer(origin, bearer));
      bytes = got.bytes;
      name = source.name ?? got.name;
    }
    const { verifyPdf, httpFetcher } = await import("@kyso/verify");
    const vo = { fetcher: httpFetcher(5000), revocation: "online", ...(this.c.options.verifyOptions ?? {}) } as Parameters<typeof verifyPdf>[1];
    const report = await verifyPdf({ bytes, name }, vo);
    await this.c.audit.write({ origin, operation: "verify", outcome: "ok", document: name, sha256: sha256Hex(bytes) });
    return report;
  }
}

/** Bad appearance requests fail before anything is downloaded. */
export function validateAppearance(a: AppearanceRequest): void {
  if (a.kind === "incoming" && !a.arrivalNo) throw new KysoError("AGENT_BAD_REQUEST", "An incoming stamp needs the arrival number (MetaData key arrivalNo / SoDen)");
  if (a.kind === "attachment" && !a.docCode) throw new KysoError("AGENT_BAD_REQUEST", "An attachment mark needs the main document's number and code (MetaData key docCode / SoKyHieu)");
  if (a.rect && a.anchor) throw new KysoError("AGENT_BAD_REQUEST", "Give either rect or anchor, not both");
  if (a.rect && !(a.rect.w > 0 && a.rect.h > 0)) throw new KysoError("AGENT_BAD_REQUEST", "rect needs a positive width and height");
  if (a.page !== undefined && (!Number.isInteger(a.page) || a.page === 0)) throw new KysoError("AGENT_BAD_REQUEST", "page is 1-based (-1 is the last page)");
}

export function digestAlgorithmOf(text: unknown): DigestAlgorithm {
  try {
    return parseDigestAlgorithm(String(text ?? "sha256"));
  } catch (cause) {
    throw new KysoError("AGENT_BAD_REQUEST", `Unknown digest algorithm "${String(text)}"`, { cause });
  }
}

/** A URL for the log: without query and fragment (they may carry tokens). */
function safeUrl(text: string): string {
  try {
    const u = new URL(text);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** A run-at-most-`n`-at-once gate for promise-returning jobs. */
function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    // A finished job hands its place straight to the next waiting one.
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    else running++;
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

async function eachLimit<T>(items: readonly T[], limit: number, f: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await f(items[i], i);
    }
  });
  await Promise.all(workers);
}
