import { KysoError, isBatchRawSigner, systemClock, type BatchRawSigner, type Clock, type RawSigner } from "@kyso/core";
import {
  CertificatePool, PKIX_OID, fetchRevocationStatus, pathWithAia,
  type Certificate, type RevocationFetcher, type RevocationFinding, type RevocationStore,
} from "@kyso/cms";

/**
 * The check of a certificate before anything is signed with it (Decree 23/2025 Art. 17, Circular
 * 15/2025 Art. 5: the certificate must be valid and not revoked at the time of signing): validity
 * period, key usage, a path to a trust anchor completed from what is at hand and AIA caIssuers,
 * and the revocation status of every certificate of that path (RFC 5280 §6.3): OCSP, then CRLs,
 * cached. It makes no decision the caller must guess: `refusal` says whether signing may go on.
 */

/** `online`: fetch (the cache first); `cached`: the cache only, no network; `off`: status not checked. */
export type RevocationCheckMode = "online" | "cached" | "off";

export interface CertificateCheckOptions {
  /** Trust anchors (DER): the trust store's roots and `--trust`. */
  trustAnchors?: readonly Uint8Array[];
  /** The trust store's intermediates: they help complete the chain. */
  intermediates?: readonly Uint8Array[];
  /** CA certificates offered for the chain, preferred in this order: `--chain`, then the token's (or the PKCS#12 file's). */
  offered?: readonly Uint8Array[];
  /** Default `online`. */
  revocation?: RevocationCheckMode;
  /** Fetches OCSP, CRLs and caIssuers; needed for `online` (and for AIA completion in `off`). */
  fetcher?: RevocationFetcher;
  cache?: RevocationStore;
  clock?: Clock;
  /** `timestamping`: the certificate of a TSA (EKU id-kp-timeStamping, RFC 3161 §2.3). Default `signing`. */
  purpose?: "signing" | "timestamping";
  /** A status that cannot be obtained is a warning, not a refusal (`--allow-unknown-status`). */
  allowUnknownStatus?: boolean;
  pool?: CertificatePool;
}

export type CertificateRefusalCode = "CERT_EXPIRED" | "CERT_NOT_YET_VALID" | "CERT_KEY_USAGE" | "CERT_REVOKED" | "CERT_STATUS_UNKNOWN";

/**
 * CHAIN_INCOMPLETE: no issuer found for `subject` (its issuer is `issuer`): recipients cannot build
 * the path either. NOT_TRUSTED: the path ends at a root that is not a trust anchor (`issuer` is the
 * root). CHAIN_INVALID: a CA of the path breaks a constraint. STATUS_UNKNOWN: signed anyway because
 * `allowUnknownStatus`. REVOCATION_NOT_CHECKED: `revocation: "off"`.
 */
export type CertificateWarningCode = "CHAIN_INCOMPLETE" | "NOT_TRUSTED" | "CHAIN_INVALID" | "STATUS_UNKNOWN" | "REVOCATION_NOT_CHECKED";

/** What a message needs, in any language: who, when, why. */
export interface CertificateFacts {
  /** The certificate concerned (the checked one, or a CA of its path). */
  subject: string;
  commonName?: string;
  /** True when it is a CA of the path, not the checked certificate. */
  ca?: boolean;
  notBefore?: string;
  notAfter?: string;
  issuer?: string;
  revocationTime?: string;
  reason?: string;
  /** Where the status came from (OCSP responder or CRL URL). */
  origin?: string;
  /** Why no status could be obtained, server by server. */
  errors?: string[];
}

export interface CertificateRefusal extends CertificateFacts {
  code: CertificateRefusalCode;
  message: string;
}

export interface CertificateWarning extends CertificateFacts {
  code: CertificateWarningCode;
  message: string;
}

export interface CertificateStatus {
  subject: string;
  status: RevocationFinding["status"];
  message: string;
  origin?: string;
}

export interface CertificateCheck {
  purpose: "signing" | "timestamping";
  subject: string;
  commonName?: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  /** When the check was made. */
  at: string;
  /** Set when signing must not go on. */
  refusal?: CertificateRefusal;
  warnings: CertificateWarning[];
  /** The path reaches a trust anchor. */
  trusted: boolean;
  /** The certificates above the checked one, nearest first, to embed in the signature (the anchor included when found). */
  chain: Uint8Array[];
  /** Subjects of the path, the checked certificate first. */
  path: string[];
  /** The status of each certificate of the path below the anchor, the checked one first. */
  statuses: CertificateStatus[];
  /** How missing issuers were found (AIA caIssuers), for the curious. */
  notes: string[];
}

