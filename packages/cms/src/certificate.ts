import { X509Certificate, createHash, createPublicKey, type KeyObject } from "node:crypto";
import { parseAsn1, oidOf, timeOf, hex, type Asn1 } from "./ber.js";

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
  sha256: string;
  x509: X509Certificate;
  publicKey: KeyObject;
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
 * Parsed certificates by their DER: a document's chain is read from the CMS, the DSS, timestamps and
 * the LTV analysis, and a service sees the same signers and CAs all day. Certificates are values
 * (nothing mutates a parsed one), so they are shared. Bounded; cleared when full.
 */
const parsed = new Map<string, Certificate>();
const MAX_PARSED = 512;

export function parseCertificateDer(der: Uint8Array): Certificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  let c = parsed.get(key);
  if (!c) {
    c = parseCertificateUncached(new Uint8Array(der)); // a copy: the caller may reuse its buffer
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(key, c);
  }
  return c;
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
    sha256: createHash("sha256").update(cert.raw).digest("hex"),
    get x509(): X509Certificate {
      return (x509 ??= new X509Certificate(cert.raw));
    },
    publicKey: createPublicKey({ key: Buffer.from(spki.raw), format: "der", type: "spki" }),
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
      for (const ad of v.children) if (oidOf(ad.children[0]) === "1.3.6.1.5.5.7.48.1" && ad.children[1]?.tag === 0x86) c.ocspUrls.push(Buffer.from(ad.children[1].value).toString("latin1"));
    }
  }
  return c;
}
