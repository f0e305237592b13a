import { bytesEqual } from "@kyso/core";
import { CertificatePool, berToDer, createDigest, digestOf, readSignedDataInfo, type SignedDataInfo, type VerifyDigest } from "@kyso/cms";
import { PdfString, listSignatureFields, readDss, readerAtRevision, type DssContent, type PdfReader } from "@kyso/pdf";
import { offlineStatus } from "./revocation.js";
import { pathToAnchor, validateTimestamp, type TimestampFinding } from "./timestamp.js";

/** PAdES baseline levels (ETSI EN 319 142-1 §6). */
export type PadesLevel = "B-B" | "B-T" | "B-LT" | "B-LTA";

/** The long-term-validation view of one signature. */
export interface LtvFinding {
  field: string;
  byteRange: number[];
  isDocTimeStamp: boolean;
  /** The highest level reached (for a document timestamp: null). */
  level: PadesLevel | null;
  /** Why the next level is not reached (empty at B-LTA). */
  reasons: string[];
  /** The earliest trusted time the signature is proven to exist at (signature or document timestamp). */
  proofOfExistence: Date | undefined;
  /** "signature-timestamp" or "document-timestamp" when proven. */
  proofSource: "signature-timestamp" | "document-timestamp" | undefined;
  /** For a document timestamp: its own validation. */
  timestamp: TimestampFinding | undefined;
  /** The document timestamp that is the signature's B-T time evidence, when that is where its time comes from. */
  timeEvidenceField?: string;
  /** The document timestamp that makes it B-LTA (the first valid one after the DSS holding its validation data). */
  archiveTimestampField?: string;
}

interface Sig {
  field: string;
  byteRange: number[];
  end: number;
  isDocTimeStamp: boolean;
  info: SignedDataInfo;
  der: Uint8Array;
}

const name = (c: Uint8Array, pool: CertificatePool): string => {
  try {
    return pool.certificate(c).commonName ?? "certificate";
  } catch {
    return "certificate";
  }
};

function readSignatures(reader: PdfReader): Sig[] {
  const out: Sig[] = [];
  for (const f of listSignatureFields(reader)) {
    const d = reader.dict(f.value);
    if (!d) continue;
    const contents = reader.resolve(d.get("Contents"));
    const br = reader.array(d.get("ByteRange"))?.items.map((x) => reader.resolve(x));
    if (!(contents instanceof PdfString) || !br || br.length !== 4 || !br.every((x) => typeof x === "number")) continue;
    try {
      const der = berToDer(contents.bytes);
      const info = readSignedDataInfo(der);
      const nums = br as number[];
      out.push({ field: f.name, byteRange: nums, end: nums[2] + nums[3], isDocTimeStamp: d.getName("Type") === "DocTimeStamp" || d.getName("SubFilter") === "ETSI.RFC3161", info, der });
    } catch {
      /* unreadable: the pipeline reports it */
    }
  }
  return out;
}

/** The certificates a timestamp token carries (none when unreadable). */
function tokenCertificates(token: Uint8Array): Uint8Array[] {
  try {
    return readSignedDataInfo(token).certificates;
  } catch {
    return [];
  }
}

function digestRanges(reader: PdfReader, br: number[], alg: VerifyDigest): Uint8Array {
  const h = createDigest(alg);
  for (const [start, len] of [[br[0], br[1]], [br[2], br[3]]]) {
    for (let p = start; p < start + len; p += 1 << 20) h.update(reader.src.slice(p, Math.min(start + len, p + (1 << 20))));
  }
  return new Uint8Array(h.digest());
}

/**
 * Checks that `data` holds what validating `cert` at `poe` needs (EN 319 142-1 §5.4, B-LT): every
 * certificate of its chain to a trust anchor, and for each one below the anchor revocation evidence
 * that it was not revoked before `poe`. Returns the reasons it does not (empty when it does).
 */
