import { X509Certificate, createPublicKey, verify as nodeVerify, constants } from "node:crypto";
import { children, decodeOid, digestFromOid, readTlv, type DerNode, type DigestAlgorithm } from "@kyso/core";
import { ECDSA_OIDS, OID, RSA_PKCS1_OIDS } from "./oids.js";

/**
 * Small readers for the X.509 parts that long-term validation needs (RFC 5280): validity,
 * extensions (AIA, CRL distribution points, EKU, OCSP no-check), and signature checks over DER.
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

interface TbsParts {
  serial: DerNode;
  issuer: DerNode;
  validity: DerNode;
  subject: DerNode;
  spki: DerNode;
  extensions: DerNode | undefined;
}

function tbsParts(certDer: Uint8Array): TbsParts {
  const [tbs] = children(readTlv(certDer));
  const f = children(tbs);
  let i = f[0].tag === 0xa0 ? 1 : 0;
  const serial = f[i++];
  i++; // signature
  const issuer = f[i++];
  const validity = f[i++];
  const subject = f[i++];
  const spki = f[i++];
  const extensions = f.slice(i).find((n) => n.tag === 0xa3);
  return { serial, issuer, validity, subject, spki, extensions };
}

export interface Extension {
  critical: boolean;
  /** The extnValue OCTET STRING's contents (the extension's own DER). */
  value: Uint8Array;
}

export function certificateExtensions(certDer: Uint8Array): Map<string, Extension> {
  const out = new Map<string, Extension>();
  const ext = tbsParts(certDer).extensions;
  if (!ext) return out;
  for (const e of children(children(ext)[0])) {
    const parts = children(e);
    const critical = parts.length === 3 && parts[1].tag === 0x01 && parts[1].value[0] !== 0;
    out.set(decodeOid(parts[0].value), { critical, value: parts[parts.length - 1].value });
  }
  return out;
}

export function certificateValidity(certDer: Uint8Array): { notBefore: Date; notAfter: Date } {
  const [nb, na] = children(tbsParts(certDer).validity);
  return { notBefore: parseAsn1Time(nb), notAfter: parseAsn1Time(na) };
}

/** Issuer and subject Name DER, serial contents and SubjectPublicKeyInfo DER. */
export function certificateNames(certDer: Uint8Array): { issuer: Uint8Array; subject: Uint8Array; serial: Uint8Array; spki: Uint8Array } {
  const t = tbsParts(certDer);
  return { issuer: t.issuer.raw, subject: t.subject.raw, serial: t.serial.value, spki: t.spki.raw };
}

/** The subjectPublicKey BIT STRING's key bytes (without the unused-bits octet), as hashed in OCSP CertIDs. */
export function subjectPublicKeyBits(certDer: Uint8Array): Uint8Array {
  const [, bits] = children(tbsParts(certDer).spki);
  return bits.value.subarray(1);
}

function accessUrls(certDer: Uint8Array, method: string): string[] {
  const aia = certificateExtensions(certDer).get(PKIX_OID.authorityInfoAccess);
  if (!aia) return [];
  const out: string[] = [];
  for (const ad of children(readTlv(aia.value))) {
    const [m, loc] = children(ad);
    if (decodeOid(m.value) === method && loc.tag === 0x86) out.push(Buffer.from(loc.value).toString("latin1"));
  }
  return out;
}

/** OCSP responder URLs from the Authority Information Access extension (RFC 5280 §4.2.2.1). */
export const ocspUrls = (certDer: Uint8Array): string[] => accessUrls(certDer, PKIX_OID.ocsp);
/** caIssuers URLs from the Authority Information Access extension. */
export const caIssuersUrls = (certDer: Uint8Array): string[] => accessUrls(certDer, PKIX_OID.caIssuers);

/** HTTP URLs of the CRL distribution points (RFC 5280 §4.2.1.13), fullName only. */
export function crlUrls(certDer: Uint8Array): string[] {
  const ext = certificateExtensions(certDer).get(PKIX_OID.crlDistributionPoints);
  if (!ext) return [];
  const out: string[] = [];
  for (const dp of children(readTlv(ext.value))) {
    for (const f of children(dp)) {
      if (f.tag !== 0xa0) continue; // distributionPoint
      for (const name of children(f)) {
        if (name.tag !== 0xa0) continue; // fullName
        for (const gn of children(name)) if (gn.tag === 0x86) out.push(Buffer.from(gn.value).toString("latin1"));
      }
    }
  }
  return out;
}

