import { systemClock, type Clock } from "@kyso/core";
import { buildChain, type ChainProblem } from "./chain.js";
import { RevocationCache, fetchRevocationStatus, type RevocationFetcher, type RevocationFinding, type RevocationMode } from "./revocation.js";
import { parseCertificateDer, type Certificate } from "./x509.js";

export interface CertificateValidationOptions {
  /** Trust anchors (DER). */
  trustAnchors: readonly Uint8Array[];
  /** `online` fetches OCSP, then CRLs; `embedded` has nothing to look at outside a PDF, so it says so. */
  revocation?: RevocationMode;
  fetcher?: RevocationFetcher;
  cache?: RevocationCache;
  clock?: Clock;
}

export interface CertificateValidation {
  trusted: boolean;
  /** Subjects, the certificate first and the trust anchor last. */
  path: string[];
  problems: ChainProblem[];
  revocation: RevocationFinding & { mode: RevocationMode };
}

const sharedCache = new RevocationCache();

/**
 * Validates a certificate found outside a PDF (e.g. the signer of an edXML package's XML signature)
 * with the verifier's own chain building and revocation checking, at the validation time.
 */
export async function validateCertificate(der: Uint8Array, extra: readonly Uint8Array[], options: CertificateValidationOptions): Promise<CertificateValidation> {
  const now = (options.clock ?? systemClock).now();
  const leaf = parseCertificateDer(der);
  const pool: Certificate[] = [];
  for (const d of extra) {
    try {
      pool.push(parseCertificateDer(d));
    } catch {
      /* an unreadable extra certificate is simply not used */
    }
  }
  const anchors = options.trustAnchors.map((a) => parseCertificateDer(a));
  const chain = buildChain(leaf, pool, anchors, now, true, now);
  const mode = options.revocation ?? "embedded";
  let revocation: RevocationFinding;
  if (mode === "off") revocation = { status: "not-checked", message: "Revocation was not checked (--revocation off)" };
  else if (chain.path.length < 2) revocation = { status: "no-information", message: "No issuer certificate, so revocation cannot be checked" };
  else if (mode === "embedded" || !options.fetcher)
    revocation = { status: "no-information", message: "No revocation information travels with an XML signature (use --revocation online to fetch it)" };
  else {
    const online = await fetchRevocationStatus(chain.path[0], chain.path[1], options.fetcher, options.cache ?? sharedCache, now.getTime(), { extraCertificates: extra });
    revocation = online.finding ?? { status: "unknown", message: `No revocation information could be fetched: ${online.errors.join("; ")}` };
  }
  return { trusted: chain.trusted, path: chain.path.map((c) => c.subject), problems: chain.problems, revocation: { ...revocation, mode } };
}
