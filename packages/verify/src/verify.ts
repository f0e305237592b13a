import { createHash, type Hash } from "node:crypto";
import { KysoError, decodeOid, systemClock, type Clock, type DigestAlgorithm } from "@kyso/core";
import {
  FileSource, MemorySource, Parser, PdfArray, PdfDict, PdfReader, PdfStream, PdfString, isWhite, listSignatureFields, parsePdfDate,
  type ByteSource, type PdfObject,
} from "@kyso/pdf";
import { verifySignature } from "./algorithms.js";
import { bytesEqual, hex } from "./ber.js";
import { buildChain } from "./chain.js";
import { OIDS, adobeRevocationValues, parseSignedData, parseTstInfo, type SignedData, type SignerInfo } from "./cms.js";
import type { Change } from "./modifications.js";
import { analyseModifications } from "./modification-check.js";
import type { Check, FileReport, Indication, SignatureReport, SubIndication, CertificateSummary } from "./report.js";
import { RevocationCache, fetchRevocationStatus, revocationStatus, type RevocationFetcher, type RevocationFinding, type RevocationMode, type RevocationSources } from "./revocation.js";
import { parseCertificateDer, type Certificate } from "./x509.js";
import { analyseLtv, type LtvFinding } from "./ltv/index.js";

export interface VerifyOptions {
  /** Trust anchors (DER certificates). */
  trustAnchors?: Uint8Array[];
  revocation?: RevocationMode;
  /** Fetcher for --revocation online (required for that mode). */
  fetcher?: RevocationFetcher;
  cache?: RevocationCache;
  clock?: Clock;
  /** Largest decoded stream (object and xref streams) accepted. */
  maxDecodedStream?: number;
}

export type VerifyInput = { path: string; name?: string } | { bytes: Uint8Array; name: string };

interface Located {
  field: string;
  num: number;
  /** Offset of "N G obj", -1 when inside an object stream. */
  offset: number;
  dict: PdfDict;
}

const CHUNK = 1 << 20;

function summary(c: Certificate): CertificateSummary {
  return {
    commonName: c.commonName ?? null,
    organization: c.organization ?? null,
    subject: c.subject,
    serialNumber: c.serialHex,
    issuer: c.issuer,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    sha256: c.sha256,
  };
}

function text(o: PdfObject | undefined): string | null {
  return o instanceof PdfString ? o.asText() : null;
}

const anchorCache = new WeakMap<Uint8Array[], Certificate[]>();
function parseAnchors(list: Uint8Array[] | undefined): Certificate[] {
  if (!list) return [];
  let c = anchorCache.get(list);
  if (!c) {
    c = [];
    for (const der of list) {
      try {
        c.push(parseCertificateDer(der));
      } catch {
        /* an unreadable anchor is ignored (the CLI reports it when loading) */
      }
    }
    anchorCache.set(list, c);
  }
  return c;
}

const sharedCache = new RevocationCache();

/**
 * Verifies every signature in a PDF: locate -> byte ranges -> integrity -> CMS -> chain ->
 * revocation -> timestamp -> modifications (ETSI EN 319 102-1, EN 319 142-1, ISO 32000-1 §12.8).
 * A bad document yields a report; this throws only on misuse or bugs.
 */
export async function verifyPdf(input: VerifyInput, options: VerifyOptions = {}): Promise<FileReport> {
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  const name = "path" in input ? (input.name ?? input.path) : input.name;
  let src: ByteSource;
  if ("path" in input) {
    try {
      src = new FileSource(input.path);
    } catch (e) {
      throw new KysoError("FILE_UNREADABLE", `Cannot read ${input.path}: ${(e as Error).message}`, { cause: e });
    }
  } else src = new MemorySource(input.bytes);
  try {
    return await verifySource(src, name, options, now);
  } finally {
    src.close();
  }
}

function fileFailure(name: string, src: ByteSource, now: Date, reason: string, indication: FileReport["indication"], sub: SubIndication | null): FileReport {
  const h = createHash("sha256");
  for (let p = 0; p < src.length; p += CHUNK) h.update(src.slice(p, Math.min(src.length, p + CHUNK)));
  return { file: name, sha256: h.digest("hex"), size: src.length, indication, subIndication: sub, reasons: [reason], revisions: 0, signatures: [], warnings: [], validationTime: now.toISOString() };
}

