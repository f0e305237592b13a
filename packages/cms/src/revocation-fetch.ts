// Revocation status of one certificate from CRLs and OCSP responses (RFC 5280 §6.3, RFC 6960),
// given or fetched over an injected fetcher. Used by verification (packages/verify) and by the
// check before signing (packages/sign): one implementation.
import { randomBytes } from "node:crypto";
import { buildOcspRequest, checkOcspResponse } from "./ocsp.js";
import { hasOcspNoCheck } from "./pkix.js";
import { checkCrl, parseCrl } from "./crl.js";
import type { Certificate } from "./certificate.js";
import { bytesEqual } from "@kyso/core";
import type { RevocationStore } from "./revocation-cache.js";

export interface RevocationFinding {
  status: "good" | "revoked" | "unknown" | "no-information" | "not-checked";
  source?: "crl" | "ocsp";
  /** Where the information came from: "cms", "dss" or the URL fetched. */
  origin?: string;
  revocationTime?: string;
  reason?: string;
  producedAt?: string;
  message: string;
}

/** Fetches revocation data and CA certificates: injected so that tests and the service choose the network. */
export type RevocationFetcher = (url: string, request?: { body: Uint8Array; contentType: string }) => Promise<Uint8Array>;

export interface RevocationSources {
  crls: { der: Uint8Array; origin: string }[];
  ocsps: { der: Uint8Array; origin: string }[];
  /** Certificates that may be a delegated OCSP responder's. */
  certificates?: readonly Uint8Array[];
}

/**
 * The revocation status of `cert` (issued by `issuer`) from the CRLs and OCSP responses given,
 * read and checked by @kyso/cms. Only data signed by the issuer (or its delegated OCSP responder)
 * counts; a damaged or foreign item is no information.
 */
export function revocationStatus(cert: Certificate, issuer: Certificate, sources: RevocationSources): RevocationFinding | undefined {
  for (const o of sources.ocsps) {
    try {
      const c = checkOcspResponse(o.der, cert.der, issuer.der, { extraCertificates: sources.certificates });
      if (c.problems.length > 0 || c.status === "unknown") continue;
      return {
        status: c.status,
        source: "ocsp",
        origin: o.origin,
        revocationTime: c.revocationTime?.toISOString(),
        reason: c.reason,
        producedAt: c.producedAt.toISOString(),
        message: c.status === "revoked" ? `OCSP: revoked on ${c.revocationTime?.toISOString()}${c.reason ? ` (${c.reason})` : ""}` : `OCSP: good (produced ${c.producedAt.toISOString()})`,
      };
    } catch {
      /* a damaged response is no information */
    }
  }
  for (const c of sources.crls) {
    try {
      const k = checkCrl(c.der, cert.der, issuer.der);
      if (k.problems.length > 0) continue;
      if (k.status === "revoked")
        return {
          status: "revoked", source: "crl", origin: c.origin, revocationTime: k.revocationTime?.toISOString(), reason: k.reason, producedAt: k.thisUpdate.toISOString(),
          message: `CRL: revoked on ${k.revocationTime?.toISOString()}${k.reason ? ` (${k.reason})` : ""}`,
        };
      return { status: "good", source: "crl", origin: c.origin, producedAt: k.thisUpdate.toISOString(), message: `CRL of ${k.thisUpdate.toISOString()}: not revoked` };
    } catch {
      /* not a CRL */
    }
  }
  return undefined;
}

