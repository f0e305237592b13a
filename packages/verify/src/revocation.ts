import { createHash, randomBytes } from "node:crypto";
import { buildOcspRequest, checkOcspResponse, findSingleResponse, hasOcspNoCheck, parseOcspResponse, type OcspCheck } from "@kyso/cms";
import { digestFromOid } from "@kyso/core";
import { verifySignature } from "./algorithms.js";
import { parseAsn1, oidOf, timeOf, hex, bytesEqual, octets, type Asn1 } from "./ber.js";
import { issued } from "./chain.js";
import { parseCertificateDer, type Certificate } from "./x509.js";

export type RevocationMode = "embedded" | "online" | "off";

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

/** Fetches revocation data: injected so that tests and the service choose the network. */
export type RevocationFetcher = (url: string, request?: { body: Uint8Array; contentType: string }) => Promise<Uint8Array>;

export interface RevocationSources {
  crls: { der: Uint8Array; origin: string }[];
  ocsps: { der: Uint8Array; origin: string }[];
}

const REASONS = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"];

interface ParsedCrl {
  issuerDer: Uint8Array;
  thisUpdate?: Date;
  nextUpdate?: Date;
  revoked: Map<string, { time?: Date; reason?: string }>;
  tbs: Uint8Array;
  sigAlg: Asn1;
  signature: Uint8Array;
}

/** CertificateList (RFC 5280 §5.1). */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const crl = parseAsn1(der);
  const [tbs, sigAlg, sig] = crl.children;
  const f = tbs.children;
  let i = f[0]?.tag === 0x02 ? 1 : 0;
  i++; // signature AlgorithmIdentifier
  const issuer = f[i++];
  const thisUpdate = timeOf(f[i++]);
  let nextUpdate: Date | undefined;
  if (f[i]?.tag === 0x17 || f[i]?.tag === 0x18) nextUpdate = timeOf(f[i++]);
  const revoked = new Map<string, { time?: Date; reason?: string }>();
  if (f[i]?.tag === 0x30) {
    for (const entry of f[i].children) {
      const [serial, time, exts] = entry.children;
      let reason: string | undefined;
      for (const ext of exts?.children ?? []) {
        if (oidOf(ext.children[0]) === "2.5.29.21") {
          try {
            reason = REASONS[parseAsn1(ext.children[ext.children.length - 1].value).value[0]];
          } catch {
            /* an unreadable reason code leaves the reason unspecified */
          }
        }
      }
      revoked.set(hex(serial.value), { time: timeOf(time), reason });
    }
  }
  return { issuerDer: issuer.raw, thisUpdate, nextUpdate, revoked, tbs: tbs.raw, sigAlg, signature: sig.value.subarray(1) };
}

interface OcspSingle {
  serialHex: string;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  hashOid: string;
  status: "good" | "revoked" | "unknown";
  revocationTime?: Date;
  reason?: string;
  thisUpdate?: Date;
}

/** OCSPResponse / BasicOCSPResponse (RFC 6960 §4.2.1); verifies who signed it against `issuer`. */
function checkOcsp(der: Uint8Array, cert: Certificate, issuer: Certificate): { single: OcspSingle; producedAt?: Date } | undefined {
  let top = parseAsn1(der);
  // Either a full OCSPResponse or a bare BasicOCSPResponse (as in a DSS /OCSPs entry it is the full one).
  if (top.children[0]?.tag === 0x0a) {
    if (top.children[0].value[0] !== 0) return undefined;
    const rb = top.children[1]?.children[0];
    if (oidOf(rb?.children[0]) !== "1.3.6.1.5.5.7.48.1.1") return undefined;
    top = parseAsn1(octets(rb!.children[1]));
  }
  const [tbs, sigAlg, sig, certsWrap] = top.children;
  const f = tbs.children;
  let i = f[0]?.tag === 0xa0 ? 1 : 0;
  const responder = f[i++];
  const producedAt = timeOf(f[i++]);
  const responses = f[i++];
  const signature = sig.value.subarray(1);
  // The responder is the issuer itself, or a certificate the issuer gave id-kp-OCSPSigning.
  const signers: Certificate[] = [issuer];
  for (const c of certsWrap?.children[0]?.children ?? []) {
    try {
      const rc = parseCertificateDer(c.raw);
      if (issued(issuer, rc) && rc.extendedKeyUsage?.includes("1.3.6.1.5.5.7.3.9")) signers.push(rc);
    } catch {
      /* skip an unreadable responder certificate */
    }
  }
  void responder;
  if (!signers.some((s) => verifySignature(sigAlg, undefined, s.publicKey, tbs.raw, signature).ok)) return undefined;
  for (const r of responses?.children ?? []) {
    const [certId, statusNode, thisUpdate] = r.children;
    const [hashAlg, nameHash, keyHash, serial] = certId.children;
    if (hex(serial.value) !== cert.serialHex) continue;
    const hashOid = oidOf(hashAlg.children[0]);
    const alg = digestFromOid(hashOid);
    if (!alg) continue;
    const h = (b: Uint8Array): Uint8Array => createHash(alg.replace("-", "").toLowerCase()).update(b).digest();
    const spki = parseAsn1(issuer.x509.publicKey.export({ type: "spki", format: "der" }));
    if (!bytesEqual(h(cert.issuerDer), nameHash.value) || !bytesEqual(h(spki.children[1].value.subarray(1)), keyHash.value)) continue;
    const single: OcspSingle = { serialHex: cert.serialHex, issuerNameHash: nameHash.value, issuerKeyHash: keyHash.value, hashOid, status: "unknown", thisUpdate: timeOf(thisUpdate) };
    if (statusNode.tag === 0x80) single.status = "good";
    else if (statusNode.tag === 0xa1) {
      single.status = "revoked";
      single.revocationTime = timeOf(statusNode.children[0]);
      const rn = statusNode.children[1]?.children[0];
      if (rn) single.reason = REASONS[rn.value[0]];
    }
    return { single, producedAt };
  }
  return undefined;
}

