import { CertificatePool, buildPath, checkTimeStampToken, parseTimeStampToken, type VerifyDigest } from "@kyso/cms";

/** What a timestamp token proves, after its checks (RFC 3161 §2.4.2, EN 319 102-1 §5.4). */
export interface TimestampFinding {
  valid: boolean;
  genTime: Date | undefined;
  tsaCertificate: Uint8Array | undefined;
  /** The TSA's chain up to (and including) a trust anchor when trusted. */
  tsaChain: Uint8Array[];
  trusted: boolean;
  problems: string[];
}

/**
 * The path from `cert` to one of `anchors` through `candidates`, by the one path builder
 * (`buildPath`, packages/cms), evaluated at the proven time `at`: `cert` first, the anchor last;
 * undefined when it reaches none. No anchors: nothing is trusted (a self-issued certificate is not
 * a trust anchor for being self-issued).
 */
export function pathToAnchor(cert: Uint8Array, candidates: readonly Uint8Array[], anchors: readonly Uint8Array[], at: Date, pool: CertificatePool): Uint8Array[] | undefined {
  if (anchors.length === 0) return undefined;
  let leaf;
  try {
    leaf = pool.certificate(cert);
  } catch {
    return undefined;
  }
  const r = buildPath(leaf, { candidates: pool.certificates(candidates), anchors: pool.certificates(anchors), at, timeIsProven: true, now: at, pool });
  return r.trusted ? r.path.map((c) => c.der) : undefined;
}

/**
 * Validates a timestamp token against the data it should cover: the imprint, the CMS signature, the
 * ESS certificate binding, the timeStamping EKU, the TSA certificate's validity at genTime (all by
 * `checkTimeStampToken`), and a chain to one of `trustAnchors` (certificates from `candidates`,
 * e.g. the DSS, complete it). Without a chain to an anchor the token is not trusted, so not valid
 * (RFC 3161 §2.4.2: the TSA must be trusted; EN 319 102-1 §5.4); no anchors means no trusted TSA.
 * `imprintOf` computes the expected imprint with the token's own digest algorithm.
 */
export function validateTimestamp(
  token: Uint8Array,
  imprintOf: (alg: VerifyDigest) => Uint8Array,
  trustAnchors: readonly Uint8Array[],
  candidates: readonly Uint8Array[] = [],
  pool: CertificatePool = new CertificatePool(64),
): TimestampFinding {
  let alg: VerifyDigest;
  try {
    alg = parseTimeStampToken(token).tstInfo.digestAlgorithm ?? "SHA-256";
  } catch (e) {
    return { valid: false, genTime: undefined, tsaCertificate: undefined, tsaChain: [], trusted: false, problems: [`unreadable timestamp token (${(e as Error).message})`] };
  }
  const check = checkTimeStampToken(token, { imprint: imprintOf(alg), extraCertificates: candidates, pool });
  const problems = check.problems.map((p) => p.message);
  let tsaChain: Uint8Array[] = check.tsaChain;
  let trusted = false;
  if (check.tsaCertificate) {
    const path = pathToAnchor(check.tsaCertificate, [...check.token.certificates, ...candidates], trustAnchors, check.genTime, pool);
    trusted = path !== undefined;
    if (path) tsaChain = path.slice(1);
    if (!trusted) problems.push(trustAnchors.length === 0 ? "no trust anchors were given, so the time-stamp authority is not trusted" : "the time-stamp authority does not chain to a trusted root");
  }
  return { valid: problems.length === 0, genTime: check.genTime, tsaCertificate: check.tsaCertificate, tsaChain, trusted, problems };
}
