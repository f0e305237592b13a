import * as pkijs from "pkijs";
import { KysoError, normalizeSerial } from "@kyso/core";
import { parseCrl as readCrl, verifySignatureValue, type Crl } from "@kyso/cms";
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
  /** The parsed CRL (the one CRL reader, @kyso/cms), so that a caller can check its signature. */
  crl: Crl;
}

/** Reads a CRL (DER or PEM `X509 CRL`) through @kyso/cms's one CRL parser. Throws CRL_UNPARSABLE. */
export function crlFacts(bytes: Uint8Array): CrlFacts {
  let der = bytes;
  const head = Buffer.from(bytes.subarray(0, 64)).toString("latin1");
  if (head.includes("-----BEGIN")) {
    const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(Buffer.from(bytes).toString("latin1"));
    if (!m) throw new KysoError("CRL_UNPARSABLE", "no X509 CRL block in the PEM text");
    der = new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
  }
  let crl: Crl;
  try {
    crl = readCrl(der);
  } catch (cause) {
    throw new KysoError("CRL_UNPARSABLE", "not a certificate revocation list", { cause });
  }
  return {
    issuer: formatName(pkijs.RelativeDistinguishedNames.fromBER(crl.issuer)),
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
    entries: [...crl.revoked].map(([serial, revocationDate]) => {
      const reason = crl.reasons.get(serial);
      return { serial: normalizeSerial(serial || "00"), revocationDate, reason: (reason && (REVOCATION_REASONS as readonly string[]).includes(reason) ? reason : "unspecified") as RevocationReason };
    }),
    crl,
  };
}

/** Checks a CRL's signature with its issuer's certificate (DER). */
export async function verifyCrlSignature(crl: CrlFacts, issuerDer: Uint8Array): Promise<boolean> {
  return verifySignatureValue(crl.crl.signatureAlgorithm, crl.crl.tbs, crl.crl.signature, issuerDer);
}
