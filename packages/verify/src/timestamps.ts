import { OIDS, buildPath, checkTimeStampToken, digestOf, parseTstInfo, type Certificate } from "@kyso/cms";
import { fail, type PipelineContext, type SigState } from "./context.js";
import { dssMaterial } from "./dss.js";
import type { SignatureReport } from "./report.js";
import { warn, type TIMESTAMP_PROBLEMS } from "./codes.js";

const EKU_TIMESTAMPING = "1.3.6.1.5.5.7.3.8";
export const NO_TIMESTAMP = "The signature has no timestamp: the signing time is only claimed";

/** Candidates for TSA paths: the token's certificates, the DSS's and the trust store's intermediates. */
function tsaPath(ctx: PipelineContext, tsa: Certificate, tokenCerts: Uint8Array[], at: Date): { trusted: boolean; path: Certificate[] } {
  const candidates = [...ctx.pool.certificates(tokenCerts), ...dssMaterial(ctx).certs, ...ctx.intermediates];
  const r = buildPath(tsa, { candidates, anchors: ctx.anchors, at, timeIsProven: true, now: ctx.now, pool: ctx.pool });
  return { trusted: r.trusted, path: r.path };
}

/**
 * The signature-time-stamp attribute (EN 319 122-1 §5.3; RFC 3161 Appendix A): the imprint over the
 * signature value, the token's own CMS signature (the one check in @kyso/cms), a TSA certificate
 * for time-stamping that chains to a trust anchor. No anchors means no trust: a TSA is never
 * trusted because it names itself. Returns the proven time when the token is good.
 */
export function checkSignatureTimestamp(ctx: PipelineContext, s: SigState): void {
  const r = s.report;
  const si = s.signerInfo;
  if (!si || !s.signer || r.type !== "signature") return;
  const token = si.unsignedAttributes.get(OIDS.timeStampToken)?.[0];
  if (!token) {
    warn(r, "NO_TIMESTAMP", {}, NO_TIMESTAMP);
    return;
  }
  const t = judgeToken(ctx, token.raw, si.signature);
  r.timestamp = t.report;
  if (t.report.valid && t.time) {
    s.timestampTime = t.time;
    s.tsaPath = t.path;
  } else warn(r, "TIMESTAMP_INVALID", { problems: t.problems.join(","), detail: t.report.message }, `The signature timestamp is not valid: ${t.report.message}`);
}

type TimestampProblem = (typeof TIMESTAMP_PROBLEMS)[number];

function judgeToken(ctx: PipelineContext, der: Uint8Array, signatureValue: Uint8Array): { report: NonNullable<SignatureReport["timestamp"]>; time?: Date; path?: Certificate[]; problems: TimestampProblem[] } {
  try {
    const c = checkTimeStampToken(der, { extraCertificates: dssMaterial(ctx).certs.map((x) => x.der), pool: ctx.pool });
    const time = c.genTime;
    const tsa = c.tsa;
    const imprintAlg = c.token.tstInfo.digestAlgorithm;
    const problems = c.problems.map((p) => p.message);
    const codes: TimestampProblem[] = c.problems.map((p) => p.code);
    const problem = (code: TimestampProblem, message: string): void => {
      codes.push(code);
      problems.push(message);
    };
    const ekuReported = c.problems.some((p) => p.code === "TST_NOT_TIMESTAMPING_CERT");
    if (!imprintAlg) problem("TST_IMPRINT_ALGORITHM", "the timestamp's imprint algorithm is not supported");
    else if (Buffer.compare(Buffer.from(c.token.tstInfo.imprint), Buffer.from(digestOf(imprintAlg, signatureValue))) !== 0) problem("TST_OTHER_SIGNATURE", "timestamp is over another signature");
    if (!tsa) return { report: { time: time.toISOString(), valid: false, tsa: null, message: problems.join("; ") || "timestamp authority certificate not found" }, problems: codes.length ? codes : ["TST_TSA_NOT_FOUND"] };
    const chain = tsaPath(ctx, tsa, c.token.certificates, time);
    if (!chain.trusted) problem("TST_TSA_UNTRUSTED", "timestamp authority is not trusted");
    if (!tsa.extendedKeyUsage?.includes(EKU_TIMESTAMPING) && !ekuReported) problem("TST_NOT_TIMESTAMPING_CERT", "the timestamp certificate is not for timestamping");
    const valid = problems.length === 0;
    return {
      report: { time: time.toISOString(), valid, tsa: tsa.subject, message: valid ? `timestamp by "${tsa.commonName ?? tsa.subject}" at ${time.toISOString()}` : problems.join("; ") },
      time,
      path: chain.path,
      problems: codes,
    };
  } catch (e) {
    return { report: { time: "", valid: false, tsa: null, message: `unreadable timestamp token: ${(e as Error).message}` }, problems: ["TST_UNREADABLE"] };
  }
}

/**
 * A document timestamp's own token (ETSI.RFC3161 /Contents): integrity is checked with the byte
 * ranges; here its time, and its TSA's path to an anchor (the TSA is then the "signer").
 */
export function checkDocumentTimestamp(ctx: PipelineContext, s: SigState): void {
  const r = s.report;
  if (r.type !== "timestamp" || !s.cms || !s.signer) return;
  try {
    const tst = parseTstInfo(s.cms.eContent ?? new Uint8Array(0));
    s.timestampTime = tst.genTime;
    const ok = r.integrity && !s.fail.some((f) => f[0] === "TOTAL_FAILED");
    r.timestamp = { time: tst.genTime?.toISOString() ?? "", valid: ok, tsa: s.signer.subject, message: "document timestamp" };
    if (!s.signer.extendedKeyUsage?.includes(EKU_TIMESTAMPING)) {
      r.timestamp.valid = false;
      r.timestamp.message = "the document timestamp's certificate is not for timestamping";
      fail(s, "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE", "DOC_TIMESTAMP_NOT_FOR_TIMESTAMPING", {}, r.timestamp.message);
    }
  } catch (e) {
    fail(s, "TOTAL_FAILED", "FORMAT_FAILURE", "TIMESTAMP_UNREADABLE", { detail: (e as Error).message }, `Unreadable timestamp: ${(e as Error).message}`);
  }
}
