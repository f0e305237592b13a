import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { KysoError, bytesEqual, digest, nodeDigestName, systemClock, writeFileAtomic, type Clock, type DigestAlgorithm } from "@kyso/core";
import { berToDer, checkTimeStampToken, parseTimeStampToken, readSignedDataInfo, verifySignatureValue, type SignedDataInfo } from "@kyso/cms";
import { PdfReader, PdfString, listSignatureFields } from "@kyso/pdf";
import type { NetworkOptions } from "./network.js";
import { TimeStamper } from "./timestamper.js";
import { appendValidationData, type SignatureToExtend } from "./validation-data.js";

/** A signature or document timestamp found in a document, with what extension needs of it. */
export interface ExistingSignature {
  field: string;
  subFilter: string | undefined;
  isDocTimeStamp: boolean;
  byteRange: [number, number, number, number];
  cms: Uint8Array;
  info: SignedDataInfo;
}

export interface ExtendOptions {
  level: "B-LT" | "B-LTA";
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
  /** Whether a document timestamp was added. */
  documentTimestamp: boolean;
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

async function digestByteRange(path: string, br: readonly number[], alg: DigestAlgorithm): Promise<Uint8Array> {
  const h = createHash(nodeDigestName(alg));
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const [start, len] of [[br[0], br[1]], [br[2], br[3]]]) {
      for (let pos = 0; pos < len; ) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, len - pos), start + pos);
        if (bytesRead === 0) throw new KysoError("EXTEND_SIGNATURE_INVALID", "a /ByteRange reaches past the end of the file");
        h.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    }
  } finally {
    await fh.close();
  }
  return new Uint8Array(h.digest());
}

/**
 * Refuses a document whose signatures do not verify cryptographically (byte ranges, message digest,
 * signature value, signature and document timestamps). Trust and revocation are the validation
 * data's business, not a reason to refuse.
 */
export async function checkExistingSignatures(path: string, sigs: readonly ExistingSignature[]): Promise<void> {
  const { size } = await stat(path);
  for (const s of sigs) {
    const fail = (why: string): never => {
      throw new KysoError("EXTEND_SIGNATURE_INVALID", `Signature "${s.field}" does not verify: ${why}; the document is not extended`);
    };
    const [a, b, c, d] = s.byteRange;
    if (a !== 0 || b <= 0 || c <= b || d < 0 || c + d > size) fail("its /ByteRange is malformed");
    if (s.isDocTimeStamp) {
      const token = parseTimeStampToken(s.cms);
      const alg = token.tstInfo.digestAlgorithm ?? "SHA-256";
      const check = checkTimeStampToken(s.cms, { imprint: await digestByteRange(path, s.byteRange, alg) });
      const bad = check.problems.filter((p) => p.code !== "TST_CERT_EXPIRED");
      if (bad.length) fail(bad.map((p) => p.message).join("; "));
      continue;
    }
    const alg = s.info.digestAlgorithm ?? "SHA-256";
    if (!s.info.signerCertificate) fail("the signer's certificate is not in the signature");
    const covered = await digestByteRange(path, s.byteRange, alg);
    if (s.info.signedAttributes) {
      if (!s.info.messageDigest || !bytesEqual(s.info.messageDigest, covered)) fail("the document was changed after signing (message digest differs)");
      if (!verifySignatureValue(s.info.signatureAlgorithm, s.info.signedAttributes, s.info.signatureValue, s.info.signerCertificate!, alg))
        fail("the signature value does not verify with the signer's certificate");
    } else fail("it has no signed attributes (not a PAdES/CMS detached signature Kyso can extend)");
    for (const t of s.info.timestampTokens) {
      const tAlg = parseTimeStampToken(t).tstInfo.digestAlgorithm ?? "SHA-256";
      const check = checkTimeStampToken(t, { imprint: digest(tAlg, s.info.signatureValue) });
      const bad = check.problems.filter((p) => p.code !== "TST_CERT_EXPIRED");
      if (bad.length) fail(`its signature timestamp: ${bad.map((p) => p.message).join("; ")}`);
    }
  }
}

/**
 * `kyso extend`: adds validation data (DSS, PAdES B-LT) and a document timestamp (B-LTA) to a signed
 * document, whoever signed it. The signatures are checked first and a document whose signatures do
 * not verify is refused. A signature without a signature timestamp gets its time from the document
 * timestamp added here (EN 319 142-1 allows a document timestamp as the B-T time evidence), so such
 * documents always get one. Re-running on a B-LTA document renews the archive timestamp: the DSS
 * gets the validation data of the previous document timestamp, then a fresh one covers everything.
 * Nothing is written when a server fails; the output never replaces a file unless `overwrite`.
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

  const stamper = new TimeStamper(options.tsaUrls, options.network);
  const docTimestamps = sigs.filter((s) => s.isDocTimeStamp);
  const untimed = sigs.filter((s) => !s.isDocTimeStamp && s.info.timestampTokens.length === 0 && !docTimestamps.some((t) => t.byteRange[2] + t.byteRange[3] > s.byteRange[2] + s.byteRange[3]));
  const needsDocTimestamp = options.level === "B-LTA" || untimed.length > 0;

  const targets: SignatureToExtend[] = sigs.map((s) => {
    // The time a signature is proven to have existed: its own timestamp, else a later document timestamp.
    let signingTime: Date | undefined;
    for (const t of s.info.timestampTokens) {
      const g = parseTimeStampToken(t).tstInfo.genTime;
      if (!signingTime || g < signingTime) signingTime = g;
    }
    if (!s.isDocTimeStamp && !signingTime) {
      for (const t of docTimestamps) {
        if (t.byteRange[2] + t.byteRange[3] <= s.byteRange[2] + s.byteRange[3]) continue;
        const g = parseTimeStampToken(t.cms).tstInfo.genTime;
        if (!signingTime || g < signingTime) signingTime = g;
      }
    }
    return { cms: s.cms, requireGoodAtSigning: !s.isDocTimeStamp, signingTime: signingTime ?? clock.now() };
  });
  if (needsDocTimestamp) {
    // The TSA of the coming document timestamp: its chain and status go into the DSS as well.
    await stamper.tokenReserve();
    const probe = stamper.lastToken;
    if (probe) targets.push({ cms: probe, requireGoodAtSigning: false });
  }
  const updates = await appendValidationData({
    input,
    inputLength,
    tail: [],
    signatures: targets,
    archiveTimestamp: needsDocTimestamp ? stamper : undefined,
    network: options.network,
    clock,
    trustAnchors: options.trustAnchors,
  });

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
          await fh.write(buf, 0, bytesRead);
          pos += bytesRead;
        }
      } finally {
        await src.close();
      }
      for (const u of updates) {
        h.update(u);
        await fh.write(u);
      }
    },
    { overwrite: options.overwrite },
  );
  return { output, sha256: h.digest("hex"), signatures: sigs.filter((s) => !s.isDocTimeStamp).length, documentTimestamp: needsDocTimestamp };
}
