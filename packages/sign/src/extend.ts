import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { KysoError, systemClock, writeFileAtomic, type Clock } from "@kyso/core";
import {
  CertificatePool, berToDer, checkTimeStampToken, createDigest, digestOf, parseSignedData, parseTimeStampToken, readSignedDataInfo, verifyCmsSignature,
  type CmsProblemCode, type SignedDataInfo, type VerifyDigest,
} from "@kyso/cms";
import { PdfReader, PdfString, listSignatureFields } from "@kyso/pdf";
import type { NetworkOptions } from "./network.js";
import { TimeStamper } from "./timestamper.js";
import { appendValidationData, documentTimestampUpdate, type SignatureToExtend } from "./validation-data.js";
import { writeFully } from "./write-fully.js";

/** A signature or document timestamp found in a document, with what extension needs of it. */
export interface ExistingSignature {
  field: string;
  subFilter: string | undefined;
  isDocTimeStamp: boolean;
  byteRange: [number, number, number, number];
  cms: Uint8Array;
  info: SignedDataInfo;
}

/** The levels `kyso extend` raises a document to (ETSI EN 319 142-1 §6.3). */
export type ExtendLevel = "B-T" | "B-LT" | "B-LTA";

/** One incremental update added by extension, in the order they are appended. */
export type ExtendStep = "document-timestamp" | "dss" | "archive-timestamp";

export interface ExtendOptions {
  level: ExtendLevel;
  tsaUrls: readonly string[];
  network?: NetworkOptions;
  clock?: Clock;
  overwrite?: boolean;
  trustAnchors?: readonly Uint8Array[];
}

export interface ExtendResult {
  output: string;
  /** SHA-256 of the whole output. */
  sha256: string;
  signatures: number;
  /** Whether a document timestamp was added (for B-T or as the archive timestamp). */
  documentTimestamp: boolean;
  /** The incremental updates appended after the input, in order (empty: already at the level). */
  added: ExtendStep[];
}

/** Every signed signature field of the document, with its CMS (read, not verified). */
export function listExistingSignatures(reader: PdfReader): ExistingSignature[] {
  const out: ExistingSignature[] = [];
  for (const f of listSignatureFields(reader)) {
    const sig = reader.dict(f.value);
    if (!sig) continue;
    const contents = reader.resolve(sig.get("Contents"));
    const br = reader.array(sig.get("ByteRange"))?.items.map((x) => reader.resolve(x));
    if (!(contents instanceof PdfString) || !br || br.length !== 4 || !br.every((x) => typeof x === "number"))
      throw new KysoError("EXTEND_SIGNATURE_INVALID", `Signature "${f.name}" has no usable /Contents or /ByteRange`);
    let cms: Uint8Array;
    let info: SignedDataInfo;
    try {
      cms = berToDer(contents.bytes);
      info = readSignedDataInfo(cms);
    } catch (e) {
      throw new KysoError("EXTEND_SIGNATURE_INVALID", `Signature "${f.name}" is not a readable CMS signature`, { cause: e });
    }
    const subFilter = sig.getName("SubFilter");
    out.push({ field: f.name, subFilter, isDocTimeStamp: sig.getName("Type") === "DocTimeStamp" || subFilter === "ETSI.RFC3161", byteRange: br as ExistingSignature["byteRange"], cms, info });
  }
  return out.sort((a, b) => a.byteRange[2] + a.byteRange[3] - (b.byteRange[2] + b.byteRange[3]));
}

/** The bytes a /ByteRange covers, through `sink` (1 MB at a time). */
async function readByteRange(path: string, br: readonly number[], sink: (chunk: Uint8Array) => void): Promise<void> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const [start, len] of [[br[0], br[1]], [br[2], br[3]]]) {
      for (let pos = 0; pos < len; ) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, len - pos), start + pos);
        if (bytesRead === 0) throw new KysoError("EXTEND_SIGNATURE_INVALID", "a /ByteRange reaches past the end of the file");
        sink(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    }
  } finally {
    await fh.close();
  }
}

async function digestByteRange(path: string, br: readonly number[], alg: VerifyDigest): Promise<Uint8Array> {
  const h = createDigest(alg);
  await readByteRange(path, br, (c) => h.update(c));
  return new Uint8Array(h.digest());
}

/** Why a signature does not verify, in words, by the CMS check's code. */
const CMS_FAILURE: Partial<Record<CmsProblemCode, string>> = {
  CMS_HASH_MISMATCH: "the document was changed after signing (message digest differs)",
  CMS_SIGNER_NOT_FOUND: "the signer's certificate is not in the signature",
  CMS_SIGNATURE_INVALID: "the signature value does not verify with the signer's certificate",
};

