import type { Certificate, CertificatePool } from "./certificate.js";

export interface ChainProblem {
  code: "NO_CERTIFICATE_CHAIN_FOUND" | "EXPIRED" | "NOT_YET_VALID" | "OUT_OF_BOUNDS_NO_POE" | "CHAIN_CONSTRAINTS_FAILURE" | "SIG_CONSTRAINTS_FAILURE";
  message: string;
  // The message's facts, for a front door that words it in its user's language:
  /** Index in the path of the certificate concerned (0: the signer's). */
  certificate?: number;
  /** Its common name, else its subject (NO_CERTIFICATE_CHAIN_FOUND: the signer's subject). */
  subject?: string;
  /** NO_CERTIFICATE_CHAIN_FOUND: the issuer the path stops at. */
  issuer?: string;
  /** The validity bound passed (ISO 8601): notBefore for NOT_YET_VALID, notAfter otherwise. */
  time?: string;
  /** CHAIN_CONSTRAINTS_FAILURE: the extension that failed. */
  constraint?: "basicConstraints" | "keyUsage" | "pathLen";
}

export interface ChainResult {
  trusted: boolean;
  /** Signer first, trust anchor last (when found). */
  path: Certificate[];
  problems: ChainProblem[];
}

/**
 * Builds a path from the signer to a trust anchor (RFC 5280 §6, simplified: names, signatures,
 * validity at `at`, basic constraints, key usage) out of the certificates offered by the CMS, the
 * DSS and the anchors. Identifies issuers by signature, never by name alone.
 */
export interface PathOptions {
  /** Certificates that may be intermediates: the CMS's, the DSS's, the trust store's intermediates, fetched ones. */
  candidates: readonly Certificate[];
  anchors: readonly Certificate[];
  /** The time the path must be valid at (the best signature time). */
  at: Date;
  /** `at` is proven (timestamp); otherwise expiry before `now` cannot be excused. */
  timeIsProven: boolean;
  now: Date;
  pool: CertificatePool;
}

/** The one path builder (RFC 5280 §6, simplified). */
export function buildPath(leaf: Certificate, o: PathOptions): ChainResult {
  return buildChainFrom(leaf, o.candidates, o.anchors, o.at, o.timeIsProven, o.now, o.pool);
}

function buildChainFrom(leaf: Certificate, pool: readonly Certificate[], anchors: readonly Certificate[], at: Date, timeIsProven: boolean, now: Date, certs: CertificatePool): ChainResult {
  const issued = (a: Certificate, b: Certificate): boolean => certs.issued(a, b);
  const path: Certificate[] = [leaf];
  const problems: ChainProblem[] = [];
  const isAnchor = (c: Certificate): boolean => anchors.some((a) => a.sha256 === c.sha256);
  let trusted = isAnchor(leaf);
  let current = leaf;
  for (let depth = 0; !trusted && depth < 10; depth++) {
    const anchor = anchors.find((a) => issued(a, current));
    if (anchor) {
      path.push(anchor);
      trusted = true;
      break;
    }
    const next = pool.find((c) => c.sha256 !== current.sha256 && !path.some((p) => p.sha256 === c.sha256) && issued(c, current));
    if (!next) break;
    path.push(next);
    current = next;
    trusted = isAnchor(next);
  }
  if (!trusted) problems.push({ code: "NO_CERTIFICATE_CHAIN_FOUND", message: `No chain from "${leaf.subject}" to a trusted root (issuer "${path[path.length - 1].issuer}")`, certificate: 0, subject: leaf.subject, issuer: path[path.length - 1].issuer });

  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    const who = i === 0 ? "signer certificate" : `CA certificate "${c.commonName ?? c.subject}"`;
    const of = { certificate: i, subject: c.commonName ?? c.subject };
    if (at < c.notBefore) problems.push({ code: "NOT_YET_VALID", message: `The ${who} was not yet valid at the signing time (valid from ${c.notBefore.toISOString()})`, ...of, time: c.notBefore.toISOString() });
    else if (at > c.notAfter) problems.push({ code: "EXPIRED", message: `The ${who} had expired at the signing time (valid until ${c.notAfter.toISOString()})`, ...of, time: c.notAfter.toISOString() });
    else if (!timeIsProven && now > c.notAfter)
      problems.push({ code: "OUT_OF_BOUNDS_NO_POE", message: `The ${who} expired on ${c.notAfter.toISOString()} and no timestamp proves the signature existed before`, ...of, time: c.notAfter.toISOString() });
    if (i > 0) {
      if (!c.isCa) problems.push({ code: "CHAIN_CONSTRAINTS_FAILURE", message: `The ${who} is not a CA (basicConstraints)`, ...of, constraint: "basicConstraints" });
      if (c.keyUsage && !c.keyUsage.has("keyCertSign")) problems.push({ code: "CHAIN_CONSTRAINTS_FAILURE", message: `The ${who} may not sign certificates (keyUsage)`, ...of, constraint: "keyUsage" });
      if (c.pathLen !== undefined && i - 1 > c.pathLen) problems.push({ code: "CHAIN_CONSTRAINTS_FAILURE", message: `The path is longer than the ${who} allows (pathLenConstraint)`, ...of, constraint: "pathLen" });
    }
  }
  if (leaf.keyUsage && !leaf.keyUsage.has("digitalSignature") && !leaf.keyUsage.has("nonRepudiation"))
    problems.push({ code: "SIG_CONSTRAINTS_FAILURE", message: "The signer certificate's key usage does not allow signatures", certificate: 0, subject: leaf.commonName ?? leaf.subject });
  return { trusted, path, problems };
}
