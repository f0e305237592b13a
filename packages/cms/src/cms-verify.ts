import { constants, publicDecrypt } from "node:crypto";
import { bytesEqual, decodeOid, parseAsn1, oidOf } from "@kyso/core";
import { digestOf, verifyDigestFromOid, verifySignature, type VerifyDigest } from "./algorithms.js";
import type { Certificate, CertificatePool } from "./certificate.js";
import { OIDS, type SignedData, type SignerInfo } from "./signed-data.js";

/** What can be wrong with a CMS signature, as stable codes (control flow never reads messages). */
export type CmsProblemCode =
  | "CMS_SIGNER_COUNT"
  | "CMS_SIGNER_NOT_FOUND"
  | "CMS_DIGEST_UNSUPPORTED"
  | "CMS_ALGORITHM_UNSUPPORTED"
  | "CMS_HASH_MISMATCH"
  | "CMS_SIGNATURE_INVALID"
  | "CMS_ESS_MISMATCH"
  | "CMS_CONTENT_TYPE";

export interface CmsProblem {
  code: CmsProblemCode;
  message: string;
}

export interface CmsSignatureCheck {
  signerInfo: SignerInfo | undefined;
  signer: Certificate | undefined;
  /** Every readable certificate of the SignedData, in its order. */
  certificates: Certificate[];
  digestAlgorithm: VerifyDigest | undefined;
  /** e.g. "RSA with SHA-256", "Ed25519"; null when unknown. */
  signatureAlgorithm: string | null;
  /** The content's digest equals the signed one (or, without signed attributes, the signature covers this content). */
  integrity: boolean;
  /** The signature value verifies with the signer's key. */
  signatureValid: boolean;
  /** The signature carries signed attributes (RFC 5652 §5.3); without them it signs the content itself (§5.4). */
  hasSignedAttributes: boolean;
  problems: CmsProblem[];
}

export interface CmsContent {
  /** The content's digest with the SignerInfo's digest algorithm (computed by the caller, e.g. over PDF byte ranges). */
  digest?: Uint8Array;
  /** The content itself, asked for only when there are no signed attributes (or no digest was given). */
  bytes?: () => Uint8Array;
}

export interface CmsVerifyOptions {
  pool: CertificatePool;
  /** Where the signer's certificate may also be found (a DSS, a trust store). */
  extraCertificates?: readonly Certificate[];
  /** The content type the signed attributes must name (RFC 5652 §11.1); default id-data. */
  contentType?: string;
}

/** The signer's certificate among `certs`: by issuer and serial number, or by subject key identifier (RFC 5652 §5.3). */
export function findSignerCertificate(sid: SignerInfo["sid"], certs: readonly Certificate[]): Certificate | undefined {
  const serial = sid.serialHex?.replace(/^(00)+(?=.)/, "");
  return certs.find((c) =>
    sid.subjectKeyId !== undefined
      ? c.subjectKeyId === sid.subjectKeyId
      : !!sid.issuerDer && bytesEqual(c.issuerDer, sid.issuerDer) && c.serialHex.replace(/^(00)+(?=.)/, "") === serial,
  );
}

/** ESS signing-certificate(-v2) (RFC 2634 §5.4, RFC 5035): does it name `cert`? undefined when absent. */
export function essNamesCertificate(si: SignerInfo, cert: Certificate): boolean | undefined {
  const v2 = si.attributes.get(OIDS.signingCertificateV2)?.[0];
  const v1 = si.attributes.get(OIDS.signingCertificate)?.[0];
  if (!v2 && !v1) return undefined;
  const ids = (v2 ?? v1)!.children[0]?.children ?? [];
  return ids.some((id) => {
    const first = id.children[0];
    let alg: VerifyDigest | undefined = v2 ? "SHA-256" : "SHA-1";
    let hashNode = first;
    if (v2 && first?.tag === 0x30) {
      alg = verifyDigestFromOid(oidOf(first.children[0]));
      hashNode = id.children[1];
    }
    return !!alg && !!hashNode && bytesEqual(hashNode.value, digestOf(alg, cert.der));
  });
}

/**
 * RSA PKCS#1 v1.5 only: the digest the signature holds (DigestInfo, RFC 8017 §9.2), so that a
 * signature without signed attributes over changed content is told apart from a wrong key.
 */
