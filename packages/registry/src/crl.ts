import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { KysoError, normalizeSerial, toHex } from "@kyso/core";
import { formatName } from "./certificate.js";
import { REVOCATION_REASONS, type RevocationReason } from "./types.js";

export interface CrlEntry {
  serial: string;
  revocationDate: Date;
  reason: RevocationReason;
}

export interface CrlFacts {
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  entries: CrlEntry[];
  /** The parsed CRL, so that a caller can check its signature against the issuer's certificate. */
  crl: pkijs.CertificateRevocationList;
}

/** id-ce-cRLReasons, RFC 5280 §5.3.1. */
const CRL_REASON_OID = "2.5.29.21";

function entryReason(entry: pkijs.RevokedCertificate): RevocationReason {
  const ext = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === CRL_REASON_OID);
  if (!ext) return "unspecified";
  const parsed = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  const value = parsed.result instanceof asn1js.Enumerated ? parsed.result.valueBlock.valueDec : 0;
  const name = REVOCATION_REASONS[value];
  return (name || "unspecified") as RevocationReason;
}

/** Reads a CRL (DER or PEM `X509 CRL`). Throws CRL_UNPARSABLE. */
export function parseCrl(bytes: Uint8Array): CrlFacts {
  let der = bytes;
  const head = Buffer.from(bytes.subarray(0, 64)).toString("latin1");
  if (head.includes("-----BEGIN")) {
    const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(Buffer.from(bytes).toString("latin1"));
    if (!m) throw new KysoError("CRL_UNPARSABLE", "no X509 CRL block in the PEM text");
    der = new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
  }
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(der);
  } catch (cause) {
    throw new KysoError("CRL_UNPARSABLE", "not a certificate revocation list", { cause });
  }
  return {
    issuer: formatName(crl.issuer),
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value,
    entries: (crl.revokedCertificates ?? []).map((e) => ({
      serial: normalizeSerial(toHex(e.userCertificate.valueBlock.valueHexView) || "00"),
      revocationDate: e.revocationDate.value,
      reason: entryReason(e),
    })),
    crl,
  };
}

/** Checks a CRL's signature with its issuer's certificate (DER). */
export async function verifyCrlSignature(crl: CrlFacts, issuerDer: Uint8Array): Promise<boolean> {
  try {
    return await crl.crl.verify({ issuerCertificate: pkijs.Certificate.fromBER(issuerDer) });
  } catch {
    return false;
  }
}
