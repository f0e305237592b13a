import { bytesEqual } from "@kyso/core";
import { checkCrl, checkOcspResponse, hasOcspNoCheck } from "@kyso/cms";
import type { ValidationData } from "@kyso/pdf";

/** A certificate's status as the embedded validation data (the DSS) shows it: no network. */
export interface OfflineStatus {
  status: "good" | "revoked" | "missing";
  revocationTime?: Date;
  /** "OCSP" or "CRL" when found. */
  source?: "OCSP" | "CRL";
  /** When the evidence was issued (OCSP thisUpdate / CRL thisUpdate). */
  issuedAt?: Date;
  problems: string[];
}

/**
 * The status of `cert` (issued by `issuer`) from embedded OCSP responses, then CRLs, each checked
 * (right certificate, signed by the CA or its delegated OCSP responder). A delegated responder
 * without id-pkix-ocsp-nocheck needs evidence of its own, which is looked for too.
 */
export function offlineStatus(cert: Uint8Array, issuer: Uint8Array, data: ValidationData, depth = 0): OfflineStatus {
  const problems: string[] = [];
  for (const der of data.ocsps) {
    let c;
    try {
      c = checkOcspResponse(der, cert, issuer, { extraCertificates: data.certs });
    } catch {
      continue;
    }
    if (c.problems.length || c.status === "unknown") {
      if (!c.problems.includes("the response is about another certificate")) problems.push(...c.problems);
      continue;
    }
    const responder = c.responderCertificate;
    if (responder && !bytesEqual(responder, issuer) && !hasOcspNoCheck(responder) && depth < 2) {
      const r = offlineStatus(responder, issuer, data, depth + 1);
      if (r.status !== "good") {
        problems.push("no evidence that the OCSP responder's certificate is good");
        continue;
      }
    }
    return { status: c.status, revocationTime: c.revocationTime, source: "OCSP", issuedAt: c.thisUpdate, problems: [] };
  }
  for (const der of data.crls) {
    let c;
    try {
      c = checkCrl(der, cert, issuer);
    } catch {
      continue;
    }
    if (c.problems.length) continue;
    return { status: c.status, revocationTime: c.revocationTime, source: "CRL", issuedAt: c.thisUpdate, problems: [] };
  }
  return { status: "missing", problems };
}