/** A fetcher over HTTP with a timeout and a size limit (global fetch, Node >= 20). */
export function httpFetcher(timeoutMs = 5000, maxBytes = 20 * 1024 * 1024): RevocationFetcher {
  return async (url, request) => {
    if (!/^https?:\/\//i.test(url)) throw new Error(`not an HTTP URL: ${url}`);
    const res = await fetch(url, {
      method: request ? "POST" : "GET",
      headers: request ? { "content-type": request.contentType } : undefined,
      body: request ? Buffer.from(request.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status} from ${url}`), { status: res.status });
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.length > maxBytes) throw new Error(`response from ${url} too large`);
    return buf;
  };
}

/** Options of online revocation checking. */
export interface OnlineRevocationOptions {
  /** Attempts per URL (bounded retry of a failed fetch); default 2. */
  attempts?: number;
  /** Pause before a retry; default 200 ms. */
  retryDelayMs?: number;
  /** Certificates that may be the OCSP responder's (the CMS's and the DSS's). */
  extraCertificates?: readonly Uint8Array[];
}

export interface OnlineRevocationResult {
  /** The status found online, undefined when no server gave usable evidence. */
  finding?: RevocationFinding;
  /** Why each OCSP responder / CRL server tried gave none, in order. */
  errors: string[];
}

async function withRetry<T>(attempts: number, delayMs: number, f: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      // An HTTP 4xx answer will not change on retry; a timeout, a refused connection or a 5xx may.
      const status = (e as { status?: number }).status;
      if (i >= attempts || (status !== undefined && status < 500)) throw e;
      await new Promise((ok) => setTimeout(ok, delayMs));
    }
  }
}

const describe = (e: unknown): string => {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ? `${err.message} (${err.cause.code})` : (err.message ?? String(e));
};

/**
 * The revocation status of `cert` fetched online: OCSP first (RFC 6960, from the certificate's
 * authorityInfoAccess, the request built and the response checked by @kyso/cms: right
 * certificate, signed by the CA or its delegated responder, our nonce), then the CRLs of its
 * distribution points (RFC 5280 §4.2.1.13). Fetched data is cached until its nextUpdate (at most
 * the cache's maximum age). A server that cannot be reached or sends nothing usable is listed in
 * `errors`; the caller must not take its silence for "good".
 */
export async function fetchRevocationStatus(
  cert: Certificate,
  issuer: Certificate,
  fetcher: RevocationFetcher,
  cache: RevocationStore,
  now: number,
  options: OnlineRevocationOptions = {},
): Promise<OnlineRevocationResult> {
  const attempts = Math.max(1, Math.min(options.attempts ?? 2, 5));
  const delay = options.retryDelayMs ?? 200;
  const errors: string[] = [];
  for (const url of cert.ocspUrls.filter((u) => /^https?:/i.test(u)).slice(0, 2)) {
    // Cached per responder and certificate: a response speaks of one CertID.
    const key = `ocsp ${url} ${issuer.sha256} ${cert.serialHex}`;
    let der = cache.get(key, now);
    const fetched = !der;
    let nonce: Uint8Array | undefined;
    if (!der) {
      nonce = new Uint8Array(randomBytes(16));
      const body = buildOcspRequest(cert.der, issuer.der, nonce);
      try {
        der = await withRetry(attempts, delay, () => fetcher(url, { body, contentType: "application/ocsp-request" }));
      } catch (e) {
        errors.push(`OCSP ${url}: ${describe(e)}`);
        continue;
      }
    }
    let c: ReturnType<typeof checkOcspResponse>;
    try {
      c = checkOcspResponse(der, cert.der, issuer.der, { nonce, extraCertificates: options.extraCertificates });
    } catch (e) {
      errors.push(`OCSP ${url}: ${describe(e)}`);
      continue;
    }
    if (c.problems.length > 0) {
      errors.push(`OCSP ${url}: unusable response: ${c.problems.join("; ")}`);
      continue;
    }
    if (c.status === "unknown") {
      errors.push(`OCSP ${url}: the responder does not know the certificate`);
      continue;
    }
    // Only what was fetched is written: a cache hit rewriting its own file cost ~12% of a worker.
    if (fetched) cache.put(key, der, now, c.nextUpdate);
    const delegated = c.responderCertificate && !bytesEqual(c.responderCertificate, issuer.der);
    const unchecked = delegated && !hasOcspNoCheck(c.responderCertificate!) ? " (the delegated responder's own certificate status was not checked: it lacks id-pkix-ocsp-nocheck)" : "";
    const reasonText = c.reason;
    return {
      finding: {
        status: c.status,
        source: "ocsp",
        origin: url,
        revocationTime: c.revocationTime?.toISOString(),
        reason: reasonText,
        producedAt: c.producedAt.toISOString(),
        message:
          (c.status === "revoked" ? `OCSP ${url}: revoked on ${c.revocationTime?.toISOString()}${reasonText ? ` (${reasonText})` : ""}` : `OCSP ${url}: good (produced ${c.producedAt.toISOString()})`) + unchecked,
      },
      errors,
    };
  }
  for (const url of cert.crlUrls.filter((u) => /^https?:/i.test(u)).slice(0, 3)) {
    let der = cache.get(url, now);
    const fetched = !der;
    if (!der) {
      try {
        der = await withRetry(attempts, delay, () => fetcher(url));
      } catch (e) {
        errors.push(`CRL ${url}: ${describe(e)}`);
        continue;
      }
    }
    const found = revocationStatus(cert, issuer, { crls: [{ der, origin: url }], ocsps: [] });
    if (!found) {
      errors.push(`CRL ${url}: not a CRL signed by the certificate's issuer`);
      continue;
    }
    let next: Date | undefined;
    try {
      next = parseCrl(der).nextUpdate;
    } catch {
      /* parsed above */
    }
    if (fetched) cache.put(url, der, now, next);
    // Say why OCSP was not used when the CRL stands in for it.
    if (errors.length > 0) found.message += ` (OCSP gave no answer: ${errors.join("; ")})`;
    return { finding: found, errors };
  }
  if (cert.ocspUrls.length === 0 && cert.crlUrls.length === 0) errors.push("the certificate names no OCSP responder and no CRL distribution point");
  return { errors };
}
