import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname } from "node:path";
import {
  KysoError, type MessageFacts, defaultScheme, describeError, isBatchRawSigner, nodeDigestName, parseCertificate, systemClock, writeFileAtomic,
  type DigestAlgorithm, type RawSigner, type SignatureScheme,
} from "@kyso/core";
import { PdfReader } from "@kyso/pdf";
import { commonName } from "@kyso/signers";
import { addPlaceholder, completeDocument, contentsLengthFor, prepareDocument, signedAttributesFor, writeSignedDocument, type PreparedDocument, type SignOptions } from "./sign-pdf.js";
import { signedByCertificate } from "./already-signed.js";
import { BatchJournal } from "./journal.js";
import { DigestBatcher } from "./digest-batcher.js";
import { STOP_RUN_OUTPUT_CODES, outputWriteError } from "./output-errors.js";
import { writeFully } from "./write-fully.js";

export { STOP_RUN_OUTPUT_CODES, outputWriteError } from "./output-errors.js";

export interface BatchItem {
  input: string;
  output: string;
}

export type FileStatus = "signed" | "skipped" | "failed";

/** What happened to one input. `file`..`error` are the fields of `kyso sign --json`. */
export interface FileEvent {
  file: string;
  output: string;
  status: FileStatus;
  /** SHA-256 of the output (signed) or of the existing output (skipped because already done). */
  sha256?: string;
  /** The signer's common name. */
  signer?: string;
  ms: number;
  /** What went wrong: `message` in English; `details` the error's facts (KysoError details.params/form), for a text in another language. */
  error?: { code: string; message: string; details?: MessageFacts };
  /** SHA-256 of the input, when it could be read. */
  inputSha256?: string;
  /** Serial number of the signer certificate, hex. */
  signerSerial?: string;
  /** When the file was finished (ISO 8601). */
  at: string;
  /** Why a file was skipped: ALREADY_SIGNED (input carries our signature), OUTPUT_SIGNED (an earlier run), JOURNAL (resume), NOT_PROCESSED (run stopped). */
  reason?: string;
}

/** Errors after which no further document can be signed in this run (the token is gone or broken). */
export const FATAL_CODES = new Set(["P11_TOKEN_REMOVED", "P11_DEVICE_ERROR", "P11_CLOSED", "P11_PIN_LOCKED", "P11_NOT_LOGGED_IN"]);

/**
 * A remote signing service's refusal (CSC_*: wrong PIN or OTP, locked credential, rejected or timed
 * out approval, expired session, service unreachable) stops the run like a token failure: trying
 * the next document would only repeat it (and a wrong PIN must not be tried twice).
 */
export function isFatalSignerCode(code: string): boolean {
  // PIN_UNAVAILABLE / PIN_FILE: a remote credential's PIN or OTP asked mid-run could not be read.
  return FATAL_CODES.has(code) || code.startsWith("CSC_") || code === "PIN_UNAVAILABLE" || code === "PIN_FILE";
}

export interface BatchSummary {
  total: number;
  signed: number;
  skipped: number;
  failed: number;
  /**
   * Inputs never started because the run stopped early. After a failure (`aborted`) they are
   * reported as skipped (reason NOT_PROCESSED); after `interrupted` they get no event and are not
   * counted as skipped: they are simply left for `--resume`.
   */
  notProcessed: number;
  /** Set when the run stopped early because of a failure (token removed, device error, disk full). */
  aborted?: { code: string; message: string };
  /** Set when the run was cancelled through `signal` (Ctrl-C): documents in flight were finished. */
  interrupted?: boolean;
  ms: number;
}

export interface BatchOptions extends SignOptions {
  /**
   * Documents in flight at once (prepared, waiting for the token, being written). Default 4. With a
   * signer that signs digests in groups (remote signing), at least two groups' worth.
   */
  concurrency?: number;
  /** Replace existing outputs and sign inputs that already carry a signature by this certificate. */
  force?: boolean;
  /** @deprecated use `force` */
  overwrite?: boolean;
  /** Journal file (JSON Lines) recording every signed document; needed for `resume`. */
  journal?: string;
  /** Continue the run recorded in `journal`: journalled documents whose output exists are skipped. */
  resume?: boolean;
  /** Inputs up to this size are read once into memory (parse, hash and write from one buffer). Default 64 MiB. */
  inMemoryLimit?: number;
  /**
   * Stops taking new documents: a document already signed by the token is still written (and
   * journalled); one not yet at the token is left for `--resume`.
   */
  signal?: AbortSignal;
  /** Warnings about the whole run (the certificate check's), written into the journal. */
  warnings?: readonly { code: string; message: string }[];
}

