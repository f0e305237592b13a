import { createHash } from "node:crypto";
import { KysoError, systemClock } from "@kyso/core";
import { CertificatePool, type AiaNote, type Certificate, type ChainProblem } from "@kyso/cms";
import { FileSource, MemorySource, Parser, PdfReader, isWhite, type ByteSource } from "@kyso/pdf";
import { MAX_CONTENTS_BYTES, prepareSignature } from "./byte-range.js";
import { pathWithAia } from "./chain-check.js";
import { checkCms } from "./cms-check.js";
import { check, summary, type PipelineContext, type SigState, type VerifyInput, type VerifyOptions } from "./context.js";
import { CHUNK, digestPass } from "./digest-pass.js";
import { dssMaterial } from "./dss.js";
import { analyseLtv } from "./ltv/index.js";
import { locateSignatures } from "./locate.js";
import { analyseModifications } from "./modification-check.js";
import type { FileReport, SignatureReport, SubIndication } from "./report.js";
import { detail, dropWarning, warn, type ReportDetail } from "./codes.js";
import { checkRevocation } from "./revocation-check.js";
import { checkDocumentTimestamp, checkSignatureTimestamp } from "./timestamps.js";
import { decideVerdict, fileVerdict, signingTimeAttribute, weakAlgorithmWarnings } from "./verdict.js";

export type { VerifyInput, VerifyOptions } from "./context.js";

/** Parsed trust anchors per list given (a service passes the same list for every document). */
const anchorCache = new WeakMap<Uint8Array[], Certificate[]>();
function parsed(list: Uint8Array[] | undefined, pool: CertificatePool): Certificate[] {
  if (!list) return [];
  let c = anchorCache.get(list);
  if (!c) {
    c = pool.certificates(list); // an unreadable anchor is ignored (the CLI reports it when loading)
    anchorCache.set(list, c);
  }
  return c;
}

/**
 * Verifies every signature in a PDF: locate -> byte ranges -> integrity and CMS -> timestamps ->
 * chain -> revocation -> modifications -> verdict (ETSI EN 319 102-1, EN 319 142-1, ISO 32000-1
 * §12.8). A bad document yields a report; this throws only on misuse or bugs.
 */