async function verifySource(src: ByteSource, name: string, options: VerifyOptions, now: Date): Promise<FileReport> {
  let reader: PdfReader;
  try {
    reader = PdfReader.fromSource(src, { maxDecodedStream: options.maxDecodedStream ?? 64 * 1024 * 1024 });
  } catch (e) {
    if (!(e instanceof KysoError)) throw e;
    const noPdf = e.code === "PDF_NOT_PDF";
    return fileFailure(name, src, now, noPdf ? `Not a PDF file: ${e.message}` : `The PDF cannot be read: ${e.message}`, noPdf ? "NO_SIGNATURE" : "INDETERMINATE", noPdf ? null : "FORMAT_FAILURE");
  }
  const warnings = [...reader.warnings];
  // Revision ends, oldest first. A repaired reader has no trustworthy revisions.
  const ends = reader.repaired ? [] : [...new Set(reader.sections.map((s) => s.end).filter((e) => e > 0))].sort((a, b) => a - b);
  let located: Located[] = [];
  try {
    located = locateSignatures(reader);
  } catch (e) {
    if (!(e instanceof KysoError)) throw e;
    warnings.push(`signatures could not all be located: ${e.message}`);
  }
  let trailing = 0;
  const lastEnd = ends[ends.length - 1] ?? src.length;
  if (lastEnd < src.length) {
    const tail = src.slice(lastEnd, src.length);
    if (!tail.every((b) => isWhite(b))) trailing = src.length - lastEnd;
  }

  const ctx: PipelineContext = {
    reader, src, ends, now, options, anchors: parseAnchors(options.trustAnchors), trailing,
    revisionReaders: new Map(), changes: new Map(), located,
  };
  // --- LTV (issue 7): levels and document-timestamp evidence, offline from the document.
  try {
    ctx.ltv = reader.repaired ? [] : analyseLtv(reader, { trustAnchors: options.trustAnchors ?? [] });
  } catch (e) {
    warnings.push(`long-term validation data could not be analysed: ${(e as Error).message}`);
  }
  // --- end LTV
  const states = located.map((l) => prepareSignature(ctx, l));
  // One pass over the file: the file's SHA-256 and every signature's digest over its byte ranges.
  // A SHA-256 signature's first range [0, a) is a prefix of the file, so its digest starts as a copy
  // of the file hash's state at a and then takes only its second range: the bytes are hashed once.
  const fileHash = createHash("sha256");
  const hashers = states.flatMap((s) => {
    if (!s.ranges || !s.digestAlgorithm) return [];
    const fork = s.digestAlgorithm === "SHA-256" ? s.ranges[0][1] : undefined;
    return [{ s, fork, h: fork === undefined ? (createHash(s.digestAlgorithm.replace("-", "").toLowerCase()) as Hash) : undefined }];
  });
  const forks = hashers.filter((x) => x.fork !== undefined).sort((x, y) => x.fork! - y.fork!);
  let nextFork = 0;
  // A file is read through one reused buffer: a 100 MB document costs 1 MB of memory here.
  const buffer = src instanceof FileSource && src.length > CHUNK ? new Uint8Array(CHUNK) : undefined;
  for (let p = 0; p < src.length; p += CHUNK) {
    const end = Math.min(src.length, p + CHUNK);
    const chunk = buffer && src instanceof FileSource && src.readInto(p, buffer.subarray(0, end - p)) === end - p ? buffer.subarray(0, end - p) : src.slice(p, end);
    let q = p;
    for (; nextFork < forks.length && forks[nextFork].fork! <= end; nextFork++) {
      const x = forks[nextFork];
      if (x.fork! > q) fileHash.update(chunk.subarray(q - p, x.fork! - p));
      q = Math.max(q, x.fork!);
      x.h = fileHash.copy();
    }
    if (q < end) fileHash.update(chunk.subarray(q - p));
    for (const x of hashers) {
      if (!x.h) continue;
      for (const [i, [a, b]] of x.s.ranges!.entries()) {
        if (i === 0 && x.fork !== undefined) continue;
        const lo = Math.max(a, p);
        const hi = Math.min(b, end);
        if (lo < hi) x.h.update(chunk.subarray(lo - p, hi - p));
      }
    }
  }
  for (const x of hashers) if (x.h) x.s.computedDigest = new Uint8Array(x.h.digest());
  const signatures: SignatureReport[] = [];
  for (const s of states) signatures.push(await finishSignature(ctx, s));

  const report: FileReport = {
    file: name,
    sha256: fileHash.digest("hex"),
    size: src.length,
    indication: "NO_SIGNATURE",
    subIndication: null,
    reasons: [],
    revisions: reader.repaired ? 1 : reader.sections.length,
    signatures,
    warnings,
    validationTime: now.toISOString(),
  };
  if (signatures.length === 0 && (reader.repaired || warnings.some((w) => w.startsWith("signatures could not"))) && new Parser(src, 0).findKeyword("/ByteRange", 0) >= 0) {
    // Something signature-like is there but cannot be read: never "no signature", never a pass.
    report.indication = "INDETERMINATE";
    report.subIndication = "FORMAT_FAILURE";
    report.reasons.push("The file's structure is damaged and the signature in it cannot be read (it may have been tampered with)");
    return report;
  }
  if (signatures.length === 0) {
    report.reasons.push(reader.repaired ? "No signature found (the file's structure is damaged)" : "The document carries no signature");
    return report;
  }
  const failed = signatures.find((s) => s.indication === "TOTAL_FAILED");
  const indeterminate = signatures.find((s) => s.indication === "INDETERMINATE");
  const worst = failed ?? indeterminate;
  report.indication = worst ? worst.indication : "TOTAL_PASSED";
  report.subIndication = worst ? worst.subIndication : null;
  for (const s of signatures) if (s.indication !== "TOTAL_PASSED") report.reasons.push(`${s.field}: ${s.reasons[0] ?? s.subIndication}`);
  if (!worst) report.reasons.push(signatures.length === 1 ? "The signature is valid" : `All ${signatures.length} signatures are valid`);
  return report;
}

