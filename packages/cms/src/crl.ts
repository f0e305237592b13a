import { KysoError, bytesEqual, children, decodeOid, readTlv, type DerNode } from "@kyso/core";
import { certificateNames, parseAsn1Time, verifySignatureValue } from "./pkix.js";

/**
 * CertificateList (RFC 5280 §5): parsing and the checks that make a CRL usable evidence.
 *
 * TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
 *   thisUpdate Time, nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE {
 *   userCertificate CertificateSerialNumber, revocationDate Time, crlEntryExtensions Extensions
 *   OPTIONAL } OPTIONAL, crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
export interface Crl {
  der: Uint8Array;
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Revoked serials (hex, without leading zero bytes) and their revocation dates. */
  revoked: Map<string, Date>;
  /** CRLReason of revoked serials that carry one (RFC 5280 §5.3.1). */
  reasons: Map<string, string>;
  tbs: Uint8Array;
  signatureAlgorithm: DerNode;
  signature: Uint8Array;
}

function serialHex(v: Uint8Array): string {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return Buffer.from(v.subarray(i)).toString("hex");
}

export function parseCrl(der: Uint8Array): Crl {
  try {
    const top = readTlv(der);
    if (top.tag !== 0x30) throw new Error("not a SEQUENCE");
    const [tbs, alg, sig] = children(top);
    const f = children(tbs);
    let i = f[0].tag === 0x02 ? 1 : 0;
    i++; // signature
    const issuer = f[i++].raw;
    const thisUpdate = parseAsn1Time(f[i++]);
    let nextUpdate: Date | undefined;
    if (f[i] && (f[i].tag === 0x17 || f[i].tag === 0x18)) nextUpdate = parseAsn1Time(f[i++]);
    const revoked = new Map<string, Date>();
    const reasons = new Map<string, string>();
    if (f[i] && f[i].tag === 0x30) for (const e of children(f[i])) {
      const [s, d, exts] = children(e);
      const serial = serialHex(s.value);
      revoked.set(serial, parseAsn1Time(d));
      for (const ext of exts ? children(exts) : []) {
        const parts = children(ext);
        if (decodeOid(parts[0].value) !== "2.5.29.21") continue;
        const code = readTlv(parts[parts.length - 1].value).value[0];
        if (REVOCATION_REASONS[code]) reasons.set(serial, REVOCATION_REASONS[code]);
      }
    }
    return { der: top.raw, issuer, thisUpdate, nextUpdate, revoked, reasons, tbs: tbs.raw, signatureAlgorithm: alg, signature: sig.value.subarray(1) };
  } catch (e) {
    throw new KysoError("CRL_MALFORMED", `not a CRL (${(e as Error).message})`, { cause: e });
  }
}

/** CRLReason names (RFC 5280 §5.3.1), by code. */
export const REVOCATION_REASONS = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"];

export interface CrlCheck {
  status: "good" | "revoked";
  revocationTime?: Date;
  reason?: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  problems: string[];
}

/** The status of `certDer` by a CRL that must be issued and signed by `issuerDer` (RFC 5280 §6.3). */
export function checkCrl(der: Uint8Array, certDer: Uint8Array, issuerDer: Uint8Array): CrlCheck {
  const crl = parseCrl(der);
  const problems: string[] = [];
  if (!bytesEqual(crl.issuer, certificateNames(issuerDer).subject)) problems.push("the CRL is from another issuer");
  else if (!verifySignatureValue(crl.signatureAlgorithm, crl.tbs, crl.signature, issuerDer)) problems.push("the CRL's signature does not verify");
  const serial = serialHex(certificateNames(certDer).serial);
  const when = crl.revoked.get(serial);
  return { status: when ? "revoked" : "good", revocationTime: when, reason: crl.reasons.get(serial), thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, problems };
}
