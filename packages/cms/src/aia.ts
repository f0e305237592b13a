import type { Certificate, CertificatePool } from "./certificate.js";
import { buildPath, type ChainResult } from "./path.js";
import { parseSignedData } from "./signed-data.js";
import type { RevocationStore } from "./revocation-cache.js";
import type { RevocationFetcher } from "./revocation-fetch.js";

/** What a note of pathWithAia says, as facts (the note itself is English). */
export interface AiaNote {
  code: "AIA_ISSUER_FETCH_FAILED" | "AIA_NO_ISSUER" | "AIA_ISSUER_FETCHED";
  /** AIA_ISSUER_FETCHED: the issuer fetched; otherwise the certificate whose issuer was sought. */
  subject: string;
  url: string;
  /** AIA_ISSUER_FETCH_FAILED: the fetch error. */
  detail?: string;
}

export interface PathContext {
  pool: CertificatePool;
  anchors: readonly Certificate[];
  /** Known intermediates: the CMS's, the DSS's, the trust store's. */
  candidates: readonly Certificate[];
  now: Date;
  /** Fetches missing issuers from AIA caIssuers (RFC 5280 §4.2.2.1) when given. */
  fetcher?: RevocationFetcher;
  cache?: RevocationStore;
}

/** A caIssuers answer: one DER certificate, or a certs-only CMS ("p7c", RFC 5280 §4.2.2.1). */
function certificatesFrom(der: Uint8Array, pool: CertificatePool): Certificate[] {
  try {
    return [pool.certificate(der)];
  } catch {
    try {
      return pool.certificates(parseSignedData(der).certificates);
    } catch {
      return [];
    }
  }
}

/**
 * The signer's path to a trust anchor (the one path builder), completing it from AIA caIssuers when
 * the certificates at hand stop short (real Government CA signatures embed only the leaf). Fetched
 * certificates only help build the path: trust still comes from the anchors alone.
 */
export async function pathWithAia(leaf: Certificate, at: Date, timeIsProven: boolean, c: PathContext, notes: string[], noteDetails?: AiaNote[]): Promise<ChainResult> {
  const candidates = [...c.candidates];
  let result = buildPath(leaf, { candidates, anchors: c.anchors, at, timeIsProven, now: c.now, pool: c.pool });
  for (let round = 0; !result.trusted && c.fetcher && round < 4; round++) {
    const last = result.path[result.path.length - 1];
    if (last.selfIssued) break;
    const urls = last.caIssuersUrls.filter((u) => /^https?:\/\//i.test(u)).slice(0, 2);
    let added = false;
    for (const url of urls) {
      const key = `caIssuers ${url}`;
      const now = c.now.getTime();
      let der = c.cache?.get(key, now);
      if (!der) {
        try {
          der = await c.fetcher(url);
        } catch (e) {
          notes.push(`the issuer of "${last.commonName ?? last.subject}" could not be fetched from ${url}: ${(e as Error).message}`);
          noteDetails?.push({ code: "AIA_ISSUER_FETCH_FAILED", subject: last.commonName ?? last.subject, url, detail: (e as Error).message });
          continue;
        }
      }
      const found = certificatesFrom(der, c.pool).filter((x) => c.pool.issued(x, last));
      if (found.length === 0) {
        notes.push(`${url} did not return the issuer of "${last.commonName ?? last.subject}"`);
        noteDetails?.push({ code: "AIA_NO_ISSUER", subject: last.commonName ?? last.subject, url });
        continue;
      }
      c.cache?.put(key, der, now);
      candidates.push(...found);
      notes.push(`issuer "${found[0].commonName ?? found[0].subject}" fetched from ${url} (AIA caIssuers)`);
      noteDetails?.push({ code: "AIA_ISSUER_FETCHED", subject: found[0].commonName ?? found[0].subject, url });
      added = true;
      break;
    }
    if (!added) break;
    result = buildPath(leaf, { candidates, anchors: c.anchors, at, timeIsProven, now: c.now, pool: c.pool });
  }
  return result;
}