interface PipelineContext {
  reader: PdfReader;
  src: ByteSource;
  ends: number[];
  now: Date;
  options: VerifyOptions;
  anchors: Certificate[];
  trailing: number;
  revisionReaders: Map<number, PdfReader | Error>;
  changes: Map<number, Change[]>;
  /** Every signature dictionary of the document (located once). */
  located: Located[];
  /** LTV (issue 7): timestamps, DSS and PAdES levels of the document's signatures. */
  ltv?: LtvFinding[];
}

/** Every signature dictionary: AcroForm signature fields, then any other in any revision. */
function locateSignatures(reader: PdfReader): Located[] {
  const out: Located[] = [];
  const seen = new Set<string>();
  const add = (field: string, num: number, offset: number, dict: PdfDict): void => {
    const key = `${num}@${offset}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ field, num, offset, dict });
  };
  for (const f of listSignatureFields(reader)) {
    const v = f.value;
    const d = reader.dict(v);
    if (!d || !(v instanceof Object) || !("num" in (v as object))) {
      if (d) add(f.name, -1, -1, d);
      continue;
    }
    const num = (v as { num: number }).num;
    const e = reader.entry(num);
    add(f.name, num, e?.type === 1 ? e.offset : -1, d);
  }
  // Signature dictionaries that no field shows (hidden, or replaced in a later revision).
  const sections = reader.repaired ? [] : reader.sections;
  for (const s of sections) {
    for (const [num, e] of s.entries) {
      if (e.type !== 1 || seen.has(`${num}@${e.offset}`)) continue;
      // Only what could be a signature dictionary is parsed (not every page): its /Type /Sig or
      // /DocTimeStamp, or /ByteRange; a '#' may spell a name in escapes, so it is parsed too.
      const h = reader.src.slice(e.offset, e.offset + 4096);
      const head = Buffer.from(h.buffer, h.byteOffset, h.byteLength);
      if (head.indexOf("/ByteRange") < 0 && head.indexOf("/Sig") < 0 && head.indexOf("/DocTimeStamp") < 0 && head.indexOf("#") < 0) continue;
      let o: PdfObject;
      try {
        o = reader.parseAt(num, e.offset);
      } catch {
        continue;
      }
      const d = o instanceof PdfDict ? o : undefined;
      if (!d) continue;
      const t = d.getName("Type");
      if (t === "Sig" || t === "DocTimeStamp" || (d.has("ByteRange") && d.has("Filter"))) add(`(no field: object ${num})`, num, e.offset, d);
    }
  }
  return out;
}

interface SigState {
  loc: Located;
  report: SignatureReport;
  fail: [Indication, SubIndication, string][];
  ranges?: [number, number][];
  digestAlgorithm?: DigestAlgorithm;
  computedDigest?: Uint8Array;
  cms?: SignedData;
  signerInfo?: SignerInfo;
  der?: Uint8Array;
  coveredEnd?: number;
}

function check(s: SigState, step: string, ok: boolean, message: string): void {
  s.report.checks.push({ step, ok, message } satisfies Check);
}

function prepareSignature(ctx: PipelineContext, loc: Located): SigState {
  const d = loc.dict;
  const subFilter = d.getName("SubFilter") ?? null;
  const isTs = subFilter === "ETSI.RFC3161" || d.getName("Type") === "DocTimeStamp";
  const report: SignatureReport = {
    field: loc.field,
    type: isTs ? "timestamp" : "signature",
    subFilter,
    indication: "TOTAL_PASSED",
    subIndication: null,
    reasons: [],
    signer: null,
    signingTime: null,
    timeSource: "none",
    claimedTime: null,
    reason: text(d.get("Reason")),
    location: text(d.get("Location")),
    digestAlgorithm: null,
    signatureAlgorithm: null,
    byteRange: null,
    integrity: false,
    coverage: "NONE",
    revision: null,
    modifications: { permission: "default", certification: false, level: "none", allowed: true, changes: [] },
    chain: { trusted: false, path: [] },
    revocation: { mode: ctx.options.revocation ?? "embedded", status: "not-checked", message: "not checked" },
    timestamp: null,
    level: null,
    levelReasons: [],
    checks: [],
    warnings: [],
  };
  const s: SigState = { loc, report, fail: [] };
  const m = text(d.get("M"));
  const claimed = m ? parsePdfDate(m) : undefined;
  if (claimed) report.claimedTime = claimed.toISOString();

  // 1. Byte ranges (ISO 32000-1 §12.8.1; EN 319 142-1 §5.1 b: the whole file but /Contents).
  const brFail = (msg: string): SigState => {
    check(s, "byte-range", false, msg);
    s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", msg]);
    return s;
  };
  const knownFilter = subFilter === "ETSI.CAdES.detached" || subFilter === "adbe.pkcs7.detached" || subFilter === "ETSI.RFC3161";
  if (!knownFilter) return brFail(`Unsupported signature format /SubFilter ${subFilter ?? "(missing)"}`);
  const brObj = ctx.reader.resolve(d.get("ByteRange"));
  const br = brObj instanceof PdfArray ? brObj.items.map((x) => ctx.reader.resolve(x)) : [];
  if (br.length !== 4 || !br.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0))
    return brFail("The /ByteRange is missing or is not four non-negative integers (universal signature forgery)");
  const [a, la, b, lb] = br as number[];
  report.byteRange = [a, la, b, lb];
  const len = ctx.src.length;
  if (a !== 0) return brFail("The signed bytes do not start at the beginning of the file");
  if (la <= 0 || b <= la || b + lb > len || lb < 0) return brFail(`The /ByteRange [${br.join(" ")}] is degenerate or outside the file (${len} bytes)`);
  const contents = ctx.reader.resolve(d.get("Contents"));
  if (!(contents instanceof PdfString) || contents.bytes.length === 0 || contents.bytes.every((x) => x === 0))
    return brFail("The signature value (/Contents) is missing or empty (universal signature forgery)");
  const gap = Buffer.from(ctx.src.slice(la, b)).toString("latin1");
  if (!/^<[0-9A-Fa-f]*>$/.test(gap)) return brFail("The uncovered gap of the byte range is not exactly one hex string (signature wrapping)");
  const gapBytes = Buffer.from(gap.slice(1, -1), "hex");
  if (!gapBytes.equals(Buffer.from(contents.bytes))) return brFail("The uncovered gap is not this signature's /Contents (signature wrapping)");
  // The gap must be this dictionary's /Contents value, inside this object's own bytes.
  if (loc.offset < 0) return brFail("The signature dictionary is inside an object stream, so its /Contents cannot be the uncovered gap");
  let objEnd = -1;
  try {
    const p = new Parser(ctx.src, loc.offset);
    p.parseIndirect();
    objEnd = p.pos;
  } catch {
    objEnd = -1;
  }
  const before = Buffer.from(ctx.src.slice(Math.max(loc.offset, la - 64), la)).toString("latin1").trimEnd();
  if (!(loc.offset < la && objEnd >= b) || !before.endsWith("/Contents"))
    return brFail("The uncovered gap is not the /Contents of the signature dictionary (signature wrapping)");
  const coveredEnd = b + lb;
  s.coveredEnd = coveredEnd;
  let revIndex = ctx.ends.indexOf(coveredEnd);
  if (revIndex < 0 && Buffer.from(ctx.src.slice(Math.max(0, coveredEnd - 5), coveredEnd)).toString("latin1") === "%%EOF") {
    // A revision signed up to its "%%EOF" without the end-of-line (as @signpdf writes it): the EOL a
    // later update puts first is the only uncovered byte, and whitespace (ISO 32000-1 §7.5.5).
    revIndex = ctx.ends.findIndex((e) => e > coveredEnd && e - coveredEnd <= 2 && ctx.src.slice(coveredEnd, e).every((x) => x === 0x0a || x === 0x0d));
    if (revIndex >= 0) s.coveredEnd = ctx.ends[revIndex];
  }
  if (revIndex < 0) return brFail(`The signed bytes end at ${coveredEnd}, which is not the end of a revision of the file`);
  const prevEnd = revIndex > 0 ? ctx.ends[revIndex - 1] : 0;
  if (!(loc.offset >= prevEnd && loc.offset < coveredEnd)) return brFail("The signature dictionary does not belong to the revision its byte range covers (signature wrapping)");
  report.revision = revIndex + 1;
  const isLast = revIndex === ctx.ends.length - 1 && ctx.trailing === 0;
  report.coverage = isLast ? "ENTIRE_FILE" : "ENTIRE_REVISION";
  s.ranges = [[0, la], [b, b + lb]];
  check(s, "byte-range", true, isLast ? "The signature covers the whole file except its own value" : `The signature covers revision ${revIndex + 1} of ${ctx.ends.length}; later revisions are analysed below`);

  // 3 (parsing part). The CMS: needed now for the digest algorithm.
  s.der = contents.bytes;
  try {
    s.cms = parseSignedData(s.der);
  } catch (e) {
    s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", `The signature value is not a CMS SignedData: ${(e as Error).message}`]);
    check(s, "cms", false, `CMS unreadable: ${(e as Error).message}`);
    return s;
  }
  const si = s.cms.signerInfos[0];
  if (!si || s.cms.signerInfos.length !== 1) {
    s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", `The CMS has ${s.cms.signerInfos.length} signers; exactly one is expected`]);
    check(s, "cms", false, "not exactly one SignerInfo");
    return s;
  }
  s.signerInfo = si;
  if (isTs) {
    try {
      const tst = parseTstInfo(s.cms.eContent ?? new Uint8Array(0));
      s.digestAlgorithm = tst.imprintAlgorithm;
    } catch {
      s.digestAlgorithm = undefined;
    }
  } else s.digestAlgorithm = si.digestAlgorithm;
  if (!s.digestAlgorithm) {
    s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", `Unsupported digest algorithm ${si.digestAlgorithmOid}`]);
    s.ranges = undefined;
  } else report.digestAlgorithm = s.digestAlgorithm;
  return s;
}

async function finishSignature(ctx: PipelineContext, s: SigState): Promise<SignatureReport> {
  const r = s.report;
  const si = s.signerInfo;
  const cms = s.cms;
  let signer: Certificate | undefined;
  let tsTime: Date | undefined;
  if (si && cms && s.computedDigest) {
    // 2. Integrity.
    let expected: Uint8Array | undefined;
    if (r.type === "timestamp") {
      try {
        expected = parseTstInfo(cms.eContent ?? new Uint8Array(0)).imprint;
      } catch {
        expected = undefined;
      }
    } else {
      const md = si.attributes.get(OIDS.messageDigest)?.[0];
      expected = md?.value;
      if (cms.eContent !== undefined) {
        s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", "The CMS encapsulates content; a PDF signature must be detached"]);
      }
      if (!si.signedAttributes) s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", "The CMS has no signed attributes"]);
    }
    r.integrity = !!expected && bytesEqual(expected, s.computedDigest);
    check(s, "integrity", r.integrity, r.integrity ? `${s.digestAlgorithm} digest of the signed bytes matches` : "The document was changed after signing: the digest of the signed bytes does not match");
    if (!r.integrity) s.fail.push(["TOTAL_FAILED", "HASH_FAILURE", "The document was changed after signing (the digest of the signed bytes does not match the signed one)"]);
    if (s.digestAlgorithm === "SHA-1") r.warnings.push("SHA-1 is a weak digest algorithm");

    // 3. The CMS signature and the signer certificate.
    const certs: Certificate[] = [];
    for (const der of cms.certificates) {
      try {
        certs.push(parseCertificateDer(der));
      } catch {
        r.warnings.push("an unreadable certificate in the CMS was ignored");
      }
    }
    signer = certs.find((c) =>
      si.sid.subjectKeyId ? c.subjectKeyId === si.sid.subjectKeyId : !!si.sid.issuerDer && bytesEqual(c.issuerDer, si.sid.issuerDer) && c.serialHex === si.sid.serialHex,
    );
    if (!signer) {
      s.fail.push(["INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", "The signer's certificate is not in the signature"]);
      check(s, "cms", false, "signer certificate not found");
    } else {
      r.signer = summary(signer);
      const signedBytes = si.signedAttributes ?? new Uint8Array(0);
      const v = verifySignature(si.signatureAlgorithm, si.digestAlgorithm, signer.publicKey, signedBytes, si.signature);
      r.signatureAlgorithm = v.algorithm;
      check(s, "cms", v.ok, v.ok ? `${v.algorithm} signature verifies with the signer's public key` : `The signature does not verify with the certificate's key${v.error ? ` (${v.error})` : ""}`);
      if (!v.ok) s.fail.push(["TOTAL_FAILED", "SIG_CRYPTO_FAILURE", "The signature was not made with the key of the certificate it names"]);
      // ESS signing-certificate(-v2) (RFC 5035): binds the certificate to the signature.
      const v2 = si.attributes.get(OIDS.signingCertificateV2)?.[0];
      const v1 = si.attributes.get(OIDS.signingCertificate)?.[0];
      if (v2 || v1) {
        const ids = (v2 ?? v1)!.children[0]?.children ?? [];
        const ok = ids.some((id) => {
          const first = id.children[0];
          let alg = v2 ? "sha256" : "sha1";
          let hashNode = first;
          if (v2 && first?.tag === 0x30) {
            const oid = first.children[0];
            alg = ({ "2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512", "1.3.14.3.2.26": "sha1" } as Record<string, string>)[
              oid ? Buffer.from(oid.value).toString("hex") && decodeOid(oid.value) : ""
            ] ?? "sha256";
            hashNode = id.children[1];
          }
          return !!hashNode && bytesEqual(hashNode.value, createHash(alg).update(signer!.der).digest());
        });
        check(s, "cms", ok, ok ? "signing-certificate attribute matches the signer certificate" : "signing-certificate attribute does not match the signer certificate");
        if (!ok) s.fail.push(["TOTAL_FAILED", "SIG_CRYPTO_FAILURE", "The signing-certificate attribute names another certificate"]);
      } else if (r.subFilter === "ETSI.CAdES.detached") {
        r.warnings.push("PAdES signature without a signing-certificate-v2 attribute");
      }
      const ct = si.attributes.get(OIDS.contentType)?.[0];
      if (ct && r.type === "signature" && Buffer.from(ct.value).toString("hex") !== "2a864886f70d010701") s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", "The content-type attribute is not id-data"]);
    }

    // Timestamps: the signature-time-stamp attribute (or the document timestamp itself).
    if (r.type === "timestamp" && signer) {
      try {
        const tst = parseTstInfo(cms.eContent ?? new Uint8Array(0));
        const md = si.attributes.get(OIDS.messageDigest)?.[0]?.value;
        const ok = !!md && !!si.digestAlgorithm && bytesEqual(md, createHash(si.digestAlgorithm.replace("-", "").toLowerCase()).update(cms.eContent ?? new Uint8Array(0)).digest());
        if (!ok) s.fail.push(["TOTAL_FAILED", "HASH_FAILURE", "The timestamp token's content does not match its signed digest"]);
        tsTime = tst.genTime;
        r.timestamp = { time: tst.genTime?.toISOString() ?? "", valid: ok, tsa: signer.subject, message: "document timestamp" };
      } catch (e) {
        s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", `Unreadable timestamp: ${(e as Error).message}`]);
      }
    } else if (signer) {
      const token = si.unsignedAttributes.get(OIDS.timeStampToken)?.[0];
      if (token) {
        const t = checkTimestampToken(token.raw, si.signature, ctx);
        r.timestamp = t;
        if (t.valid) tsTime = new Date(t.time);
        else r.warnings.push(`The signature timestamp is not valid: ${t.message}`);
      } else r.warnings.push("The signature has no timestamp (Chữ ký không gắn dấu thời gian): the signing time is only claimed");
    }
  }

  // --- LTV (issue 7): a document timestamp covering the signature proves its time too (EN 319 142-1 §6.3).
  const ltv = r.byteRange ? ctx.ltv?.find((f) => f.byteRange.join(" ") === r.byteRange!.join(" ")) : undefined;
  if (!tsTime && ltv?.proofSource === "document-timestamp" && ltv.proofOfExistence) {
    tsTime = ltv.proofOfExistence;
    r.warnings = r.warnings.filter((w) => !w.startsWith("The signature has no timestamp"));
    r.warnings.push(`No signature timestamp; a document timestamp proves the signature existed at ${tsTime.toISOString()}`);
  }
  if (r.type === "timestamp" && ltv?.timestamp && !ltv.timestamp.valid && r.timestamp) {
    r.timestamp.valid = false;
    r.timestamp.message = `document timestamp not valid: ${ltv.timestamp.problems.join("; ")}`;
    r.warnings.push(r.timestamp.message);
  }
  // --- end LTV

  // Signing time: proven by a timestamp, else claimed.
  const claimedSigning = r.claimedTime ? new Date(r.claimedTime) : signingTimeAttr(si);
  const at = tsTime ?? claimedSigning ?? ctx.now;
  r.signingTime = tsTime?.toISOString() ?? claimedSigning?.toISOString() ?? null;
  r.timeSource = tsTime ? "timestamp" : claimedSigning ? "claimed" : "none";
  if (claimedSigning && !r.claimedTime) r.claimedTime = claimedSigning.toISOString();

  // 4. Chain.
  if (signer && cms) {
    const pool: Certificate[] = [];
    for (const der of cms.certificates) {
      try {
        pool.push(parseCertificateDer(der));
      } catch {
        /* reported above */
      }
    }
    const dss = dssMaterial(ctx);
    pool.push(...dss.certs);
    const chain = buildChain(signer, pool, ctx.anchors, at, !!tsTime, ctx.now);
    r.chain = { trusted: chain.trusted, path: chain.path.map(summary) };
    check(s, "chain", chain.problems.length === 0, chain.problems.length === 0 ? `Chain to trusted root "${chain.path[chain.path.length - 1].subject}"` : chain.problems.map((p) => p.message).join("; "));
    for (const p of chain.problems) {
      const total = p.code === "EXPIRED" || p.code === "NOT_YET_VALID" ? (tsTime || r.timeSource === "claimed" ? "TOTAL_FAILED" : "INDETERMINATE") : "INDETERMINATE";
      s.fail.push([p.code === "EXPIRED" && !tsTime ? "TOTAL_FAILED" : total, p.code, p.message]);
    }

    // 5. Revocation.
    const mode = ctx.options.revocation ?? "embedded";
    r.revocation = { mode, ...(await checkRevocation(ctx, chain.path, chain.trusted, cms, si!, mode, dss)) };
    check(s, "revocation", r.revocation.status === "good" || r.revocation.status === "not-checked" || r.revocation.status === "no-information", r.revocation.message);
    if (r.revocation.status === "revoked") {
      const rt = r.revocation.revocationTime ? new Date(r.revocation.revocationTime) : undefined;
      if (!rt || rt <= at) s.fail.push(["TOTAL_FAILED", "REVOKED", `The signer's certificate was revoked${rt ? ` on ${rt.toISOString()}` : ""}${r.revocation.reason ? ` (${r.revocation.reason})` : ""}, before the signing time`]);
      else if (!tsTime) s.fail.push(["INDETERMINATE", "REVOKED_NO_POE", `The signer's certificate was revoked on ${rt.toISOString()} and no timestamp proves the signature is older`]);
    } else if (r.revocation.status === "unknown" && mode === "online") {
      s.fail.push(["INDETERMINATE", "TRY_LATER", r.revocation.message]);
    } else if (r.revocation.status === "no-information" || r.revocation.status === "not-checked") {
      r.warnings.push(r.revocation.message);
    }
  }

  // 6. Modifications after the covered revision.
  if (s.coveredEnd !== undefined && r.revision !== null) analyseModifications(ctx, s);

  // Verdict: the first TOTAL_FAILED, else the first INDETERMINATE.
  const order = (x: Indication): number => (x === "TOTAL_FAILED" ? 0 : 1);
  const sorted = [...s.fail].sort((x, y) => order(x[0]) - order(y[0]));
  if (sorted.length > 0) {
    r.indication = sorted[0][0];
    r.subIndication = sorted[0][1];
    r.reasons = [...new Set(sorted.map((f) => f[2]))];
  } else {
    r.reasons = [r.coverage === "ENTIRE_FILE" ? "The signature is valid and covers the whole document" : "The signature is valid; later changes are allowed ones"];
  }
  // --- LTV (issue 7): the PAdES level, only for signatures that do not fail.
  if (ltv && r.type === "signature") {
    r.level = r.indication === "TOTAL_FAILED" ? null : ltv.level;
    r.levelReasons = r.indication === "TOTAL_FAILED" ? ["the signature is not valid"] : ltv.reasons;
  }
  // --- end LTV
  return r;
}

