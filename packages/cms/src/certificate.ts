import { X509Certificate, createHash, createPublicKey, type KeyObject } from "node:crypto";
import { verifySignature } from "./algorithms.js";
import { parseAsn1, oidOf, timeOf, toHex as hex, type Asn1 } from "@kyso/core";

/** An X.509 certificate (RFC 5280 §4.1) with the fields validation needs, read from its DER. */
export interface Certificate {
  der: Uint8Array;
  /** DER of the issuer and subject Names. */
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  /** Serial number as lower-case hex of its encoded bytes. */
  serialHex: string;
  subject: string;
  issuer: string;
  commonName: string | undefined;
  organization: string | undefined;
  notBefore: Date;
  notAfter: Date;
  /** keyUsage bits (RFC 5280 §4.2.1.3) or undefined when absent. */
  keyUsage: Set<string> | undefined;
  extendedKeyUsage: string[] | undefined;
  isCa: boolean;
  pathLen: number | undefined;
  subjectKeyId: string | undefined;
  crlUrls: string[];
  ocspUrls: string[];
  /** authorityInfoAccess caIssuers URLs (RFC 5280 §4.2.2.1): where the issuer can be fetched. */
  caIssuersUrls: string[];
  /** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): an OCSP responder whose own status is not checked. */
  ocspNoCheck: boolean;
  /** Subject and issuer names are equal. */
  selfIssued: boolean;
  sha256: string;
  x509: X509Certificate;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** The TBSCertificate, signature algorithm and signature, for checking issuance. */
  tbs: Uint8Array;
  signatureAlgorithm: Asn1;
  signature: Uint8Array;
}

const NAME_KEYS: Record<string, string> = {
  "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
  "2.5.4.12": "T", "2.5.4.5": "SERIALNUMBER", "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "E",
  "2.5.4.4": "SN", "2.5.4.42": "GN", "2.5.4.97": "organizationIdentifier",
};

export function stringValue(n: Asn1): string {
  if (n.tag === 0x1e) {
    let s = "";
    for (let i = 0; i + 1 < n.value.length; i += 2) s += String.fromCharCode((n.value[i] << 8) | n.value[i + 1]);
    return s;
  }
  return Buffer.from(n.value).toString(n.tag === 0x0c ? "utf8" : "latin1");
}

/** Name as RFC 4514-style text, most significant RDN first as written (CN=..., O=..., C=VN order reversed). */
export function nameAttributes(name: Asn1): [string, string][] {
  const out: [string, string][] = [];
  for (const rdn of name.children) for (const atv of rdn.children) {
    const [type, value] = atv.children;
    const oid = oidOf(type);
    out.push([NAME_KEYS[oid] ?? oid, value ? stringValue(value) : ""]);
  }
  return out;
}

export function formatName(name: Asn1): string {
  return nameAttributes(name).reverse().map(([k, v]) => `${k}=${v.replace(/([,+"\\<>;])/g, "\\$1")}`).join(", ");
}

const KU_BITS = ["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"];

function uris(generalNames: Asn1 | undefined): string[] {
  return (generalNames?.children ?? []).filter((g) => g.tag === 0x86).map((g) => Buffer.from(g.value).toString("latin1"));
}

/**
 * Parsed certificates by their DER, and which issuer signed which: a document's chain is read from
 * the CMS, the DSS, timestamps and the trust store, and a service sees the same signers and CAs all
 * day. Certificates are immutable values, so one pool can be shared by every verification that is
 * handed it; it is passed in, never module state. Bounded; cleared when full.
 */
export class CertificatePool {
  private readonly parsed = new Map<string, Certificate>();
  private readonly issuance = new Map<string, boolean>();
  constructor(private readonly max = 1024) {}

  /** The certificate of `der` (throws on anything that is not one). */
  certificate(der: Uint8Array): Certificate {
    const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
    let c = this.parsed.get(key);
    if (!c) {
      c = parseCertificateDer(new Uint8Array(der)); // a copy: the caller may reuse its buffer
      if (this.parsed.size >= this.max) this.parsed.clear();
      this.parsed.set(key, c);
    }
    return c;
  }

  /** The certificates of `ders` that can be read; unreadable ones are skipped. */
  certificates(ders: readonly Uint8Array[]): Certificate[] {
    const out: Certificate[] = [];
    for (const d of ders) {
      try {
        out.push(this.certificate(d));
      } catch {
        /* not a certificate: ignored (the caller reports it where it matters) */
      }
    }
    return out;
  }

  /** Did `issuer` sign `cert`? By name, then by signature; remembered. */
  issued(issuer: Certificate, cert: Certificate): boolean {
    const key = `${issuer.sha256} ${cert.sha256}`;
    let ok = this.issuance.get(key);
    if (ok === undefined) {
      ok = issuedBy(issuer, cert);
      if (this.issuance.size >= this.max * 4) this.issuance.clear();
      this.issuance.set(key, ok);
    }
    return ok;
  }
}

