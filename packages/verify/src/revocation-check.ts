import { adobeRevocationValues, OIDS, type Certificate } from "@kyso/cms";
import { check, fail, type PipelineContext, type SigState } from "./context.js";
import { dssMaterial } from "./dss.js";
import type { CertificateRevocation } from "./report.js";
import { warn } from "./codes.js";
import { RevocationCache, fetchRevocationStatus, revocationStatus, type RevocationFinding, type RevocationSources } from "./revocation.js";

const memoryCache = new RevocationCache();

/** The CN of a distinguished name as the certificate summaries print it ("CN=x, O=y" -> "x"), else the name. */
function commonName(subject: string): string {
  return /(?:^|,\s*)CN=([^,]+)/.exec(subject)?.[1]?.trim() ?? subject;
}

/** What the document carries: the CMS's CRLs, Adobe's revocation attribute, the DSS (EN 319 142-1 §5.4). */
function embeddedSources(ctx: PipelineContext, s: SigState): RevocationSources {
  const sources: RevocationSources = { crls: [], ocsps: [], certificates: [] };
  const dss = dssMaterial(ctx);
  if (s.cms) {
    for (const der of s.cms.crls) sources.crls.push({ der, origin: "cms" });
    const adbe = adobeRevocationValues(s.signerInfo?.attributes.get(OIDS.adbeRevocation));
    for (const der of adbe.crls) sources.crls.push({ der, origin: "cms" });
    for (const der of adbe.ocsps) sources.ocsps.push({ der, origin: "cms" });
  }
  for (const der of dss.crls) sources.crls.push({ der, origin: "dss" });
  for (const der of dss.ocsps) sources.ocsps.push({ der, origin: "dss" });
  sources.certificates = [...(s.cms?.certificates ?? []), ...dss.certs.map((c) => c.der)];
  return sources;
}

/** The status of one certificate of a path, by the mode: fetched (then embedded), or embedded only. */
async function statusOf(ctx: PipelineContext, cert: Certificate, issuer: Certificate, sources: RevocationSources): Promise<RevocationFinding> {
  if (ctx.mode === "off") return { status: "not-checked", message: "Revocation was not checked (--revocation off)" };
  if (ctx.mode === "online") {
    if (!ctx.options.fetcher) return { status: "unknown", message: "Online revocation checking needs a fetcher" };
    const online = await fetchRevocationStatus(cert, issuer, ctx.options.fetcher, ctx.options.cache ?? memoryCache, ctx.now.getTime(), { extraCertificates: sources.certificates });
    if (online.finding) return online.finding;
    // Nothing usable online: embedded evidence signed by the CA still counts, and says where it came from.
    const embedded = revocationStatus(cert, issuer, sources);
    if (embedded) return { ...embedded, message: `${embedded.message} (embedded; online: ${online.errors.join("; ")})` };
    return { status: "unknown", message: `No revocation information could be obtained: ${online.errors.join("; ")}` };
  }
  return revocationStatus(cert, issuer, sources) ?? { status: "no-information", message: "No revocation information is embedded in the signature or the document (offline: --revocation embedded)" };
}

/**
 * The status of every certificate of a path but its trust anchor (EN 319 102-1 §5.2.5, RFC 5280
 * §6.3): the signer's first. A path that reaches no anchor has an unknown top.
 */
async function pathStatus(ctx: PipelineContext, path: Certificate[], trusted: boolean, sources: RevocationSources): Promise<CertificateRevocation[]> {
  const out: CertificateRevocation[] = [];
  const last = trusted ? path.length - 1 : path.length;
  for (let i = 0; i < last; i++) {
    const cert = path[i];
    const issuer = path[i + 1];
    const who = { subject: cert.subject, sha256: cert.sha256 };
    if (!issuer) out.push({ ...who, status: "unknown", message: `No issuer certificate for "${cert.commonName ?? cert.subject}", so its revocation cannot be checked` });
    else if (cert.ocspNoCheck) out.push({ ...who, status: "good", message: "OCSP responder certificate with id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): not checked" });
    else out.push({ ...who, ...(await statusOf(ctx, cert, issuer, sources)) });
  }
  return out;
}