function signingTimeAttr(si: SignerInfo | undefined): Date | undefined {
  const n = si?.attributes.get(OIDS.signingTime)?.[0];
  if (!n) return undefined;
  const s = Buffer.from(n.value).toString("latin1");
  const m = /^(\d{2,4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?/.exec(s);
  if (!m) return undefined;
  let y = Number(m[1]);
  if (m[1].length === 2) y += y < 50 ? 2000 : 1900;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

/** RFC 3161 token over the signature value (EN 319 122-1 signature-time-stamp). */
function checkTimestampToken(der: Uint8Array, signatureValue: Uint8Array, ctx: PipelineContext): NonNullable<SignatureReport["timestamp"]> {
  try {
    const token = parseSignedData(der);
    if (token.eContentType !== OIDS.tstInfo || !token.eContent) return { time: "", valid: false, tsa: null, message: "not a timestamp token" };
    const tst = parseTstInfo(token.eContent);
    const si = token.signerInfos[0];
    const certs = token.certificates.map(parseCertificateDer);
    const tsa = certs.find((c) => (si.sid.subjectKeyId ? c.subjectKeyId === si.sid.subjectKeyId : !!si.sid.issuerDer && bytesEqual(c.issuerDer, si.sid.issuerDer) && c.serialHex === si.sid.serialHex));
    const time = tst.genTime?.toISOString() ?? "";
    if (!tsa || !si.digestAlgorithm || !tst.imprintAlgorithm) return { time, valid: false, tsa: null, message: "timestamp authority certificate not found" };
    const md = si.attributes.get(OIDS.messageDigest)?.[0]?.value;
    if (!md || !bytesEqual(md, createHash(si.digestAlgorithm.replace("-", "").toLowerCase()).update(token.eContent).digest())) return { time, valid: false, tsa: tsa.subject, message: "timestamp content digest mismatch" };
    if (!verifySignature(si.signatureAlgorithm, si.digestAlgorithm, tsa.publicKey, si.signedAttributes ?? new Uint8Array(0), si.signature).ok) return { time, valid: false, tsa: tsa.subject, message: "timestamp signature does not verify" };
    if (!bytesEqual(tst.imprint, createHash(tst.imprintAlgorithm.replace("-", "").toLowerCase()).update(signatureValue).digest())) return { time, valid: false, tsa: tsa.subject, message: "timestamp is over another signature" };
    const chain = buildChain(tsa, certs, ctx.anchors, tst.genTime ?? ctx.now, true, ctx.now);
    if (!chain.trusted) return { time, valid: false, tsa: tsa.subject, message: "timestamp authority is not trusted" };
    if (!tsa.extendedKeyUsage?.includes("1.3.6.1.5.5.7.3.8")) return { time, valid: false, tsa: tsa.subject, message: "the timestamp certificate is not for timestamping" };
    return { time, valid: true, tsa: tsa.subject, message: `timestamp by "${tsa.commonName ?? tsa.subject}" at ${time}` };
  } catch (e) {
    return { time: "", valid: false, tsa: null, message: `unreadable timestamp token: ${(e as Error).message}` };
  }
}

interface DssMaterial {
  certs: Certificate[];
  crls: Uint8Array[];
  ocsps: Uint8Array[];
}

const dssCache = new WeakMap<PdfReader, DssMaterial>();
/** Certificates, CRLs and OCSP responses of the Document Security Store (EN 319 142-1 §5.4.2). */
function dssMaterial(ctx: PipelineContext): DssMaterial {
  let m = dssCache.get(ctx.reader);
  if (m) return m;
  m = { certs: [], crls: [], ocsps: [] };
  try {
    const dss = ctx.reader.dict(ctx.reader.catalog().get("DSS"));
    const streams = (k: string): Uint8Array[] =>
      (ctx.reader.array(dss?.get(k))?.items ?? []).slice(0, 1000).flatMap((x) => {
        const v = ctx.reader.resolve(x);
        try {
          return v instanceof PdfStream ? [ctx.reader.streamData(v)] : [];
        } catch {
          return [];
        }
      });
    for (const der of streams("Certs")) {
      try {
        m.certs.push(parseCertificateDer(der));
      } catch {
        /* ignored */
      }
    }
    m.crls = streams("CRLs");
    m.ocsps = streams("OCSPs");
  } catch {
    /* no DSS */
  }
  dssCache.set(ctx.reader, m);
  return m;
}

async function checkRevocation(ctx: PipelineContext, path: Certificate[], trusted: boolean, cms: SignedData, si: SignerInfo, mode: RevocationMode, dss: DssMaterial): Promise<RevocationFinding> {
  if (mode === "off") return { status: "not-checked", message: "Revocation was not checked (--revocation off)" };
  if (path.length < 2) return { status: "no-information", message: "No issuer certificate, so revocation cannot be checked" };
  const leaf = path[0];
  const issuer = path[1];
  const sources: RevocationSources = { crls: [], ocsps: [] };
  for (const der of cms.crls) sources.crls.push({ der, origin: "cms" });
  const adbe = adobeRevocationValues(si.attributes.get(OIDS.adbeRevocation));
  for (const der of adbe.crls) sources.crls.push({ der, origin: "cms" });
  for (const der of adbe.ocsps) sources.ocsps.push({ der, origin: "cms" });
  for (const der of dss.crls) sources.crls.push({ der, origin: "dss" });
  for (const der of dss.ocsps) sources.ocsps.push({ der, origin: "dss" });
  if (mode === "online") {
    if (!ctx.options.fetcher) return { status: "unknown", message: "Online revocation checking needs a fetcher" };
    const extraCertificates = [...cms.certificates, ...dss.certs.map((c) => c.der)];
    const online = await fetchRevocationStatus(leaf, issuer, ctx.options.fetcher, ctx.options.cache ?? sharedCache, ctx.now.getTime(), { extraCertificates });
    if (online.finding) return online.finding;
    // Nothing usable online: embedded evidence signed by the CA still counts, and says where it came from.
    const embedded = revocationStatus(leaf, issuer, sources);
    if (embedded) return { ...embedded, message: `${embedded.message} (embedded; online: ${online.errors.join("; ")})` };
    return { status: "unknown", message: `No revocation information could be fetched: ${online.errors.join("; ")}` };
  }
  const found = revocationStatus(leaf, issuer, sources);
  if (found) return found;
  void trusted;
  return { status: "no-information", message: "No revocation information is embedded in the signature or the document (use --revocation online to fetch it)" };
}

export { hex };