/** Did `issuer` sign `cert`? Checked by name and by signature (RFC 5280 §6.1.3 a.1, a.4). */
export function issuedBy(issuer: Certificate, cert: Certificate): boolean {
  if (Buffer.compare(Buffer.from(issuer.subjectDer), Buffer.from(cert.issuerDer)) !== 0) return false;
  return verifySignature(cert.signatureAlgorithm, undefined, issuer.publicKey, cert.tbs, cert.signature).ok;
}

/** Parses one X.509 certificate (RFC 5280 §4.1) from its DER. Throws on anything else. */
export function parseCertificateDer(der: Uint8Array): Certificate {
  return parseCertificateUncached(der);
}

function parseCertificateUncached(der: Uint8Array): Certificate {
  const cert = parseAsn1(der);
  const [tbs, sigAlg, sigValue] = cert.children;
  const f = tbs.children;
  let i = 0;
  if (f[0].tag === 0xa0) i++;
  const serial = f[i];
  const issuer = f[i + 2];
  const validity = f[i + 3];
  const subject = f[i + 4];
  // The subjectPublicKeyInfo is all verification needs; the X509Certificate is built on demand.
  const spki = f[i + 5];
  let x509: X509Certificate | undefined;
  const c: Certificate = {
    der: cert.raw,
    issuerDer: issuer.raw,
    subjectDer: subject.raw,
    serialHex: hex(serial.value),
    subject: formatName(subject),
    issuer: formatName(issuer),
    commonName: nameAttributes(subject).find(([k]) => k === "CN")?.[1],
    organization: nameAttributes(subject).find(([k]) => k === "O")?.[1],
    notBefore: timeOf(validity.children[0]) ?? new Date(NaN),
    notAfter: timeOf(validity.children[1]) ?? new Date(NaN),
    keyUsage: undefined,
    extendedKeyUsage: undefined,
    isCa: false,
    pathLen: undefined,
    subjectKeyId: undefined,
    crlUrls: [],
    ocspUrls: [],
    caIssuersUrls: [],
    ocspNoCheck: false,
    selfIssued: Buffer.compare(Buffer.from(issuer.raw), Buffer.from(subject.raw)) === 0,
    sha256: createHash("sha256").update(cert.raw).digest("hex"),
    get x509(): X509Certificate {
      return (x509 ??= new X509Certificate(cert.raw));
    },
    publicKey: createPublicKey({ key: Buffer.from(spki.raw), format: "der", type: "spki" }),
    spki: spki.raw,
    tbs: tbs.raw,
    signatureAlgorithm: sigAlg,
    signature: sigValue.value.subarray(1),
  };
  const extsWrap = f.find((x) => x.tag === 0xa3);
  for (const ext of extsWrap?.children[0]?.children ?? []) {
    const oid = oidOf(ext.children[0]);
    const valueNode = ext.children[ext.children.length - 1];
    let v: Asn1;
    try {
      v = parseAsn1(valueNode.value);
    } catch {
      continue;
    }
    if (oid === "2.5.29.15") {
      const bits = v.value;
      const set = new Set<string>();
      for (let b = 0; b < KU_BITS.length; b++) {
        const byte = bits[1 + (b >> 3)];
        if (byte !== undefined && byte & (0x80 >> (b & 7))) set.add(KU_BITS[b]);
      }
      c.keyUsage = set;
    } else if (oid === "2.5.29.19") {
      for (const x of v.children) {
        if (x.tag === 0x01) c.isCa = x.value[0] !== 0;
        if (x.tag === 0x02) c.pathLen = x.value.reduce((a, b) => a * 256 + b, 0);
      }
    } else if (oid === "2.5.29.37") {
      c.extendedKeyUsage = v.children.map(oidOf);
    } else if (oid === "2.5.29.14") {
      c.subjectKeyId = hex(v.value);
    } else if (oid === "2.5.29.31") {
      // CRLDistributionPoints: DistributionPoint { [0] DistributionPointName { [0] fullName } }
      for (const dp of v.children) {
        const dpn = dp.children.find((x) => x.tag === 0xa0);
        const full = dpn?.children.find((x) => x.tag === 0xa0);
        c.crlUrls.push(...uris(full));
      }
    } else if (oid === "1.3.6.1.5.5.7.1.1") {
      for (const ad of v.children) {
        const method = oidOf(ad.children[0]);
        if (ad.children[1]?.tag !== 0x86) continue;
        const url = Buffer.from(ad.children[1].value).toString("latin1");
        if (method === "1.3.6.1.5.5.7.48.1") c.ocspUrls.push(url);
        else if (method === "1.3.6.1.5.5.7.48.2") c.caIssuersUrls.push(url);
      }
    } else if (oid === "1.3.6.1.5.5.7.48.1.5") {
      c.ocspNoCheck = true;
    }
  }
  return c;
}