/**
 * The revocation status of `cert` (issued by `issuer`) from the CRLs and OCSP responses given.
 * Only data signed by the issuer (or its delegated OCSP responder) counts.
 */
export function revocationStatus(cert: Certificate, issuer: Certificate, sources: RevocationSources): RevocationFinding | undefined {
  for (const o of sources.ocsps) {
    try {
      const r = checkOcsp(o.der, cert, issuer);
      if (!r) continue;
      const { single } = r;
      return {
        status: single.status,
        source: "ocsp",
        origin: o.origin,
        revocationTime: single.revocationTime?.toISOString(),
        reason: single.reason,
        producedAt: r.producedAt?.toISOString(),
        message: single.status === "revoked" ? `OCSP: revoked on ${single.revocationTime?.toISOString()}${single.reason ? ` (${single.reason})` : ""}` : `OCSP: ${single.status}`,
      };
    } catch {
      /* a damaged response is no information */
    }
  }
  for (const c of sources.crls) {
    let crl: ParsedCrl;
    try {
      crl = parseCrl(c.der);
    } catch {
      continue;
    }
    if (!bytesEqual(crl.issuerDer, cert.issuerDer)) continue;
    if (!verifySignature(crl.sigAlg, undefined, issuer.publicKey, crl.tbs, crl.signature).ok) continue;
    const entry = crl.revoked.get(cert.serialHex);
    if (entry)
      return {
        status: "revoked",
        source: "crl",
        origin: c.origin,
        revocationTime: entry.time?.toISOString(),
        reason: entry.reason,
        producedAt: crl.thisUpdate?.toISOString(),
        message: `CRL: revoked on ${entry.time?.toISOString()}${entry.reason ? ` (${entry.reason})` : ""}`,
      };
    return { status: "good", source: "crl", origin: c.origin, producedAt: crl.thisUpdate?.toISOString(), message: `CRL of ${crl.thisUpdate?.toISOString()}: not revoked` };
  }
  return undefined;
}

/** An in-memory cache of fetched revocation data, keyed by URL, honouring the CRL's nextUpdate. */
export class RevocationCache {
  private readonly entries = new Map<string, { der: Uint8Array; until: number }>();
  constructor(private readonly maxAgeMs = 10 * 60_000) {}
  get(url: string, now: number): Uint8Array | undefined {
    const e = this.entries.get(url);
    if (e && e.until > now) return e.der;
    this.entries.delete(url);
    return undefined;
  }
  put(url: string, der: Uint8Array, now: number, nextUpdate?: Date): void {
    const until = Math.min(now + this.maxAgeMs, nextUpdate ? nextUpdate.getTime() : Infinity);
    if (this.entries.size > 1000) this.entries.clear();
    this.entries.set(url, { der, until });
  }
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
  cache: RevocationCache,
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
    let c: OcspCheck;
    let reason: number | undefined;
    try {
      c = checkOcspResponse(der, cert.der, issuer.der, { nonce, extraCertificates: options.extraCertificates });
      reason = findSingleResponse(parseOcspResponse(der), cert.der, issuer.der)?.revocationReason;
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
    cache.put(key, der, now, c.nextUpdate);
    const delegated = c.responderCertificate && !bytesEqual(c.responderCertificate, issuer.der);
    const unchecked = delegated && !hasOcspNoCheck(c.responderCertificate!) ? " (the delegated responder's own certificate status was not checked: it lacks id-pkix-ocsp-nocheck)" : "";
    const reasonText = reason !== undefined ? REASONS[reason] || undefined : undefined;
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
    cache.put(url, der, now, next);
    // Say why OCSP was not used when the CRL stands in for it.
    if (errors.length > 0) found.message += ` (OCSP gave no answer: ${errors.join("; ")})`;
    return { finding: found, errors };
  }
  if (cert.ocspUrls.length === 0 && cert.crlUrls.length === 0) errors.push("the certificate names no OCSP responder and no CRL distribution point");
  return { errors };
}
