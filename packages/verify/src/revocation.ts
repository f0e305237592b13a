import { createHash } from "node:crypto";
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
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.length > maxBytes) throw new Error(`response from ${url} too large`);
    return buf;
  };
}

/** Fetches the CRLs named in the certificate's distribution points (RFC 5280 §4.2.1.13). */
export async function fetchRevocation(cert: Certificate, fetcher: RevocationFetcher, cache: RevocationCache, now: number): Promise<{ sources: RevocationSources; errors: string[] }> {
  const sources: RevocationSources = { crls: [], ocsps: [] };
  const errors: string[] = [];
  for (const url of cert.crlUrls.filter((u) => /^https?:/i.test(u)).slice(0, 3)) {
    let der = cache.get(url, now);
    if (!der) {
      try {
        der = await fetcher(url);
        let next: Date | undefined;
        try {
          next = parseCrl(der).nextUpdate;
        } catch {
          /* cached for the default time */
        }
        cache.put(url, der, now, next);
      } catch (e) {
        errors.push(`${url}: ${(e as Error).message}`);
        continue;
      }
    }
    sources.crls.push({ der, origin: url });
  }
  return { sources, errors };
}
