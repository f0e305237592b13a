import { createHash } from "node:crypto";
import { bytesEqual, digest, nodeDigestName, type DigestAlgorithm } from "@kyso/core";
import { berToDer, buildChain, isSelfIssued, readSignedDataInfo, type SignedDataInfo } from "@kyso/cms";
import { PdfString, listSignatureFields, readDss, readerAtRevision, type DssContent, type PdfReader } from "@kyso/pdf";
import { parseCertificateDer } from "../x509.js";
import { offlineStatus } from "./revocation.js";
import { validateTimestamp, type TimestampFinding } from "./timestamp.js";

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
}

interface Sig {
  field: string;
  byteRange: number[];
  end: number;
  isDocTimeStamp: boolean;
  info: SignedDataInfo;
  der: Uint8Array;
}

const name = (c: Uint8Array): string => {
  try {
    return parseCertificateDer(c).commonName ?? "certificate";
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

function digestRanges(reader: PdfReader, br: number[], alg: DigestAlgorithm): Uint8Array {
  const h = createHash(nodeDigestName(alg));
  for (const [start, len] of [[br[0], br[1]], [br[2], br[3]]]) {
    for (let p = start; p < start + len; p += 1 << 20) h.update(reader.src.slice(p, Math.min(start + len, p + (1 << 20))));
  }
  return new Uint8Array(h.digest());
}

/** The chain of `cert` to a trust anchor from `pool`, nearest first, or the problem. */
function chainToAnchor(cert: Uint8Array, pool: Uint8Array[], anchors: readonly Uint8Array[]): { path: Uint8Array[]; trusted: boolean } {
  const chain = buildChain(cert, [...pool, ...anchors]);
  const path = [cert, ...chain];
  const top = path[path.length - 1];
  return { path, trusted: isSelfIssued(top) && (anchors.length === 0 || anchors.some((a) => bytesEqual(a, top))) };
}

/**
 * Checks that `data` holds what validating `cert` at `poe` needs (EN 319 142-1 §5.4, B-LT): every
 * certificate of its chain to a trust anchor, and for each one below the anchor revocation evidence
 * that it was not revoked before `poe`. Returns the reasons it does not (empty when it does).
 */
function missingValidationData(role: string, cert: Uint8Array, poe: Date, data: DssContent, cmsCerts: Uint8Array[], anchors: readonly Uint8Array[]): string[] {
  const { path, trusted } = chainToAnchor(cert, [...data.certs, ...cmsCerts], anchors);
  if (!trusted) return [`the ${role}'s chain to a trusted root cannot be built from the embedded certificates`];
  const reasons: string[] = [];
  for (let i = 0; i < path.length - 1; i++) {
    const c = path[i];
    const who = i === 0 ? `the ${role} certificate "${name(c)}"` : `the CA certificate "${name(c)}" (${role}'s chain)`;
    if (i > 0 && !data.certs.some((x) => bytesEqual(x, c)) && !cmsCerts.some((x) => bytesEqual(x, c))) reasons.push(`${who} is not embedded`);
    const st = offlineStatus(c, path[i + 1], data);
    if (st.status === "missing") reasons.push(`no revocation data for ${who}${st.problems.length ? ` (${st.problems.join("; ")})` : ""}`);
    else if (st.status === "revoked" && st.revocationTime && st.revocationTime <= poe) reasons.push(`${who} was revoked on ${st.revocationTime.toISOString()}, before ${poe.toISOString()}`);
  }
  return reasons;
}

/**
 * The PAdES level of every signature of a document, from the document alone (offline):
 * - B-T: a valid signature timestamp, or a valid document timestamp covering the signature
 *   (EN 319 142-1 §6.3 admits either as the time evidence);
 * - B-LT: the DSS holds the signer's and that TSA's chains with revocation evidence for each
 *   certificate below the root, none revoked before the timestamp;
 * - B-LTA: a valid document timestamp covers a revision whose DSS already satisfies B-LT.
 * Certificates may have expired since: the times that count are the timestamps'.
 */
export function analyseLtv(reader: PdfReader, options: { trustAnchors: readonly Uint8Array[] }): LtvFinding[] {
  const anchors = options.trustAnchors;
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
  // Document timestamps, validated once.
  const docTs = sigs
    .filter((s) => s.isDocTimeStamp)
    .map((s) => ({ s, t: validateTimestamp(s.der, (alg) => digestRanges(reader, s.byteRange, alg), anchors, [...finalDss.certs, ...s.info.certificates]) }));

  return sigs.map((s): LtvFinding => {
    const base = { field: s.field, byteRange: s.byteRange, isDocTimeStamp: s.isDocTimeStamp };
    if (s.isDocTimeStamp) {
      const t = docTs.find((x) => x.s === s)!.t;
      return { ...base, level: null, reasons: t.valid ? [] : t.problems, proofOfExistence: t.valid ? t.genTime : undefined, proofSource: undefined, timestamp: t };
    }
    const reasons: string[] = [];
    const signer = s.info.signerCertificate;
    // B-T: the time evidence.
    let evidence: { time: Date; tsa: Uint8Array; source: LtvFinding["proofSource"] } | undefined;
    const sigTsProblems: string[] = [];
    for (const token of s.info.timestampTokens) {
      const t = validateTimestamp(token, (alg) => digest(alg, s.info.signatureValue), anchors, [...finalDss.certs, ...s.info.certificates]);
      if (t.valid && t.genTime && t.tsaCertificate && (!evidence || t.genTime < evidence.time)) evidence = { time: t.genTime, tsa: t.tsaCertificate, source: "signature-timestamp" };
      else if (!t.valid) sigTsProblems.push(...t.problems);
    }
    const covering = docTs.filter((x) => x.s.end > s.end && x.t.valid && x.t.genTime).sort((a, b) => a.t.genTime!.getTime() - b.t.genTime!.getTime());
    if (!evidence && covering.length) evidence = { time: covering[0].t.genTime!, tsa: covering[0].t.tsaCertificate!, source: "document-timestamp" };
    const out: LtvFinding = { ...base, level: "B-B", reasons, proofOfExistence: evidence?.time, proofSource: evidence?.source, timestamp: undefined };
    if (!evidence || !signer) {
      if (sigTsProblems.length) reasons.push(`the signature timestamp is not valid: ${sigTsProblems.join("; ")}`);
      else reasons.push("no signature timestamp (Chữ ký không gắn dấu thời gian) and no document timestamp covering the signature");
      return out;
    }
    out.level = "B-T";
    // B-LT: validation data in the final DSS.
    const lt = (data: DssContent): string[] => [
      ...missingValidationData("signer", signer, evidence!.time, data, s.info.certificates, anchors),
      ...missingValidationData("time-stamp authority", evidence!.tsa, evidence!.time, data, s.info.certificates, anchors),
    ];
    const ltProblems = lt(finalDss);
    if (ltProblems.length) {
      reasons.push(...(finalDss.certs.length + finalDss.ocsps.length + finalDss.crls.length === 0 ? ["the document has no DSS (validation data)"] : ltProblems));
      return out;
    }
    out.level = "B-LT";
    // B-LTA: a valid document timestamp over a revision whose DSS already had all of it.
    const archive = docTs.filter((x) => x.s.end > s.end && x.t.valid).find((x) => lt(dssCovered(x.s.end)).length === 0);
    if (!archive) {
      const invalid = docTs.find((x) => x.s.end > s.end && !x.t.valid);
      reasons.push(invalid ? `the document timestamp "${invalid.s.field}" is not valid: ${invalid.t.problems.join("; ")}` : "no document timestamp (archive timestamp) after the validation data");
      return out;
    }
    out.level = "B-LTA";
    return out;
  });
}
