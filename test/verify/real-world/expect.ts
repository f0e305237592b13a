/** Verdict assertions shared by the real-world tests (issue 11, acceptance 3). */
import assert from "node:assert/strict";
import type { FileReport, SignatureReport, SubIndication } from "@kyso/verify";

/** Sub-indications that tell a clerk the document or signature was forged or broken (EN 319 102-1 §5.1.3). */
export const FORGERY: readonly SubIndication[] = ["FORMAT_FAILURE", "HASH_FAILURE", "SIG_CRYPTO_FAILURE"];

export function describeReport(r: FileReport): string {
  const sigs = r.signatures.map((s) => `[${s.field}: ${s.indication}/${s.subIndication} integrity=${s.integrity} chain=${s.chain.trusted}/${s.chain.path.length} reasons=${s.reasons.join(" | ")}]`);
  return `${r.indication}/${r.subIndication} ${r.reasons.join(" | ")} ${sigs.join(" ")}`;
}

export function onlySignature(r: FileReport): SignatureReport {
  assert.equal(r.signatures.length, 1, `one signature expected: ${describeReport(r)}`);
  return r.signatures[0];
}

/**
 * A genuine signature checked with `revocation: "off"`: its bytes and its key are right and its
 * chain reaches the anchor, yet with revocation off the verdict is never TOTAL_PASSED (issue 11:
 * "--revocation off exists for diagnosis and never yields TOTAL_PASSED") and never a failure, so
 * INDETERMINATE.
 */
export function assertGenuineRevocationOff(r: FileReport, pathLength = 3): SignatureReport {
  const s = onlySignature(r);
  const what = describeReport(r);
  assert.equal(s.integrity, true, `integrity: ${what}`);
  assert.ok(!FORGERY.includes(s.subIndication as SubIndication), `no forgery claim: ${what}`);
  assert.ok(!FORGERY.includes(r.subIndication as SubIndication), `no forgery claim for the file: ${what}`);
  assert.notEqual(s.subIndication, "DISALLOWED_MODIFICATION", what);
  assert.equal(s.chain.trusted, true, `chain trusted: ${what}`);
  assert.equal(s.chain.path.length, pathLength, `path length: ${what}`);
  assert.notEqual(r.indication, "TOTAL_PASSED", `--revocation off never yields TOTAL_PASSED: ${what}`);
  assert.equal(s.indication, "INDETERMINATE", `signature verdict: ${what}`);
  assert.equal(r.indication, "INDETERMINATE", `file verdict: ${what}`);
  return s;
}

/** A /ByteRange Kyso must refuse: TOTAL_FAILED FORMAT_FAILURE, a plain message naming the byte range. */
export function assertByteRangeRefused(r: FileReport): void {
  const s = onlySignature(r);
  const what = describeReport(r);
  assert.equal(r.indication, "TOTAL_FAILED", what);
  assert.equal(r.subIndication, "FORMAT_FAILURE", what);
  assert.equal(s.indication, "TOTAL_FAILED", what);
  assert.equal(s.subIndication, "FORMAT_FAILURE", what);
  assert.ok(s.reasons.length > 0 && /byte ?range/i.test(s.reasons[0]), `the first reason names the byte range: ${what}`);
  // A plain message: no stack trace, no internal error text.
  assert.ok(!/\bat .+:\d+:\d+\)?$|TypeError|RangeError|undefined/m.test(s.reasons.join("\n")), `plain reasons: ${what}`);
}