/**
 * Refuses a document whose signatures do not verify cryptographically (byte ranges, message digest,
 * signature value, signature and document timestamps). Trust and revocation are the validation
 * data's business, not a reason to refuse.
 */
export async function checkExistingSignatures(path: string, sigs: readonly ExistingSignature[]): Promise<void> {
  const { size } = await stat(path);
  const pool = new CertificatePool(128);
  for (const s of sigs) {
    const fail = (why: string): never => {
      throw new KysoError("EXTEND_SIGNATURE_INVALID", `Signature "${s.field}" does not verify: ${why}; the document is not extended`);
    };
    const [a, b, c, d] = s.byteRange;
    if (a !== 0 || b <= 0 || c <= b || d < 0 || c + d > size) fail("its /ByteRange is malformed");
    if (s.isDocTimeStamp) {
      const token = parseTimeStampToken(s.cms);
      const alg = token.tstInfo.digestAlgorithm ?? "SHA-256";
      const check = checkTimeStampToken(s.cms, { imprint: await digestByteRange(path, s.byteRange, alg), pool });
      const bad = check.problems.filter((p) => p.code !== "TST_CERT_EXPIRED");
      if (bad.length) fail(bad.map((p) => p.message).join("; "));
      continue;
    }
    // The one CMS check (packages/cms): with signed attributes the digest of the ranges is compared
    // with the message digest; without them (RFC 5652 §5.4) the signature covers the ranges themselves.
    const sd = parseSignedData(s.cms);
    const si = sd.signerInfos[0];
    if (!si?.digestAlgorithm) fail(`its digest algorithm ${si?.digestAlgorithmOid ?? ""} is not supported`);
    const digest = await digestByteRange(path, s.byteRange, si!.digestAlgorithm!);
    let content: Uint8Array | undefined;
    if (!si!.signedAttributes) {
      const parts: Uint8Array[] = [];
      await readByteRange(path, s.byteRange, (chunk) => parts.push(new Uint8Array(chunk)));
      content = Buffer.concat(parts);
    }
    const check = verifyCmsSignature(sd, { digest, bytes: content ? () => content! : undefined }, { pool });
    if (check.problems.length) fail(check.problems.map((p) => CMS_FAILURE[p.code] ?? p.message).join("; "));
    for (const t of s.info.timestampTokens) {
      const tAlg = parseTimeStampToken(t).tstInfo.digestAlgorithm ?? "SHA-256";
      const tc = checkTimeStampToken(t, { imprint: digestOf(tAlg, s.info.signatureValue), pool });
      const bad = tc.problems.filter((p) => p.code !== "TST_CERT_EXPIRED");
      if (bad.length) fail(`its signature timestamp: ${bad.map((p) => p.message).join("; ")}`);
    }
  }
}

/** Signatures (not document timestamps) with no time evidence: no signature timestamp and no later document timestamp. */
export function untimedSignatures(sigs: readonly ExistingSignature[]): ExistingSignature[] {
  const end = (s: ExistingSignature): number => s.byteRange[2] + s.byteRange[3];
  return sigs.filter((s) => !s.isDocTimeStamp && s.info.timestampTokens.length === 0 && !sigs.some((t) => t.isDocTimeStamp && end(t) > end(s)));
}

/** The earliest time a signature is proven to exist at: its own timestamps, else a later document timestamp. */
function provenTime(s: ExistingSignature, docTimestamps: readonly ExistingSignature[]): Date | undefined {
  let best: Date | undefined;
  const consider = (g: Date): void => {
    if (!best || g < best) best = g;
  };
  for (const t of s.info.timestampTokens) consider(parseTimeStampToken(t).tstInfo.genTime);
  if (!s.isDocTimeStamp && !best)
    for (const t of docTimestamps) if (t.byteRange[2] + t.byteRange[3] > s.byteRange[2] + s.byteRange[3]) consider(parseTimeStampToken(t.cms).tstInfo.genTime);
  return best;
}