/**
 * Serializes calls to `sign`: a PKCS#11 session runs one operation at a time, while the documents
 * around it are prepared and written concurrently.
 */
function tokenLane(signer: RawSigner): RawSigner {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    certificate: signer.certificate,
    chain: signer.chain,
    keyAlgorithm: signer.keyAlgorithm,
    maxSignatureLength: () => signer.maxSignatureLength(),
    sign(data: Uint8Array, scheme: SignatureScheme, digest: DigestAlgorithm): Promise<Uint8Array> {
      const run = tail.then(() => signer.sign(data, scheme, digest));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}


const sha256Hex = (...parts: Uint8Array[]): string => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  const fh = await fs.open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest("hex");
}

class Skip {
  constructor(
    readonly reason: string,
    readonly sha256?: string,
  ) {}
}

/** Removes temp files an interrupted run left beside its outputs (`.NAME.<12 hex>.tmp`, see writeFileAtomic). */
export async function removeStaleTempFiles(outputs: readonly string[]): Promise<number> {
  const byDir = new Map<string, Set<string>>();
  for (const o of outputs) {
    const d = dirname(o);
    let s = byDir.get(d);
    if (!s) byDir.set(d, (s = new Set()));
    s.add(basename(o));
  }
  let removed = 0;
  for (const [dir, names] of byDir) {
    let list: string[];
    try {
      list = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const f of list) {
      const m = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(f);
      if (m && names.has(m[1])) {
        await fs.unlink(`${dir}/${f}`).catch(() => undefined);
        removed++;
      }
    }
  }
  return removed;
}

/**
 * The batch engine: signs many documents with one signer (one token login). Preparing documents
 * (read, parse, placeholder, hash) overlaps the token's signing: `concurrency` documents are in
 * flight, the token signs them one after the other. A bad document fails alone and the batch goes
 * on; a token failure stops the run (documents in flight are dropped, no output is left half
 * written) and the summary says so; every input then gets exactly one event. A cancel through
 * `options.signal` (Ctrl-C) finishes what the token has signed and leaves the rest without an event.
 */