/**
 * Revocation is part of the verdict: TOTAL_PASSED needs the status of every certificate in the
 * signer's path, and in the path of the signature's timestamp, known good. Revoked before the best
 * signature time (the timestamp's, else the validation time) is TOTAL_FAILED REVOKED; revoked after
 * a timestamp passes with the revocation reported. Status that cannot be obtained is INDETERMINATE
 * TRY_LATER; `off` never passes.
 */
export async function checkRevocation(ctx: PipelineContext, s: SigState, path: Certificate[], trusted: boolean): Promise<void> {
  const r = s.report;
  const sources = embeddedSources(ctx, s);
  const certs = await pathStatus(ctx, path, trusted, sources);
  const tsa = s.tsaPath && s.tsaPath.length > 0 ? await pathStatus(ctx, s.tsaPath, true, sources) : [];
  const leaf = certs[0] ?? { status: "unknown" as const, message: "No certificate to check" };
  r.revocation = { mode: ctx.mode, ...leaf, path: certs, timestampPath: tsa };
  delete (r.revocation as { subject?: string }).subject;
  delete (r.revocation as { sha256?: string }).sha256;
  const best = s.timestampTime ?? ctx.now;
  const all = [...certs, ...tsa.map((c) => ({ ...c, tsa: true }))];
  const ok = all.every((c) => c.status === "good");
  check(s, "revocation", ok, all.map((c) => c.message).join("; "));
  for (const [i, c] of certs.entries()) {
    if (c.status !== "revoked") continue;
    const rt = c.revocationTime ? new Date(c.revocationTime) : undefined;
    const who = i === 0 ? "The signer's certificate" : `The CA certificate "${c.subject}"`;
    const facts = { subject: path[i]?.commonName ?? c.subject, revocationTime: rt?.toISOString() ?? "" };
    if (!rt || rt <= best) {
      const code = i === 0 ? (s.timestampTime ? "SIGNER_REVOKED_BEFORE_TIMESTAMP" : "SIGNER_REVOKED_BEFORE_VALIDATION_TIME") : s.timestampTime ? "CA_REVOKED_BEFORE_TIMESTAMP" : "CA_REVOKED_BEFORE_VALIDATION_TIME";
      const message = `${who} was revoked${rt ? ` on ${rt.toISOString()}` : ""}${c.reason ? ` (${c.reason})` : ""}, before the ${s.timestampTime ? "timestamp" : "validation time"}`;
      fail(s, i === 0 ? "TOTAL_FAILED" : "INDETERMINATE", i === 0 ? "REVOKED" : "REVOKED_CA_NO_POE", code, { ...facts, revocationReason: c.reason ?? "" }, message);
    } else
      warn(r, i === 0 ? "SIGNER_REVOKED_AFTER_TIMESTAMP" : "CA_REVOKED_AFTER_TIMESTAMP", { ...facts, timestampTime: best.toISOString() }, `${who} was revoked on ${rt.toISOString()}, after the timestamp of ${best.toISOString()}: the signature stays valid`);
  }
  for (const c of tsa) if (c.status === "revoked") fail(s, "INDETERMINATE", "REVOKED_NO_POE", "TSA_REVOKED", { subject: commonName(c.subject) }, `The timestamp authority's certificate "${c.subject}" is revoked`);
  const unknown = all.filter((c) => c.status !== "good" && c.status !== "revoked");
  if (unknown.length > 0) {
    const off = ctx.mode === "off";
    const subjects = [...new Set(unknown.map((c) => commonName(c.subject)))].join("; ");
    const message = off ? "Revocation was not checked (--revocation off): the signature cannot be called valid" : `The revocation status is not known: ${unknown.map((c) => c.message).join("; ")}`;
    if (off) fail(s, "INDETERMINATE", "TRY_LATER", "REVOCATION_NOT_CHECKED", {}, message);
    else if (unknown.every((c) => c.status === "no-information")) fail(s, "INDETERMINATE", "TRY_LATER", "REVOCATION_NO_INFORMATION", { subjects }, message);
    else fail(s, "INDETERMINATE", "TRY_LATER", "REVOCATION_UNKNOWN", { subjects, detail: unknown.map((c) => c.message).join("; ") }, message);
  }
}