export function extendedKeyUsages(certDer: Uint8Array): string[] {
  const ext = certificateExtensions(certDer).get(PKIX_OID.extKeyUsage);
  if (!ext) return [];
  return children(readTlv(ext.value)).map((n) => decodeOid(n.value));
}

export function isSelfIssued(certDer: Uint8Array): boolean {
  const n = certificateNames(certDer);
  return Buffer.compare(Buffer.from(n.issuer), Buffer.from(n.subject)) === 0;
}

/** True when `issuerDer`'s subject is `certDer`'s issuer and its key verifies `certDer`'s signature. */
export function isIssuedBy(certDer: Uint8Array, issuerDer: Uint8Array): boolean {
  try {
    const a = new X509Certificate(certDer);
    const b = new X509Certificate(issuerDer);
    return a.checkIssued(b) && a.verify(b.publicKey);
  } catch {
    return false;
  }
}

/** The issuer of `certDer` among `pool`, if one is there. */
export function findIssuer(certDer: Uint8Array, pool: readonly Uint8Array[]): Uint8Array | undefined {
  return pool.find((c) => Buffer.compare(Buffer.from(c), Buffer.from(certDer)) !== 0 && isIssuedBy(certDer, c));
}

/** The chain above `leaf` from `pool`, nearest first, built by signatures (not by names alone). */
export function buildChain(leaf: Uint8Array, pool: readonly Uint8Array[], max = 8): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cur = leaf;
  for (let i = 0; i < max && !isSelfIssued(cur); i++) {
    const next = findIssuer(cur, pool);
    if (!next || out.some((o) => Buffer.compare(Buffer.from(o), Buffer.from(next)) === 0)) break;
    out.push(next);
    cur = next;
  }
  return out;
}

/** The digest and padding named by a signature AlgorithmIdentifier, for node:crypto. */
export function signatureAlgorithm(algId: DerNode): { digest: DigestAlgorithm | undefined; pss: boolean; ecdsa: boolean; oid: string } {
  const [o, params] = children(algId);
  const id = decodeOid(o.value);
  const rsa = Object.entries(RSA_PKCS1_OIDS).find(([, v]) => v === id);
  if (rsa) return { digest: rsa[0] as DigestAlgorithm, pss: false, ecdsa: false, oid: id };
  const ec = Object.entries(ECDSA_OIDS).find(([, v]) => v === id);
  if (ec) return { digest: ec[0] as DigestAlgorithm, pss: false, ecdsa: true, oid: id };
  if (id === OID.rsassaPss) {
    // RSASSA-PSS-params [0] hashAlgorithm (default SHA-1).
    let digest: DigestAlgorithm | undefined = "SHA-1";
    for (const p of params ? children(params) : []) if (p.tag === 0xa0) digest = digestFromOid(decodeOid(children(children(p)[0])[0].value));
    return { digest, pss: true, ecdsa: false, oid: id };
  }
  // rsaEncryption used as a signature algorithm (seen in CMS): the digest comes from elsewhere.
  if (id === OID.rsaEncryption) return { digest: undefined, pss: false, ecdsa: false, oid: id };
  return { digest: undefined, pss: false, ecdsa: false, oid: id };
}

/**
 * Checks a signature value made over `data` with the key in `spkiOrCert` (a certificate or a
 * SubjectPublicKeyInfo, DER). `fallbackDigest` is used when the algorithm does not name one.
 */
export function verifySignatureValue(algId: DerNode, data: Uint8Array, signature: Uint8Array, certDer: Uint8Array, fallbackDigest?: DigestAlgorithm): boolean {
  const alg = signatureAlgorithm(algId);
  const d = alg.digest ?? fallbackDigest;
  if (!d) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(certificateNames(certDer).spki), format: "der", type: "spki" });
    const name = d.replace("-", "").toLowerCase();
    if (alg.pss) return nodeVerify(name, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
    return nodeVerify(name, data, key, signature);
  } catch {
    return false;
  }
}

/** X.509 signed structure { tbs, signatureAlgorithm, signature BIT STRING }: the signature check. */
export function verifySignedStructure(der: Uint8Array, signerCertDer: Uint8Array): boolean {
  const [tbs, alg, sig] = children(readTlv(der));
  return verifySignatureValue(alg, tbs.raw, sig.value.subarray(1), signerCertDer);
}