/**
 * `kyso extend`: raises a signed document, whoever signed it, to a PAdES baseline level
 * (ETSI EN 319 142-1 §6.3), one incremental update per step, the input staying a byte-identical
 * prefix:
 * - B-T: a signature without a signature timestamp (and no later document timestamp) gets a
 *   document timestamp covering it (§5.4.3; the B-T time evidence);
 * - B-LT: then a DSS with the validation data of every signature and of every timestamp, that new
 *   one included (§5.4.2: certificates, OCSP responses, CRLs);
 * - B-LTA: then an archive document timestamp over that DSS (§5.4.3 applied after B-LT).
 * So B-B -> B-LTA appends document timestamp, DSS, archive timestamp; a signature that already has a
 * signature timestamp gets DSS and archive timestamp only. Re-running on a B-LTA document renews
 * the archive timestamp: the DSS gets the previous timestamps' validation data, then a fresh
 * timestamp covers everything. The signatures are checked first and a document whose signatures
 * do not verify is refused. Nothing is written when a server fails; the output never replaces a
 * file unless `overwrite`.
 */
export async function extendPdfFile(input: string, output: string, options: ExtendOptions): Promise<ExtendResult> {
  const clock = options.clock ?? systemClock;
  const inputLength = (await stat(input)).size;
  const reader = PdfReader.openFile(input);
  let sigs: ExistingSignature[];
  try {
    if (reader.encrypted) throw new KysoError("PDF_ENCRYPTED", "The document is encrypted; Kyso does not extend encrypted documents");
    sigs = listExistingSignatures(reader);
  } finally {
    reader.close();
  }
  if (sigs.length === 0) throw new KysoError("EXTEND_NO_SIGNATURES", `${input} has no signatures to extend`);
  await checkExistingSignatures(input, sigs);

  let stamper: TimeStamper | undefined;
  const tsa = (): TimeStamper => (stamper ??= new TimeStamper(options.tsaUrls, options.network));
  const updates: Uint8Array[] = [];
  const added: ExtendStep[] = [];

  // B-T: a document timestamp as the time evidence of the signatures that have none (EN 319 142-1 §6.3, B-T).
  const untimed = untimedSignatures(sigs);
  let btToken: Uint8Array | undefined;
  let btTime: Date | undefined;
  if (untimed.length > 0) {
    const dts = await documentTimestampUpdate(input, inputLength, [], tsa());
    updates.push(dts.update);
    added.push("document-timestamp");
    btToken = dts.token;
    btTime = parseTimeStampToken(dts.token).tstInfo.genTime;
  }

  if (options.level !== "B-T") {
    const docTimestamps = sigs.filter((s) => s.isDocTimeStamp);
    // Each signer must have been good when the signature was proven to exist (its timestamp, else the new document timestamp).
    const targets: SignatureToExtend[] = sigs.map((s) => ({
      cms: s.cms,
      requireGoodAtSigning: !s.isDocTimeStamp,
      signingTime: provenTime(s, docTimestamps) ?? btTime ?? clock.now(),
    }));
    // B-LT needs the chain and status of the TSA of the B-T document timestamp (EN 319 142-1 §5.4.2).
    if (btToken) targets.push({ cms: btToken, requireGoodAtSigning: false });
    if (options.level === "B-LTA") {
      // The archive timestamp's TSA too, from the dry run, so that it can be validated offline later.
      await tsa().tokenReserve();
      const probe = tsa().lastToken;
      if (probe) targets.push({ cms: probe, requireGoodAtSigning: false });
    }
    const more = await appendValidationData({
      input,
      inputLength,
      tail: updates,
      signatures: targets,
      archiveTimestamp: options.level === "B-LTA" ? tsa() : undefined,
      network: options.network,
      clock,
      trustAnchors: options.trustAnchors,
    });
    updates.push(...more);
    added.push("dss");
    if (options.level === "B-LTA") added.push("archive-timestamp");
  }

  const h = createHash("sha256");
  await writeFileAtomic(
    output,
    async (fh) => {
      const src = await open(input, "r");
      try {
        const buf = Buffer.allocUnsafe(1 << 20);
        for (let pos = 0; pos < inputLength; ) {
          const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, inputLength - pos), pos);
          if (bytesRead === 0) throw new KysoError("INPUT_CHANGED", `${input} changed while it was being extended`);
          h.update(buf.subarray(0, bytesRead));
          await writeFully(fh, [buf.subarray(0, bytesRead)]);
          pos += bytesRead;
        }
      } finally {
        await src.close();
      }
      for (const u of updates) {
        h.update(u);
        await writeFully(fh, [u]);
      }
    },
    { overwrite: options.overwrite },
  );
  return { output, sha256: h.digest("hex"), signatures: sigs.filter((s) => !s.isDocTimeStamp).length, documentTimestamp: added.some((a) => a !== "dss"), added };
}
