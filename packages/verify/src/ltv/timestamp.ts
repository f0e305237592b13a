import { bytesEqual, type DigestAlgorithm } from "@kyso/core";
import { buildChain, checkTimeStampToken, isSelfIssued, parseTimeStampToken } from "@kyso/cms";

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
 * Validates a timestamp token against the data it should cover: the imprint, the CMS signature, the
 * ESS certificate binding, the timeStamping EKU, the TSA certificate's validity at genTime, and a
 * chain to one of `trustAnchors` (certificates from `pool`, e.g. the DSS, complete it; with no
 * anchors any self-issued root ends the chain: trust is then the caller's business).
 * `imprintOf` computes the expected imprint with the token's own digest algorithm.
 */
export function validateTimestamp(
  token: Uint8Array,
  imprintOf: (alg: DigestAlgorithm) => Uint8Array,
  trustAnchors: readonly Uint8Array[],
  pool: readonly Uint8Array[] = [],
): TimestampFinding {
  let alg: DigestAlgorithm;
  try {
    alg = parseTimeStampToken(token).tstInfo.digestAlgorithm ?? "SHA-256";
  } catch (e) {
    return { valid: false, genTime: undefined, tsaCertificate: undefined, tsaChain: [], trusted: false, problems: [`unreadable timestamp token (${(e as Error).message})`] };
  }
  const check = checkTimeStampToken(token, { imprint: imprintOf(alg), extraCertificates: pool });
  const problems = check.problems.map((p) => p.message);
  let tsaChain: Uint8Array[] = [];
  let trusted = false;
  if (check.tsaCertificate) {
    const all = [...check.token.certificates, ...pool, ...trustAnchors];
    tsaChain = buildChain(check.tsaCertificate, all);
    const top = tsaChain.length ? tsaChain[tsaChain.length - 1] : check.tsaCertificate;
    trusted = isSelfIssued(top) && (trustAnchors.length === 0 || trustAnchors.some((a) => bytesEqual(a, top)));
    if (!trusted) problems.push("the time-stamp authority does not chain to a trusted root");
  }
  return { valid: problems.length === 0, genTime: check.genTime, tsaCertificate: check.tsaCertificate, tsaChain, trusted, problems };
}
