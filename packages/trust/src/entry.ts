import { X509Certificate, createHash } from "node:crypto";
import { KysoError, certificatesFromPemOrDer } from "@kyso/core";

/** One certificate of the trust store. */
export interface TrustEntry {
  /** DER of the certificate. */
  der: Uint8Array;
  /** Anchors end a certification path (RFC 5280 §6.1.1 (d) trust anchor); intermediates only help build one. */
  role: "anchor" | "intermediate";
  /** Shipped with Kyso (pinned) or added by an administrator to the local store. */
  source: "bundled" | "local";
  /** RFC 4514-like, e.g. "C=VN, O=Ban Cơ yếu Chính phủ, CN=RootCA chuyên dùng Chính phủ G2". */
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, hex lower-case. */
  sha256: string;
  label?: string;
}

export type TrustRole = TrustEntry["role"];

export function sha256Hex(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex");
}

function oneLineName(name: string): string {
  return name.split("\n").join(", ");
}

/** Reads a certificate's DER, refusing anything X.509 parsing rejects (code TRUST_CERT_INVALID). */
export function parseCertificateDer(der: Uint8Array, what = "The certificate"): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (cause) {
    throw new KysoError("TRUST_CERT_INVALID", `${what} is not a readable X.509 certificate`, { cause, details: { params: { what }, form: "unreadable" } });
  }
}

/** Builds an entry from DER. The certificate must parse; its role is given by the caller. */
export function entryFromDer(der: Uint8Array, role: TrustRole, source: TrustEntry["source"], label?: string): TrustEntry {
  const bytes = new Uint8Array(der);
  const c = parseCertificateDer(bytes);
  const entry: TrustEntry = {
    der: bytes,
    role,
    source,
    subject: oneLineName(c.subject),
    issuer: oneLineName(c.issuer),
    notBefore: new Date(c.validFrom),
    notAfter: new Date(c.validTo),
    sha256: sha256Hex(bytes),
  };
  if (label !== undefined) entry.label = label;
  return entry;
}

/**
 * An entry whose certificate is already known good (a bundled one, matched to its pin): its
 * subject, issuer and validity are read from the certificate when first asked for, so that
 * `kyso verify`, which needs only the DER, does not parse the whole store on every run.
 */
export function pinnedEntry(der: Uint8Array, role: TrustRole, source: TrustEntry["source"], sha256: string, label?: string): TrustEntry {
  const bytes = new Uint8Array(der);
  let facts: Pick<TrustEntry, "subject" | "issuer" | "notBefore" | "notAfter"> | undefined;
  const read = (): NonNullable<typeof facts> => {
    if (!facts) {
      const c = parseCertificateDer(bytes);
      facts = { subject: oneLineName(c.subject), issuer: oneLineName(c.issuer), notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo) };
    }
    return facts;
  };
  const entry = { der: bytes, role, source } as TrustEntry;
  for (const key of ["subject", "issuer", "notBefore", "notAfter"] as const) {
    Object.defineProperty(entry, key, { enumerable: true, configurable: true, get: () => read()[key] });
  }
  entry.sha256 = sha256;
  if (label !== undefined) entry.label = label;
  return entry;
}

/** Self-issued and self-signed (RFC 5280 §3.2, §6.2): the usual shape of a root. */
export function isSelfSigned(der: Uint8Array): boolean {
  const c = parseCertificateDer(der);
  if (!c.checkIssued(c)) return false;
  try {
    return c.verify(c.publicKey);
  } catch {
    return false;
  }
}

/** Whether the certificate may issue certificates: basicConstraints cA (RFC 5280 §4.2.1.9). */
export function isCaCertificate(der: Uint8Array): boolean {
  return parseCertificateDer(der).ca;
}

/** The one certificate of a PEM or DER file's bytes (more than one is an error: add them one by one). */
export function singleCertificate(data: Uint8Array, what: string): Uint8Array {
  const certs = certificatesFromPemOrDer(data);
  if (certs.length !== 1)
    throw new KysoError("TRUST_CERT_INVALID", `${what} holds ${certs.length} certificates; exactly one is expected`, { details: { params: { what, count: certs.length }, form: "count" } });
  parseCertificateDer(certs[0], what);
  return certs[0];
}

/** PEM text of a DER certificate (RFC 7468 §5), with a readable header before it. */
export function toPem(der: Uint8Array, header: string[] = []): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `${header.map((h) => `${h}\n`).join("")}-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