const iso = (d: Date): string => d.toISOString();
const nameOf = (c: Certificate): string => c.commonName ?? c.subject;
const facts = (c: Certificate, ca = false): CertificateFacts => ({ subject: c.subject, commonName: c.commonName, ca: ca || undefined, notBefore: iso(c.notBefore), notAfter: iso(c.notAfter) });

/** A fetcher for `cached` mode: the network is never used, so only what the cache holds counts. */
const cacheOnly: RevocationFetcher = async (url) => {
  throw new Error(`not fetched: only cached data is used (${url})`);
};

/** Checks `der` at the clock's time; never throws for a bad certificate (the result says). */
export async function checkCertificate(der: Uint8Array, o: CertificateCheckOptions = {}): Promise<CertificateCheck> {
  const now = (o.clock ?? systemClock).now();
  const pool = o.pool ?? new CertificatePool();
  const leaf = pool.certificate(der);
  const purpose = o.purpose ?? "signing";
  const mode = o.revocation ?? "online";
  const result: CertificateCheck = {
    purpose, subject: leaf.subject, commonName: leaf.commonName, serialHex: leaf.serialHex, notBefore: iso(leaf.notBefore), notAfter: iso(leaf.notAfter),
    at: iso(now), warnings: [], trusted: false, chain: [], path: [leaf.subject], statuses: [], notes: [],
  };
  const refuse = (code: CertificateRefusalCode, message: string, f: CertificateFacts): CertificateCheck => ({ ...result, refusal: { code, message, ...f } });

  // The certificate itself, before any network: validity (RFC 5280 §4.1.2.5) and key usage (§4.2.1.3, §4.2.1.12).
  if (now < leaf.notBefore) return refuse("CERT_NOT_YET_VALID", `The certificate "${nameOf(leaf)}" is not valid before ${iso(leaf.notBefore)}`, facts(leaf));
  if (now > leaf.notAfter) return refuse("CERT_EXPIRED", `The certificate "${nameOf(leaf)}" expired on ${iso(leaf.notAfter)}`, facts(leaf));
  if (leaf.keyUsage && !leaf.keyUsage.has("digitalSignature") && !leaf.keyUsage.has("nonRepudiation"))
    return refuse("CERT_KEY_USAGE", `The certificate "${nameOf(leaf)}" may not be used for signatures (key usage: ${[...leaf.keyUsage].join(", ")})`, facts(leaf));
  if (purpose === "timestamping" && !(leaf.extendedKeyUsage ?? []).includes(PKIX_OID.ekuTimeStamping))
    return refuse("CERT_KEY_USAGE", `The certificate "${nameOf(leaf)}" is not a time-stamping certificate (no extended key usage timeStamping)`, facts(leaf));

  // The path: offered certificates (--chain, the token's), the trust store's, then AIA caIssuers.
  const fetcher = mode === "cached" ? cacheOnly : o.fetcher;
  const candidates = [...pool.certificates(o.offered ?? []), ...pool.certificates(o.intermediates ?? [])];
  const anchors = pool.certificates(o.trustAnchors ?? []);
  const built = await pathWithAia(leaf, now, true, { pool, anchors, candidates, now, fetcher, cache: o.cache }, result.notes);
  result.trusted = built.trusted;
  result.path = built.path.map((c) => c.subject);
  result.chain = built.path.slice(1).map((c) => c.der);
  // A CA of the path out of its validity period: refused as the certificate itself would be.
  for (const ca of built.path.slice(1)) {
    if (now < ca.notBefore) return refuse("CERT_NOT_YET_VALID", `The CA certificate "${nameOf(ca)}" of the path is not valid before ${iso(ca.notBefore)}`, facts(ca, true));
    if (now > ca.notAfter) return refuse("CERT_EXPIRED", `The CA certificate "${nameOf(ca)}" of the path expired on ${iso(ca.notAfter)}`, facts(ca, true));
  }
  for (const p of built.problems) if (p.code === "CHAIN_CONSTRAINTS_FAILURE") result.warnings.push({ code: "CHAIN_INVALID", message: p.message, ...facts(leaf) });
  const top = built.path[built.path.length - 1];
  if (!built.trusted) {
    if (top.selfIssued)
      result.warnings.push({ code: "NOT_TRUSTED", message: `The root "${nameOf(top)}" is not a trust anchor (kyso trust list; --trust): validators that do not trust it will not trust the signature`, ...facts(top, top !== leaf), issuer: top.subject });
    else
      result.warnings.push({ code: "CHAIN_INCOMPLETE", message: `The issuer "${top.issuer}" of "${nameOf(top)}" was not found (not given with --chain, not on the token, not in the trust store, not at the certificate's caIssuers address)`, ...facts(top, top !== leaf), issuer: top.issuer });
  }

  // Revocation of every certificate of the path below the anchor (a self-signed root has none).
  const last = built.trusted ? built.path.length - 1 : built.path.length;
  for (let i = 0; i < last; i++) {
    const cert = built.path[i];
    const issuer = built.path[i + 1];
    if (cert.selfIssued) break;
    let f: RevocationFinding;
    let errors: string[] | undefined;
    if (mode === "off") f = { status: "not-checked", message: "Revocation was not checked (--revocation-check off)" };
    else if (cert.ocspNoCheck) f = { status: "good", message: "OCSP responder certificate with id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1)" };
    else if (!issuer) {
      // A CA whose issuer is missing is named by CHAIN_INCOMPLETE; the checked certificate's own status is needed.
      if (i > 0) break;
      f = { status: "unknown", message: `The issuer "${cert.issuer}" was not found, so the status cannot be asked` };
    } else if (!fetcher) f = { status: "unknown", message: "No way to fetch revocation data was given" };
    else {
      const r = await fetchRevocationStatus(cert, issuer, fetcher, o.cache ?? noStore, now.getTime(), { extraCertificates: o.offered });
      f = r.finding ?? { status: "unknown", message: `No revocation information could be obtained: ${r.errors.join("; ")}` };
      errors = r.errors;
    }
    result.statuses.push({ subject: cert.subject, status: f.status, message: f.message, origin: f.origin });
    if (f.status === "revoked")
      return refuse("CERT_REVOKED", `The ${i === 0 ? "" : "CA "}certificate "${nameOf(cert)}" was revoked on ${f.revocationTime ?? "?"}${f.reason ? ` (${f.reason})` : ""} (${f.origin ?? f.source ?? "revocation data"})`, {
        ...facts(cert, i > 0), revocationTime: f.revocationTime, reason: f.reason, origin: f.origin,
      });
    if (f.status === "unknown" || f.status === "no-information") {
      const unknown: CertificateFacts = { ...facts(cert, i > 0), issuer: cert.issuer, errors };
      if (!o.allowUnknownStatus) return refuse("CERT_STATUS_UNKNOWN", `The revocation status of "${nameOf(cert)}" is not known: ${f.message}`, unknown);
      result.warnings.push({ code: "STATUS_UNKNOWN", message: `Signed although the revocation status of "${nameOf(cert)}" is not known (--allow-unknown-status): ${f.message}`, ...unknown });
    }
  }
  if (mode === "off") result.warnings.push({ code: "REVOCATION_NOT_CHECKED", message: "The revocation status was not checked (--revocation-check off)", ...facts(leaf) });
  return result;
}