function missingValidationData(role: string, cert: Uint8Array, poe: Date, data: DssContent, cmsCerts: readonly Uint8Array[], anchors: readonly Uint8Array[], pool: CertificatePool): string[] {
  const path = pathToAnchor(cert, [...data.certs, ...cmsCerts], anchors, poe, pool);
  if (!path) return [`the ${role}'s chain to a trusted root cannot be built from the embedded certificates`];
  const reasons: string[] = [];
  for (let i = 0; i < path.length - 1; i++) {
    const c = path[i];
    const who = i === 0 ? `the ${role} certificate "${name(c, pool)}"` : `the CA certificate "${name(c, pool)}" (${role}'s chain)`;
    if (i > 0 && !data.certs.some((x) => bytesEqual(x, c)) && !cmsCerts.some((x) => bytesEqual(x, c))) reasons.push(`${who} is not embedded`);
    const st = offlineStatus(c, path[i + 1], data);
    if (st.status === "missing") reasons.push(`no revocation data for ${who}${st.problems.length ? ` (${st.problems.join("; ")})` : ""}`);
    else if (st.status === "revoked" && st.revocationTime && st.revocationTime <= poe) reasons.push(`${who} was revoked on ${st.revocationTime.toISOString()}, before ${poe.toISOString()}`);
  }
  return reasons;
}

/**
 * The PAdES level of every signature of a document, from the document alone (offline), as
 * ETSI EN 319 142-1 §6.3 builds each level on the one below:
 * - B-T: the time evidence: a valid signature timestamp (§5.3), or a valid document timestamp
 *   covering the signature (§5.4.3);
 * - B-LT: the DSS (§5.4.2) holds the signer's chain and the chain of that evidence's TSA, with
 *   revocation evidence for each certificate below the anchor, none revoked before the evidence;
 * - B-LTA: a further valid document timestamp, after the time evidence, over a revision whose DSS
 *   already satisfies B-LT (the archive timestamp). A document timestamp cannot be both the B-T
 *   evidence and the archive timestamp: signature, document timestamp, DSS is B-LT.
 * Timestamps count only when their TSA chains to one of `trustAnchors` (none given: none counts).
 * Certificates may have expired since: the times that count are the timestamps'.
 */
