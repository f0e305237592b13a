import { parseAsn1, type DerNode, type DigestAlgorithm } from "@kyso/core";
import { verifySignature } from "./algorithms.js";
import { CertificatePool, parseCertificateDer, type Certificate } from "./certificate.js";
import { buildPath } from "./path.js";

/**
 * X.509 by DER, for callers that hold certificates as bytes (signing, extension, the LTV data
 * collector). Every function reads through the one certificate parser (certificate.ts), the one
 * signature check (algorithms.ts) and the one path builder (path.ts).
 */

export const PKIX_OID = {
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  crlDistributionPoints: "2.5.29.31",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  ocsp: "1.3.6.1.5.5.7.48.1",
  caIssuers: "1.3.6.1.5.5.7.48.2",
  ekuTimeStamping: "1.3.6.1.5.5.7.3.8",
  ekuOcspSigning: "1.3.6.1.5.5.7.3.9",
  ocspNoCheck: "1.3.6.1.5.5.7.48.1.5",
  ocspBasic: "1.3.6.1.5.5.7.48.1.1",
  ocspNonce: "1.3.6.1.5.5.7.48.1.2",
} as const;

/** A small pool for DER-facing callers: the same few CA certificates are read again and again. */
const derPool = new CertificatePool(256);
const cert = (der: Uint8Array): Certificate => derPool.certificate(der);

/** UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5) to a Date. */
export function parseAsn1Time(node: DerNode): Date {
  const s = Buffer.from(node.value).toString("latin1");
  let m: RegExpExecArray | null;
  if (node.tag === 0x17) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s);
    if (!m) throw new Error(`bad UTCTime ${s}`);
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (node.tag === 0x18) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(s);
    if (!m) throw new Error(`bad GeneralizedTime ${s}`);
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  }
  throw new Error(`not a time (tag 0x${node.tag.toString(16)})`);
}

export function certificateValidity(certDer: Uint8Array): { notBefore: Date; notAfter: Date } {
  const c = cert(certDer);
  return { notBefore: c.notBefore, notAfter: c.notAfter };
}

/** Issuer and subject Name DER, serial contents and SubjectPublicKeyInfo DER. */
export function certificateNames(certDer: Uint8Array): { issuer: Uint8Array; subject: Uint8Array; serial: Uint8Array; spki: Uint8Array } {
  const c = cert(certDer);
  return { issuer: c.issuerDer, subject: c.subjectDer, serial: new Uint8Array(Buffer.from(c.serialHex, "hex")), spki: c.spki };
}

/** The subjectPublicKey BIT STRING's key bytes (without the unused-bits octet), as hashed in OCSP CertIDs. */
export function subjectPublicKeyBits(certDer: Uint8Array): Uint8Array {
  return parseAsn1(cert(certDer).spki).children[1].value.subarray(1);
}

/** OCSP responder URLs from the Authority Information Access extension (RFC 5280 §4.2.2.1). */
export const ocspUrls = (certDer: Uint8Array): string[] => cert(certDer).ocspUrls;
/** caIssuers URLs from the Authority Information Access extension. */
export const caIssuersUrls = (certDer: Uint8Array): string[] => cert(certDer).caIssuersUrls;
/** HTTP URLs of the CRL distribution points (RFC 5280 §4.2.1.13), fullName only. */
export const crlUrls = (certDer: Uint8Array): string[] => cert(certDer).crlUrls;
export const extendedKeyUsages = (certDer: Uint8Array): string[] => cert(certDer).extendedKeyUsage ?? [];
export const isSelfIssued = (certDer: Uint8Array): boolean => cert(certDer).selfIssued;
/** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1). */
export const hasOcspNoCheck = (certDer: Uint8Array): boolean => cert(certDer).ocspNoCheck;

/** True when `issuerDer`'s subject is `certDer`'s issuer and its key verifies `certDer`'s signature. */
export function isIssuedBy(certDer: Uint8Array, issuerDer: Uint8Array): boolean {
  try {
    return derPool.issued(cert(issuerDer), cert(certDer));
  } catch {
    return false;
  }
}

/** The issuer of `certDer` among `pool`, if one is there. */
export function findIssuer(certDer: Uint8Array, pool: readonly Uint8Array[]): Uint8Array | undefined {
  return pool.find((c) => Buffer.compare(Buffer.from(c), Buffer.from(certDer)) !== 0 && isIssuedBy(certDer, c));
}

/** The chain above `leaf` from `pool`, nearest first, built by signatures (the one path builder, no trust decided). */
export function buildChain(leaf: Uint8Array, pool: readonly Uint8Array[]): Uint8Array[] {
  const now = new Date();
  const r = buildPath(cert(leaf), { candidates: derPool.certificates(pool), anchors: [], at: now, timeIsProven: true, now, pool: derPool });
  return r.path.slice(1).map((c) => c.der);
}

/**
 * Checks a signature value made over `data` with the key of the certificate `certDer`.
 * `fallbackDigest` is used when the algorithm does not name one.
 */
export function verifySignatureValue(algId: DerNode, data: Uint8Array, signature: Uint8Array, certDer: Uint8Array, fallbackDigest?: DigestAlgorithm): boolean {
  try {
    return verifySignature(parseAsn1(algId.raw), fallbackDigest, cert(certDer).publicKey, data, signature).ok;
  } catch {
    return false;
  }
}