export async function signBatch(
  items: readonly BatchItem[],
  signer: RawSigner,
  options: BatchOptions = {},
  onEvent: (e: FileEvent) => void = () => undefined,
): Promise<BatchSummary> {
  const t0 = performance.now();
  const summary: BatchSummary = { total: items.length, signed: 0, skipped: 0, failed: 0, notProcessed: 0, ms: 0 };
  const force = options.force ?? options.overwrite ?? false;
  // A remote signer signs `groupSize` digests per round trip: two groups in flight, so that one is
  // prepared while the other is at the service.
  const groupSize = isBatchRawSigner(signer) ? Math.max(1, Math.min(256, Math.floor(signer.batchSize))) : 1;
  const requested = Math.max(1, Math.min(64, Math.floor(options.concurrency ?? 4)));
  const concurrency = groupSize > 1 ? Math.max(requested, Math.min(2 * groupSize, groupSize + 64)) : requested;
  const inMemoryLimit = options.inMemoryLimit ?? 64 * 1024 * 1024;
  const digestAlgorithm = options.digestAlgorithm ?? "SHA-256";
  const signOptions: SignOptions = { ...options, digestAlgorithm, scheme: options.scheme ?? defaultScheme(signer.keyAlgorithm) };
  const clock = options.clock ?? systemClock;
  const cert = parseCertificate(signer.certificate);
  const signerName = commonName(signer.certificate);
  const signerSerial = Buffer.from(cert.serial).toString("hex");
  const workers = Math.min(concurrency, Math.max(1, items.length));
  const batcher = isBatchRawSigner(signer) ? new DigestBatcher(signer, groupSize, workers) : undefined;
  const lane = batcher ? batcher.signer : tokenLane(signer);
  // The placeholder size depends only on the signer and the options: compute it once.
  const contentsLength = contentsLengthFor(signer, signOptions);


  const journal = options.journal ? await BatchJournal.open(options.journal, sha256Hex(signer.certificate), options.resume ?? false) : undefined;
  for (const w of options.warnings ?? []) await journal?.warn(w);
  if (options.resume) await removeStaleTempFiles(items.map((i) => i.output));

  const reported = new Set<string>();
  const emit = (e: Omit<FileEvent, "at" | "signerSerial" | "signer"> & { signer?: string }): void => {
    if (e.status === "signed") summary.signed++;
    else if (e.status === "skipped") summary.skipped++;
    else summary.failed++;
    reported.add(e.file);
    onEvent({ ...e, signer: e.signer ?? (e.status === "failed" ? undefined : signerName), signerSerial, at: new Date().toISOString() });
  };

  /** An existing output: done by an earlier run when it is the input plus our signature. */
  async function existingOutput(item: BatchItem, input: Uint8Array | undefined): Promise<Skip | undefined> {
    let st;
    try {
      st = await fs.stat(item.output);
    } catch {
      return undefined;
    }
    if (force) return undefined;
    if (input && st.size > input.length && st.size <= inMemoryLimit) {
      const out = await fs.readFile(item.output);
      if (out.subarray(0, input.length).equals(input)) {
        let ours = false;
        try {
          const r = PdfReader.fromBytes(out);
          ours = signedByCertificate(r, cert);
          r.close();
        } catch {
          /* unreadable: not a finished output */
        }
        if (ours) return new Skip("OUTPUT_SIGNED", sha256Hex(out));
      }
    }
    throw new KysoError("OUTPUT_EXISTS", `Output ${item.output} already exists (use --force to replace it)`);
  }

  /** Stage 1, in memory: one read of the input; parse, placeholder and digest from that buffer. */
  async function prepareInMemory(item: BatchItem, bytes: Uint8Array): Promise<PreparedDocument | Skip> {
    const reader = PdfReader.fromBytes(bytes);
    const signingTime = clock.now();
    let prepared;
    try {
      if (!reader.encrypted && !force && signedByCertificate(reader, cert)) return new Skip("ALREADY_SIGNED");
      prepared = await addPlaceholder(reader, item.input, signer, signOptions, contentsLength, signingTime);

    } finally {
      reader.close();
    }
    const h = createHash(nodeDigestName(digestAlgorithm));
    h.update(bytes);
    const [a, b] = prepared.coveredUpdateParts();
    h.update(a);
    h.update(b);
    const contentDigest = new Uint8Array(h.digest());
    const signedAttributes = signedAttributesFor(contentDigest, signer, signOptions, signingTime);

    return { input: item.input, prepared, contentDigest, signedAttributes, signingTime };
  }

  async function writeFromMemory(doc: PreparedDocument, bytes: Uint8Array, output: string, extra: readonly Uint8Array[] = []): Promise<string> {
    await writeFileAtomic(
      output,
      async (fh) => {
        await writeFully(fh, [bytes, doc.prepared.update, ...extra]);
      },
      { overwrite: force },
    );
    return sha256Hex(bytes, doc.prepared.update, ...extra);
  }

  async function processOne(item: BatchItem): Promise<void> {
    const started = performance.now();
    const ms = (): number => Math.round(performance.now() - started);
    let inputSha256: string | undefined;
    try {
      const prior = journal?.done.get(item.input);
      if (prior && prior.output === item.output) {
        const exists = await fs.stat(item.output).then(() => true, () => false);
        if (exists) {
          emit({ file: item.input, output: item.output, status: "skipped", sha256: prior.sha256, inputSha256: prior.inputSha256, ms: ms(), reason: "JOURNAL" });
          return;
        }
      }
      if (item.output === item.input) throw new KysoError("OUTPUT_IS_INPUT", `The output would overwrite the input ${item.input}`);
      let st;
      try {
        st = await fs.stat(item.input);
      } catch (e) {
        throw new KysoError("FILE_UNREADABLE", `Cannot read ${item.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
      if (!st.isFile()) throw new KysoError("FILE_UNREADABLE", `${item.input} is not a regular file`);
      let doc: PreparedDocument | Skip;
      let bytes: Uint8Array | undefined;
      if (st.size <= inMemoryLimit) {
        try {
          bytes = await fs.readFile(item.input);
        } catch (e) {
          throw new KysoError("FILE_UNREADABLE", `Cannot read ${item.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
        }
        inputSha256 = sha256Hex(bytes);
        const done = await existingOutput(item, bytes);
        if (done) {
          emit({ file: item.input, output: item.output, status: "skipped", sha256: done.sha256, inputSha256, ms: ms(), reason: done.reason });
          return;
        }
        doc = await prepareInMemory(item, bytes);
      } else {
        // Large scans: streamed from disk (reader, digest and copy work over file handles).
        inputSha256 = await sha256File(item.input);
        await existingOutput(item, undefined);
        const probe = PdfReader.openFile(item.input);
        let ours = false;
        try {
          ours = !force && !probe.encrypted && signedByCertificate(probe, cert);
        } finally {
          probe.close();
        }
        doc = ours ? new Skip("ALREADY_SIGNED") : await prepareDocument(item.input, signer, { ...signOptions, clock });
      }
      if (doc instanceof Skip) {
        emit({ file: item.input, output: item.output, status: "skipped", inputSha256, ms: ms(), reason: doc.reason });
        return;
      }
      // A token failure or a Ctrl-C happened while this one was being prepared: left unprocessed.
      if (aborted || cancelled()) return;
      const cms = await completeDocument(doc, lane, signOptions);
      if (aborted) return;
      // LTV (issue 7): a DSS and a document timestamp appended before anything is written.
      const extra = signOptions.afterSigning ? await signOptions.afterSigning(doc, cms) : [];
      let sha256: string;
      try {
        sha256 = bytes ? await writeFromMemory(doc, bytes, item.output, extra) : await writeSignedDocument(doc, item.output, force, extra);
      } catch (e) {
        throw outputWriteError(e, item.output);
      }
      await journal?.record({ input: item.input, output: item.output, status: "signed", sha256, inputSha256, at: new Date().toISOString() });
      emit({ file: item.input, output: item.output, status: "signed", sha256, inputSha256, ms: ms() });
    } catch (e) {
      const code = e instanceof KysoError ? e.code : classify(e);
      // Ctrl-C while a remote service was still waiting (an approval on the phone): left for --resume.
      if ((code === "CSC_CANCELLED" || code === "CANCELLED") && cancelled()) return;
      if (isFatalSignerCode(code)) {
        if (!aborted) aborted = { code, message: describeError(e) };
        return; // reported below as not processed
      }
      const facts = e instanceof KysoError && e.details?.params && typeof e.details.params === "object" ? { params: e.details.params as MessageFacts["params"], ...(typeof e.details.form === "string" ? { form: e.details.form } : {}) } : undefined;
      emit({ file: item.input, output: item.output, status: "failed", inputSha256, ms: ms(), error: { code, message: describeError(e), ...(facts ? { details: facts } : {}) } });
      // A full disk or a read-only file system fails every later output too: stop, resume later.
      if (STOP_RUN_OUTPUT_CODES.has(code) && !aborted) aborted = { code, message: describeError(e) };
    }
  }

  let aborted: { code: string; message: string } | undefined;
  const cancelled = (): boolean => options.signal?.aborted ?? false;
  let next = 0;
  const worker = async (): Promise<void> => {
    try {
      while (next < items.length && !aborted && !cancelled()) await processOne(items[next++]);
    } finally {
      batcher?.workerDone();
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await journal?.close();
  }
  const left = items.filter((i) => !reported.has(i.input)).length;
  if (!aborted && cancelled() && left > 0) {
    summary.interrupted = true;
    summary.notProcessed = left;
  } else if (aborted) {
    summary.aborted = aborted;
    for (const item of items) {
      if (reported.has(item.input)) continue;
      summary.notProcessed++;
      emit({ file: item.input, output: item.output, status: "skipped", ms: 0, reason: "NOT_PROCESSED", error: { code: "NOT_PROCESSED", message: `Not signed: the run stopped (${aborted.message})` } });
    }
  }
  summary.ms = Math.round(performance.now() - t0);
  return summary;
}

/** Error codes for errors that are not KysoErrors (parser bugs on hostile input, I/O). */
function classify(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return "FILE_UNREADABLE";
  return "PDF_CORRUPT";
}