export async function verifyPdf(input: VerifyInput, options: VerifyOptions = {}): Promise<FileReport> {
  const now = options.validationTime ?? (options.clock ?? systemClock).now();
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

function fileFailure(name: string, src: ByteSource, now: Date, reason: ReportDetail, indication: FileReport["indication"], sub: SubIndication | null): FileReport {
  const h = createHash("sha256");
  for (let p = 0; p < src.length; p += CHUNK) h.update(src.slice(p, Math.min(src.length, p + CHUNK)));
  return {
    file: name, sha256: h.digest("hex"), size: src.length, indication, subIndication: sub, reasons: [reason.message], reasonDetails: [reason],
    revisions: 0, signatures: [], warnings: [], warningDetails: [], validationTime: now.toISOString(),
  };
}

async function verifySource(src: ByteSource, name: string, options: VerifyOptions, now: Date): Promise<FileReport> {
  let reader: PdfReader;
  try {
    reader = PdfReader.fromSource(src, { maxDecodedStream: options.maxDecodedStream ?? 64 * 1024 * 1024, maxStringBytes: MAX_CONTENTS_BYTES });
  } catch (e) {
    if (!(e instanceof KysoError)) throw e;
    const noPdf = e.code === "PDF_NOT_PDF";
    const why = noPdf ? detail("NOT_A_PDF", { detail: e.message }, `Not a PDF file: ${e.message}`) : detail("PDF_UNREADABLE", { detail: e.message }, `The PDF cannot be read: ${e.message}`);
    return fileFailure(name, src, now, why, noPdf ? "NO_SIGNATURE" : "INDETERMINATE", noPdf ? null : "FORMAT_FAILURE");
  }
  const fileWarnings = { warnings: [] as string[], warningDetails: [] as ReportDetail[] };
  for (const w of reader.warnings) warn(fileWarnings, "PDF_READER", { detail: w }, w);
  // Revision ends, oldest first. A repaired reader has no trustworthy revisions.
  const ends = reader.repaired ? [] : [...new Set(reader.sections.map((s) => s.end).filter((e) => e > 0))].sort((a, b) => a - b);
  let located: PipelineContext["located"] = [];
  let locateFailed = false;
  try {
    located = locateSignatures(reader);
  } catch (e) {
    if (!(e instanceof KysoError)) throw e;
    locateFailed = true;
    warn(fileWarnings, "SIGNATURES_NOT_LOCATED", { detail: e.message }, `signatures could not all be located: ${e.message}`);
  }
  let trailing = 0;
  const lastEnd = ends[ends.length - 1] ?? src.length;
  if (lastEnd < src.length && !src.slice(lastEnd, src.length).every((b) => isWhite(b))) trailing = src.length - lastEnd;
  const pool = options.pool ?? new CertificatePool();
  const ctx: PipelineContext = {
    reader, src, ends, now, options, pool, trailing, located,
    mode: options.revocation ?? (options.fetcher ? "online" : "embedded"),
    anchors: parsed(options.trustAnchors, pool),
    intermediates: parsed(options.intermediates, pool),
    revisionReaders: new Map(), changes: new Map(),
  };
  try {
    ctx.ltv = reader.repaired ? [] : analyseLtv(reader, { trustAnchors: options.trustAnchors ?? [], pool });
  } catch (e) {
    warn(fileWarnings, "LTV_NOT_ANALYSED", { detail: (e as Error).message }, `long-term validation data could not be analysed: ${(e as Error).message}`);
  }
  const states = located.map((l) => prepareSignature(ctx, l));
  const sha256 = digestPass(src, states);
  const signatures: SignatureReport[] = [];
  for (const s of states) signatures.push(await finishSignature(ctx, s));

  const report: FileReport = {
    file: name, sha256, size: src.length, indication: "NO_SIGNATURE", subIndication: null, reasons: [], reasonDetails: [],
    revisions: reader.repaired ? 1 : reader.sections.length, signatures, ...fileWarnings, validationTime: now.toISOString(), revocationMode: ctx.mode,
  };
  const unreadable = signatures.length === 0 && (reader.repaired || locateFailed) && new Parser(src, 0).findKeyword("/ByteRange", 0) >= 0;
  return fileVerdict(report, unreadable, reader.repaired);
}

/** The concerns in order, on one value describing the signature under test. */
async function finishSignature(ctx: PipelineContext, s: SigState): Promise<SignatureReport> {
  const r = s.report;
  if (s.cms && s.signerInfo && s.computedDigest) {
    checkCms(ctx, s);
    if (r.type === "timestamp") checkDocumentTimestamp(ctx, s);
    else checkSignatureTimestamp(ctx, s);
    for (const w of weakAlgorithmWarnings(s, ctx.now)) {
      r.warnings.push(w.message);
      r.warningDetails!.push(w);
    }
  }
  // A document timestamp covering the signature proves its time too (EN 319 142-1 §6.3).
  const ltv = r.byteRange ? ctx.ltv?.find((f) => f.byteRange.join(" ") === r.byteRange!.join(" ")) : undefined;
  if (!s.timestampTime && r.type === "signature" && ltv?.proofSource === "document-timestamp" && ltv.proofOfExistence) {
    s.timestampTime = ltv.proofOfExistence;
    dropWarning(r, "NO_TIMESTAMP");
    const time = s.timestampTime.toISOString();
    warn(r, "DOC_TIMESTAMP_PROVES_TIME", { proofTime: time }, `No signature timestamp; a document timestamp proves the signature existed at ${time}`);
  }
  if (r.type === "timestamp" && ltv?.timestamp && !ltv.timestamp.valid && r.timestamp) {
    r.timestamp.valid = false;
    r.timestamp.message = `document timestamp not valid: ${ltv.timestamp.problems.join("; ")}`;
    warn(r, "DOC_TIMESTAMP_INVALID", { detail: ltv.timestamp.problems.join("; ") }, r.timestamp.message);
  }

  // Signing time: proven by a timestamp, else only claimed: the signed signingTime attribute (RFC 5652
  // §11.3), else the dictionary's /M. A claim is reported as such, never trusted over a timestamp.
  const attr = signingTimeAttribute(s.signerInfo);
  const claimed = attr ?? (r.claimedTime ? new Date(r.claimedTime) : undefined);
  r.claimedTime = claimed?.toISOString() ?? null;
  if (attr && s.timestampTime && Math.abs(Math.abs(attr.getTime() - s.timestampTime.getTime()) - 7 * 3600_000) < 15 * 60_000)
    warn(r, "SIGNING_TIME_LOCAL_AS_UTC", {}, "The signingTime attribute is 7 hours off the timestamp: local Vietnam time labelled as UTC; the timestamp's time is used");
  const tsTime = s.timestampTime;
  r.signingTime = tsTime?.toISOString() ?? claimed?.toISOString() ?? null;
  r.timeSource = tsTime ? "timestamp" : claimed ? "claimed" : "none";

  if (s.signer && s.cms) {
    // Chain: the CMS's certificates, the DSS's, the trust store's intermediates, then AIA caIssuers.
    const at = tsTime ?? claimed ?? ctx.now;
    // Missing issuers come from AIA caIssuers unless the run is offline (embedded).
    const online = ctx.mode !== "embedded" ? ctx.options.fetcher : undefined;
    const notes: string[] = [];
    const noteDetails: AiaNote[] = [];
    const candidates = [...(s.cmsCertificates ?? []), ...dssMaterial(ctx).certs, ...ctx.intermediates];
    const chain = await pathWithAia(s.signer, at, !!tsTime, { pool: ctx.pool, anchors: ctx.anchors, candidates, now: ctx.now, fetcher: online, cache: ctx.options.cache }, notes, noteDetails);
    r.chain = { trusted: chain.trusted, path: chain.path.map(summary) };
    notes.forEach((n, i) => {
      const d = noteDetails[i];
      if (d?.code === "AIA_ISSUER_FETCH_FAILED") warn(r, d.code, { subject: d.subject, url: d.url, detail: d.detail ?? "" }, n);
      else if (d) warn(r, d.code, { subject: d.subject, url: d.url }, n);
      else warn(r, "AIA_NO_ISSUER", { subject: "", url: "" }, n);
    });
    check(s, "chain", chain.problems.length === 0, chain.problems.length === 0 ? `Chain to trusted root "${chain.path[chain.path.length - 1].subject}"` : chain.problems.map((p) => p.message).join("; "));
    for (const p of chain.problems) {
      const expiry = p.code === "EXPIRED" || p.code === "NOT_YET_VALID";
      const d = chainDetail(p);
      s.fail.push([expiry && (tsTime || r.timeSource === "claimed" || p.code === "EXPIRED") ? "TOTAL_FAILED" : "INDETERMINATE", p.code, p.message, d]);
    }
    await checkRevocation(ctx, s, chain.path, chain.trusted);
  }
  if (s.coveredEnd !== undefined && r.revision !== null) analyseModifications(ctx, s);
  decideVerdict(s);
  if (ltv && r.type === "signature") {
    r.level = r.indication === "TOTAL_FAILED" ? null : ltv.level;
    r.levelReasons = r.indication === "TOTAL_FAILED" ? ["the signature is not valid"] : ltv.reasons;
  }
  return r;
}

/** A chain problem of @kyso/cms as a reason code (codes.ts): which certificate, which rule. */
function chainDetail(p: ChainProblem): ReportDetail {
  const subject = p.subject ?? "";
  const signer = (p.certificate ?? 0) === 0;
  switch (p.code) {
    case "NO_CERTIFICATE_CHAIN_FOUND":
      return detail("CHAIN_NOT_TRUSTED", { subject, issuer: p.issuer ?? "" }, p.message);
    case "NOT_YET_VALID":
      return detail(signer ? "SIGNER_NOT_YET_VALID" : "CA_NOT_YET_VALID", { subject, notBeforeTime: p.time ?? "" }, p.message);
    case "EXPIRED":
      return detail(signer ? "SIGNER_EXPIRED" : "CA_EXPIRED", { subject, notAfterTime: p.time ?? "" }, p.message);
    case "OUT_OF_BOUNDS_NO_POE":
      return detail(signer ? "SIGNER_EXPIRED_NO_POE" : "CA_EXPIRED_NO_POE", { subject, notAfterTime: p.time ?? "" }, p.message);
    case "CHAIN_CONSTRAINTS_FAILURE":
      return detail(p.constraint === "keyUsage" ? "CA_MAY_NOT_SIGN_CERTIFICATES" : p.constraint === "pathLen" ? "CA_PATH_TOO_LONG" : "CA_NOT_A_CA", { subject }, p.message);
    case "SIG_CONSTRAINTS_FAILURE":
      return detail("SIGNER_KEY_USAGE", { subject }, p.message);
  }
}