/** Without a cache, nothing is kept between calls. */
const noStore: RevocationStore = { get: () => undefined, put: () => undefined };

/**
 * The error that stops signing for a refused certificate (exit code 2 in the CLI), carrying the
 * check as `details.certificateCheck`. `message` lets a front door say it in the user's language.
 */
export function certificateRefusalError(check: CertificateCheck, message?: string): KysoError {
  if (!check.refusal) throw new Error("certificateRefusalError: the certificate was not refused");
  return new KysoError(check.refusal.code, message ?? check.refusal.message, { details: { certificateCheck: check } });
}

/**
 * The signer, carrying the chain the check completed (EN 319 142-1 §5.2: the CMS carries the
 * certificates a validator needs to build the path). The key and everything else are the signer's.
 */
export function withChain(signer: RawSigner, chain: readonly Uint8Array[]): RawSigner {
  const s: RawSigner = {
    certificate: signer.certificate,
    chain,
    keyAlgorithm: signer.keyAlgorithm,
    maxSignatureLength: () => signer.maxSignatureLength(),
    sign: (data, scheme, digest) => signer.sign(data, scheme, digest),
  };
  // A remote signer keeps its batch capability (one round trip per group of documents).
  if (!isBatchRawSigner(signer)) return s;
  const b: BatchRawSigner = { ...s, batchSize: signer.batchSize, signDigests: (d, scheme, digest) => signer.signDigests(d, scheme, digest) };
  return b;
}
