import { systemClock, type Clock } from "@kyso/core";
import { CertificatePool, type ChainProblem } from "@kyso/cms";
import { pathWithAia } from "./chain-check.js";
import { RevocationCache, fetchRevocationStatus, type RevocationFetcher, type RevocationFinding, type RevocationMode } from "./revocation.js";

export interface CertificateValidationOptions {
  /** Trust anchors (DER). */
  trustAnchors: readonly Uint8Array[];
  /** Certificates that only help build paths (a trust store's intermediates). */
  intermediates?: readonly Uint8Array[];
  /** `online` fetches OCSP, then CRLs; `embedded` has nothing to look at outside a PDF, so it says so. */
  revocation?: RevocationMode;
  fetcher?: RevocationFetcher;
  cache?: RevocationCache;
  clock?: Clock;
  validationTime?: Date;
  pool?: CertificatePool;
}

export interface CertificateValidation {
  trusted: boolean;
  /** Subjects, the certificate first and the trust anchor last. */
  path: string[];
  problems: ChainProblem[];
  /** The certificate's own status; `path` in it lists every certificate's but the anchor's. */
  revocation: RevocationFinding & { mode: RevocationMode; path?: (RevocationFinding & { subject: string })[] };
}

const sharedCache = new RevocationCache();

/**
 * Validates a certificate found outside a PDF (e.g. the signer of an edXML package's XML signature)
 * with the verifier's one path builder and revocation checking, at the validation time. The status
 * of every certificate of the path but the anchor is checked; the first not good one is reported.
 */
export async function validateCertificate(der: Uint8Array, extra: readonly Uint8Array[], options: CertificateValidationOptions): Promise<CertificateValidation> {
  const now = options.validationTime ?? (options.clock ?? systemClock).now();
  const pool = options.pool ?? new CertificatePool();
  const leaf = pool.certificate(der);
  const mode = options.revocation ?? (options.fetcher ? "online" : "embedded");
  const online = mode === "online" ? options.fetcher : undefined;
  const cache = options.cache ?? sharedCache;
  const chain = await pathWithAia(leaf, now, true, {
    pool, anchors: pool.certificates(options.trustAnchors), candidates: [...pool.certificates(extra), ...pool.certificates(options.intermediates ?? [])], now, fetcher: online, cache,
  }, []);
  const statuses: (RevocationFinding & { subject: string })[] = [];
  const last = chain.trusted ? chain.path.length - 1 : chain.path.length;
  for (let i = 0; i < last; i++) {
    const cert = chain.path[i];
    const issuer = chain.path[i + 1];
    let f: RevocationFinding;
    if (mode === "off") f = { status: "not-checked", message: "Revocation was not checked (--revocation off)" };
    else if (!issuer) f = { status: "no-information", message: "No issuer certificate, so revocation cannot be checked" };
    else if (!online) f = { status: "no-information", message: "No revocation information travels with an XML signature (use --revocation online to fetch it)" };
    else {
      const r = await fetchRevocationStatus(cert, issuer, online, cache, now.getTime(), { extraCertificates: extra });
      f = r.finding ?? { status: "unknown", message: `No revocation information could be fetched: ${r.errors.join("; ")}` };
    }
    statuses.push({ ...f, subject: cert.subject });
  }
  const first = statuses.find((s) => s.status !== "good") ?? statuses[0] ?? { status: "no-information" as const, message: "No certificate to check", subject: leaf.subject };
  const { subject: _subject, ...finding } = first;
  void _subject;
  return { trusted: chain.trusted, path: chain.path.map((c) => c.subject), problems: chain.problems, revocation: { ...finding, mode, path: statuses } };
}