function rsaSignedDigest(cert: Certificate, signature: Uint8Array): Uint8Array | undefined {
  if (cert.publicKey.asymmetricKeyType !== "rsa") return undefined;
  try {
    const di = parseAsn1(new Uint8Array(publicDecrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)));
    return di.children[1]?.value;
  } catch {
    return undefined;
  }
}

/**
 * The one check of a CMS signature (RFC 5652 §5.4, §5.6) for PDF signatures, timestamps, the
 * PAdES level analysis and extension: finds the signer, compares the content digest with the
 * message-digest attribute (or, without signed attributes, verifies the signature over the content
 * itself), verifies the signature value, and checks the ESS signing-certificate binding and the
 * content-type attribute. Problems are coded; an unsupported algorithm is never called a forgery.
 */
export function verifyCmsSignature(sd: SignedData, content: CmsContent, options: CmsVerifyOptions): CmsSignatureCheck {
  const certificates = options.pool.certificates(sd.certificates);
  const out: CmsSignatureCheck = {
    signerInfo: sd.signerInfos[0], signer: undefined, certificates, digestAlgorithm: undefined, signatureAlgorithm: null,
    integrity: false, signatureValid: false, hasSignedAttributes: false, problems: [],
  };
  const problem = (code: CmsProblemCode, message: string): CmsSignatureCheck => {
    out.problems.push({ code, message });
    return out;
  };
  if (sd.signerInfos.length !== 1) return problem("CMS_SIGNER_COUNT", `The CMS has ${sd.signerInfos.length} signers; exactly one is expected`);
  const si = sd.signerInfos[0];
  out.digestAlgorithm = si.digestAlgorithm;
  out.hasSignedAttributes = !!si.signedAttributes;
  out.signer = findSignerCertificate(si.sid, certificates) ?? findSignerCertificate(si.sid, options.extraCertificates ?? []);
  if (!si.digestAlgorithm) return problem("CMS_DIGEST_UNSUPPORTED", `Unsupported digest algorithm ${si.digestAlgorithmOid}`);
  const contentDigest = content.digest ?? (content.bytes ? digestOf(si.digestAlgorithm, content.bytes()) : undefined);
  if (si.signedAttributes) {
    const md = si.attributes.get(OIDS.messageDigest)?.[0]?.value;
    out.integrity = !!md && !!contentDigest && bytesEqual(md, contentDigest);
    if (!out.integrity) problem("CMS_HASH_MISMATCH", "The digest of the signed content does not match the signed message-digest");
    const ct = si.attributes.get(OIDS.contentType)?.[0];
    const wanted = options.contentType ?? OIDS.data;
    if (ct && decodeOid(ct.value) !== wanted) problem("CMS_CONTENT_TYPE", `The content-type attribute is ${decodeOid(ct.value)}, not ${wanted}`);
  }
  if (!out.signer) return problem("CMS_SIGNER_NOT_FOUND", "The signer's certificate is not in the signature");
  let signed: Uint8Array;
  if (si.signedAttributes) signed = si.signedAttributes;
  else {
    // RFC 5652 §5.4: without signed attributes the signature is computed over the content itself.
    const held = contentDigest && rsaSignedDigest(out.signer, si.signature);
    if (held && contentDigest && !bytesEqual(held, contentDigest)) {
      out.signatureAlgorithm = `RSA with ${si.digestAlgorithm}`;
      out.signatureValid = true;
      return problem("CMS_HASH_MISMATCH", "The content was changed after signing: the signature holds another digest");
    }
    if (!content.bytes) return problem("CMS_SIGNATURE_INVALID", "The signed content is not available to check a signature without signed attributes");
    signed = content.bytes();
  }
  const v = verifySignature(si.signatureAlgorithm, si.digestAlgorithm, out.signer.publicKey, signed, si.signature);
  out.signatureAlgorithm = v.algorithm;
  out.signatureValid = v.ok;
  if (!si.signedAttributes) out.integrity = v.ok;
  if (v.unsupported) return problem("CMS_ALGORITHM_UNSUPPORTED", `The signature algorithm is not supported (${v.error ?? v.algorithm})`);
  if (!v.ok) problem("CMS_SIGNATURE_INVALID", `The signature does not verify with the certificate's key${v.error ? ` (${v.error})` : ""}`);
  if (essNamesCertificate(si, out.signer) === false) problem("CMS_ESS_MISMATCH", "The signing-certificate attribute names another certificate");
  return out;
}
