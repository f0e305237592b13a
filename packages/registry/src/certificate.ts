import { createHash } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { KysoError, toHex, normalizeSerial } from "@kyso/core";

/** What the registry keeps of a certificate, read from its DER. */
export interface CertificateFacts {
  der: Uint8Array;
  /** Issuer distinguished name, RFC 4514 order (most specific first). */
  issuer: string;
  subject: string;
  /** Lower-case hexadecimal, no colons, no leading 00 pairs (see `normalizeSerial`). */
  serial: string;
  /** SHA-256 of the DER, lower-case hexadecimal. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: "RSA" | "EC" | "Ed25519" | "Ed448" | string;
  keySize: number;
  /** Identity number from the subject's UID (`CMND:`, `CCCD:`, `MST:` ...), if any. */
  subjectUid: string | undefined;
  subjectCommonName: string | undefined;
  /** basicConstraints cA: a CA certificate is never recorded as issued to a holder. */
  isCa: boolean;
}

const NAME_OIDS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "SERIALNUMBER",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "T",
  "2.5.4.42": "GN",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "E",
};

const CURVES: Record<string, { name: string; bits: number }> = {
  "1.2.840.10045.3.1.7": { name: "P-256", bits: 256 },
  "1.3.132.0.34": { name: "P-384", bits: 384 },
  "1.3.132.0.35": { name: "P-521", bits: 521 },
  "1.3.36.3.3.2.8.1.1.7": { name: "brainpoolP256r1", bits: 256 },
};

function escapeDnValue(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, "\\$1").replace(/^([ #])/, "\\$1").replace(/ $/, "\\ ");
}

/** RFC 4514 string of a Name: RDNs in reverse order, attributes named by their short names. */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  // pkijs flattens the RDN sequence (one entry per attribute); multi-valued RDNs are rare in PKI.
  return name.typesAndValues
    .map((tv) => `${NAME_OIDS[tv.type] ?? tv.type}=${escapeDnValue(attributeText(tv))}`)
    .reverse()
    .join(", ");
}

function attributeText(tv: pkijs.AttributeTypeAndValue): string {
  const v = tv.value as { valueBlock?: { value?: unknown } };
  if (typeof v.valueBlock?.value === "string") return v.valueBlock.value;
  return `#${toHex(new Uint8Array(tv.value.toBER(false)))}`;
}

function findAttribute(name: pkijs.RelativeDistinguishedNames, oid: string): string | undefined {
  const tv = name.typesAndValues.find((t) => t.type === oid);
  return tv ? attributeText(tv) : undefined;
}

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i) * 8 - Math.clz32(bytes[i]) + 24;
}

function keyFacts(spki: pkijs.PublicKeyInfo): { keyAlgorithm: string; keySize: number } {
  const oid = spki.algorithm.algorithmId;
  if (oid === "1.2.840.113549.1.1.1" || oid === "1.2.840.113549.1.1.10") {
    const rsa = asn1js.fromBER(spki.subjectPublicKey.valueBlock.valueHexView);
    const modulus = (rsa.result as asn1js.Sequence).valueBlock.value[0] as asn1js.Integer | undefined;
    return { keyAlgorithm: "RSA", keySize: modulus ? bitLength(modulus.valueBlock.valueHexView) : 0 };
  }
  if (oid === "1.2.840.10045.2.1") {
    const params = spki.algorithm.algorithmParams as asn1js.ObjectIdentifier | undefined;
    const curve = params instanceof asn1js.ObjectIdentifier ? CURVES[params.valueBlock.toString()] : undefined;
    return { keyAlgorithm: "EC", keySize: curve?.bits ?? 0 };
  }
  if (oid === "1.3.101.112") return { keyAlgorithm: "Ed25519", keySize: 256 };
  if (oid === "1.3.101.113") return { keyAlgorithm: "Ed448", keySize: 456 };
  return { keyAlgorithm: oid, keySize: 0 };
}

function isCaCertificate(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === "2.5.29.19");
  const bc = ext?.parsedValue as pkijs.BasicConstraints | undefined;
  return bc?.cA === true;
}

/** Reads one DER certificate. Throws CERT_UNPARSABLE with the cause. */
export function parseCertificateDer(der: Uint8Array): CertificateFacts {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(der);
  } catch (cause) {
    throw new KysoError("CERT_UNPARSABLE", "not an X.509 certificate", { cause });
  }
  return {
    der,
    issuer: formatName(cert.issuer),
    subject: formatName(cert.subject),
    serial: normalizeSerial(toHex(cert.serialNumber.valueBlock.valueHexView) || "00"),
    fingerprint: createHash("sha256").update(der).digest("hex"),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    ...keyFacts(cert.subjectPublicKeyInfo),
    subjectUid: findAttribute(cert.subject, "0.9.2342.19200300.100.1.1"),
    subjectCommonName: findAttribute(cert.subject, "2.5.4.3"),
    isCa: isCaCertificate(cert),
  };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function certificatesOfPkcs7(der: Uint8Array): Uint8Array[] {
  const info = pkijs.ContentInfo.fromBER(der);
  if (info.contentType !== pkijs.ContentInfo.SIGNED_DATA)
    throw new KysoError("CERT_UNPARSABLE", `a PKCS#7 ${info.contentType} structure, not a certificate bundle (signedData)`);
  const signed = new pkijs.SignedData({ schema: info.content });
  return (signed.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c) => new Uint8Array(c.toSchema().toBER(false)));
}

/**
 * Reads every certificate in a file's bytes: PEM (any number of CERTIFICATE or PKCS7 blocks), a DER
 * certificate, or a DER PKCS#7 bundle (.p7b, .p7c). Throws CERT_UNPARSABLE when there is none.
 */
export function parseCertificates(bytes: Uint8Array): CertificateFacts[] {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString("latin1");
  if (head.includes("-----BEGIN")) {
    const text = Buffer.from(bytes).toString("latin1");
    const out: CertificateFacts[] = [];
    for (const m of text.matchAll(PEM_BLOCK)) {
      const der = new Uint8Array(Buffer.from(m[2].replace(/^[A-Za-z-]+:.*$/gm, "").replace(/\s+/g, ""), "base64"));
      if (m[1] === "CERTIFICATE" || m[1] === "X509 CERTIFICATE" || m[1] === "TRUSTED CERTIFICATE") out.push(parseCertificateDer(der));
      else if (m[1] === "PKCS7") out.push(...certificatesOfPkcs7(der).map(parseCertificateDer));
    }
    if (out.length === 0) throw new KysoError("CERT_UNPARSABLE", "no CERTIFICATE or PKCS7 block in the PEM text");
    return out;
  }
  try {
    return [parseCertificateDer(bytes)];
  } catch (asCert) {
    try {
      const ders = certificatesOfPkcs7(bytes);
      if (ders.length === 0) throw new KysoError("CERT_UNPARSABLE", "the PKCS#7 bundle holds no certificates");
      return ders.map(parseCertificateDer);
    } catch (e) {
      if (e instanceof KysoError && e.code === "CERT_UNPARSABLE" && !(e.cause)) throw e;
      throw new KysoError("CERT_UNPARSABLE", "neither PEM, a DER certificate nor a PKCS#7 bundle", { cause: asCert });
    }
  }
}