export function analyseLtv(reader: PdfReader, options: { trustAnchors: readonly Uint8Array[]; pool?: CertificatePool }): LtvFinding[] {
  const anchors = options.trustAnchors;
  const pool = options.pool ?? new CertificatePool(256);
  const sigs = readSignatures(reader);
  const finalDss = readDss(reader);
  const dssAt = new Map<number, DssContent>();
  const dssCovered = (end: number): DssContent => {
    let d = dssAt.get(end);
    if (!d) {
      try {
        const r = end >= reader.length ? reader : readerAtRevision(reader, end);
        d = readDss(r);
      } catch {
        d = { certs: [], ocsps: [], crls: [], vri: new Map() };
      }
      dssAt.set(end, d);
    }
    return d;
  };
  // Document timestamps, validated once, in file order.
  const docTs = sigs
    .filter((s) => s.isDocTimeStamp)
    .sort((a, b) => a.end - b.end)
    .map((s) => ({ s, t: validateTimestamp(s.der, (alg) => digestRanges(reader, s.byteRange, alg), anchors, [...finalDss.certs, ...s.info.certificates], pool) }));

  return sigs.map((s): LtvFinding => {
    const base = { field: s.field, byteRange: s.byteRange, isDocTimeStamp: s.isDocTimeStamp };
    if (s.isDocTimeStamp) {
      const t = docTs.find((x) => x.s === s)!.t;
      return { ...base, level: null, reasons: t.valid ? [] : t.problems, proofOfExistence: t.valid ? t.genTime : undefined, proofSource: undefined, timestamp: t };
    }
    const reasons: string[] = [];
    const signer = s.info.signerCertificate;
    // B-T: the time evidence (its end: what a later archive timestamp must come after).
    let evidence: { time: Date; tsa: Uint8Array; tsaCerts: Uint8Array[]; source: LtvFinding["proofSource"]; end: number; field?: string } | undefined;
    const sigTsProblems: string[] = [];
    for (const token of s.info.timestampTokens) {
      const t = validateTimestamp(token, (alg) => digestOf(alg, s.info.signatureValue), anchors, [...finalDss.certs, ...s.info.certificates], pool);
      if (t.valid && t.genTime && t.tsaCertificate && (!evidence || t.genTime < evidence.time))
        evidence = { time: t.genTime, tsa: t.tsaCertificate, tsaCerts: tokenCertificates(token), source: "signature-timestamp", end: s.end };
      else if (!t.valid) sigTsProblems.push(...t.problems);
    }
    const later = docTs.filter((x) => x.s.end > s.end);
    const covering = later.filter((x) => x.t.valid && x.t.genTime && x.t.tsaCertificate).sort((a, b) => a.t.genTime!.getTime() - b.t.genTime!.getTime());
    if (!evidence && covering.length) {
      const c = covering[0];
      evidence = { time: c.t.genTime!, tsa: c.t.tsaCertificate!, tsaCerts: c.s.info.certificates, source: "document-timestamp", end: c.s.end, field: c.s.field };
    }
    const out: LtvFinding = { ...base, level: "B-B", reasons, proofOfExistence: evidence?.time, proofSource: evidence?.source, timestamp: undefined, timeEvidenceField: evidence?.field };
    if (!evidence || !signer) {
      if (sigTsProblems.length) reasons.push(`the signature timestamp is not valid: ${sigTsProblems.join("; ")}`);
      const invalidDocTs = later.filter((x) => !x.t.valid);
      for (const x of invalidDocTs) reasons.push(`the document timestamp "${x.s.field}" is not valid: ${x.t.problems.join("; ")}`);
      if (!sigTsProblems.length && !invalidDocTs.length) reasons.push("no signature timestamp and no document timestamp covering the signature");
      return out;
    }
    out.level = "B-T";
    // B-LT: validation data in the final DSS.
    const lt = (data: DssContent): string[] => [
      ...missingValidationData("signer", signer, evidence!.time, data, s.info.certificates, anchors, pool),
      ...missingValidationData("time-stamp authority", evidence!.tsa, evidence!.time, data, evidence!.tsaCerts, anchors, pool),
    ];
    const ltProblems = lt(finalDss);
    if (ltProblems.length) {
      reasons.push(...(finalDss.certs.length + finalDss.ocsps.length + finalDss.crls.length === 0 ? ["the document has no DSS (validation data)"] : ltProblems));
      return out;
    }
    out.level = "B-LT";
    // B-LTA: a valid document timestamp after the time evidence, over a revision whose DSS already had all of it.
    const candidates = docTs.filter((x) => x.s.end > evidence!.end);
    const archive = candidates.find((x) => x.t.valid && lt(dssCovered(x.s.end)).length === 0);
    if (!archive) {
      const invalid = candidates.find((x) => !x.t.valid);
      if (invalid) reasons.push(`the document timestamp "${invalid.s.field}" is not valid: ${invalid.t.problems.join("; ")}`);
      else {
        const asEvidence = evidence.field ? ` (the document timestamp "${evidence.field}" is the signature's B-T time evidence, not an archive timestamp)` : "";
        const short = candidates.find((x) => x.t.valid);
        reasons.push(
          short
            ? `no document timestamp (archive timestamp) after a DSS holding all the validation data: the one "${short.s.field}" covers lacks it (${lt(dssCovered(short.s.end)).join("; ")})`
            : `no document timestamp (archive timestamp) after the DSS that holds the validation data${asEvidence}`,
        );
      }
      return out;
    }
    out.level = "B-LTA";
    out.archiveTimestampField = archive.s.field;
    return out;
  });
}
