import { bytesEqual } from "@kyso/core";
import { OIDS, parseTstInfo, verifyCmsSignature, type CmsSignatureCheck } from "@kyso/cms";
import { check, fail, summary, type PipelineContext, type SigState } from "./context.js";
import { warn } from "./codes.js";
import { signedBytes } from "./digest-pass.js";
import { dssMaterial } from "./dss.js";

/**
 * Integrity and the CMS signature (EN 319 102-1 §5.2.7, RFC 5652 §5.4-§5.6) through the one
 * `verifyCmsSignature`: the digest of the byte ranges against the signed message digest (or,
 * without signed attributes, the signature over the signed bytes themselves), the signature value,
 * the ESS signing-certificate binding. An unsupported algorithm is INDETERMINATE, never a forgery.
 */
export function checkCms(ctx: PipelineContext, s: SigState): void {
  const r = s.report;
  const cms = s.cms;
  const si = s.signerInfo;
  if (!cms || !si || !s.computedDigest || !s.ranges) return;
  const ranges = s.ranges;
  const extra = dssMaterial(ctx).certs;
  let result: CmsSignatureCheck;
  if (r.type === "timestamp") {
    // A document timestamp (ETSI.RFC3161): the TSTInfo's imprint is the digest of the byte ranges.
    let imprint: Uint8Array | undefined;
    try {
      imprint = parseTstInfo(cms.eContent ?? new Uint8Array(0)).imprint;
    } catch {
      imprint = undefined;
    }
    r.integrity = !!imprint && bytesEqual(imprint, s.computedDigest);
    result = verifyCmsSignature(cms, { bytes: () => cms.eContent ?? new Uint8Array(0) }, { pool: ctx.pool, extraCertificates: extra, contentType: OIDS.tstInfo });
  } else if (r.subFilter === "adbe.pkcs7.sha1") {
    // ISO 32000-1 §12.8.3.3.1: the CMS encapsulates the SHA-1 digest of the byte ranges and signs that.
    const content = cms.eContent;
    r.integrity = !!content && bytesEqual(content, s.computedDigest);
    result = verifyCmsSignature(cms, { bytes: () => content ?? new Uint8Array(0) }, { pool: ctx.pool, extraCertificates: extra });
  } else {
    if (cms.eContent !== undefined && cms.eContent.length > 0) fail(s, "TOTAL_FAILED", "FORMAT_FAILURE", "CMS_NOT_DETACHED", {}, "The CMS encapsulates content; a PDF signature must be detached");
    const sameDigest = si.digestAlgorithm === s.digestAlgorithm;
    result = verifyCmsSignature(cms, { digest: sameDigest ? s.computedDigest : undefined, bytes: () => signedBytes(ctx.src, ranges) }, { pool: ctx.pool, extraCertificates: extra });
    r.integrity = result.integrity;
  }
  s.signer = result.signer;
  s.cmsCertificates = result.certificates;
  if (result.signatureAlgorithm) r.signatureAlgorithm = result.signatureAlgorithm;
  if (result.signer) r.signer = summary(result.signer);
  if (!result.hasSignedAttributes && r.type === "signature")
    warn(r, "NO_SIGNED_ATTRIBUTES", {}, "The CMS has no signed attributes: the signature is over the document bytes themselves (RFC 5652 §5.4)");
  check(s, "integrity", r.integrity, r.integrity ? `${s.digestAlgorithm} digest of the signed bytes matches` : "The document was changed after signing: the digest of the signed bytes does not match");
  const codes = new Set(result.problems.map((p) => p.code));
  const unsupported = codes.has("CMS_ALGORITHM_UNSUPPORTED") || codes.has("CMS_DIGEST_UNSUPPORTED");
  if (!r.integrity && !unsupported) fail(s, "TOTAL_FAILED", "HASH_FAILURE", "HASH_MISMATCH", {}, "The document was changed after signing (the digest of the signed bytes does not match the signed one)");
  for (const p of result.problems) {
    switch (p.code) {
      case "CMS_ALGORITHM_UNSUPPORTED":
      case "CMS_DIGEST_UNSUPPORTED":
        fail(s, "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", "ALGORITHM_UNSUPPORTED", { detail: p.message }, p.message);
        break;
      case "CMS_SIGNER_NOT_FOUND":
        fail(s, "INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", "SIGNER_CERTIFICATE_NOT_FOUND", {}, p.message);
        break;
      case "CMS_SIGNATURE_INVALID":
        if (result.hasSignedAttributes || r.integrity) fail(s, "TOTAL_FAILED", "SIG_CRYPTO_FAILURE", "SIGNATURE_KEY_MISMATCH", {}, "The signature was not made with the key of the certificate it names");
        break;
      case "CMS_ESS_MISMATCH":
        fail(s, "TOTAL_FAILED", "SIG_CRYPTO_FAILURE", "SIGNING_CERTIFICATE_MISMATCH", {}, p.message);
        break;
      case "CMS_CONTENT_TYPE":
        fail(s, "TOTAL_FAILED", "FORMAT_FAILURE", "CMS_CONTENT_TYPE", { detail: p.message }, p.message);
        break;
      case "CMS_SIGNER_COUNT":
        fail(s, "TOTAL_FAILED", "FORMAT_FAILURE", "CMS_SIGNER_COUNT", { count: cms.signerInfos.length }, p.message);
        break;
      case "CMS_HASH_MISMATCH":
        break; // reported as HASH_FAILURE above
    }
  }
  if (result.signer) {
    check(s, "cms", result.signatureValid, result.signatureValid ? `${result.signatureAlgorithm} signature verifies with the signer's public key` : result.problems.map((p) => p.message).join("; "));
    if (r.subFilter === "ETSI.CAdES.detached" && r.type === "signature" && !si.attributes.has(OIDS.signingCertificateV2) && !si.attributes.has(OIDS.signingCertificate))
      warn(r, "NO_SIGNING_CERTIFICATE_ATTRIBUTE", {}, "PAdES signature without a signing-certificate-v2 attribute");
  } else check(s, "cms", false, "signer certificate not found");
}
