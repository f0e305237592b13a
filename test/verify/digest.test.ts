// The one-pass hashing of verifyPdf: a SHA-256 signature's digest continues from a copy of the file
// hash at the start of its /Contents gap, so its first and second byte ranges are hashed on different
// paths. A flipped byte on either side must break that signature and only the signatures covering it.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { samples } from "@kyso/certs-test";
import { lastByteRange } from "./attacks.js";
import { sign, tempDir, verify } from "./support.js";

/** A copy of `file` with one byte changed inside a /Reason value (which follows /Contents, so lies in the second range). */
function flipInReason(file: string, out: string, marker: string): string {
  const b = Buffer.from(readFileSync(file));
  const at = b.indexOf(marker);
  assert.ok(at > 0, `${marker} in ${file}`);
  b[at] ^= 0x01;
  writeFileSync(out, b);
  return out;
}

describe("verify: digests over byte ranges in one pass", function () {
  const dir = tempDir("kyso-digest-");
  let one: string;
  let two: string;
  before(async function () {
    one = await sign(samples.onePage, join(dir, "one.pdf"), "officerRsa", { reason: "Reason-first-XYZ" });
    two = await sign(one, join(dir, "two.pdf"), "orgSeal", { reason: "Reason-second-XYZ", digestAlgorithm: "SHA-512" });
    const third = await sign(two, join(dir, "three.pdf"), "officerEc", { reason: "Reason-third-XYZ" });
    assert.ok(third);
  });

  it("the file SHA-256 is that of the whole file, and intact signatures verify (SHA-256, SHA-512, SHA-256)", async function () {
    const file = join(dir, "three.pdf");
    const r = await verify(file);
    assert.equal(r.sha256, createHash("sha256").update(readFileSync(file)).digest("hex"));
    assert.deepEqual(r.signatures.map((s) => [s.digestAlgorithm, s.integrity]), [["SHA-256", true], ["SHA-512", true], ["SHA-256", true]]);
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
  });

  it("a byte flipped in the second range breaks that signature (and those covering it), not earlier ones", async function () {
    const file = join(dir, "three.pdf");
    const br = lastByteRange(readFileSync(file));
    const flipped = flipInReason(file, join(dir, "flip-third.pdf"), "Reason-third-XYZ");
    assert.ok(readFileSync(file).indexOf("Reason-third-XYZ") > br[2], "the reason lies after the gap");
    const r = await verify(flipped);
    assert.deepEqual(r.signatures.map((s) => s.integrity), [true, true, false]);
    assert.equal(r.signatures[2].subIndication, "HASH_FAILURE");
    const r1 = await verify(flipInReason(file, join(dir, "flip-first.pdf"), "Reason-first-XYZ"));
    assert.deepEqual(r1.signatures.map((s) => s.integrity), [false, false, false]);
    const r2 = await verify(flipInReason(file, join(dir, "flip-second.pdf"), "Reason-second-XYZ"));
    assert.deepEqual(r2.signatures.map((s) => s.integrity), [true, false, false]);
  });

  it("a byte flipped in the first range breaks the signature", async function () {
    const b = Buffer.from(readFileSync(one));
    b[b.indexOf("/MediaBox") + 3] ^= 0x01;
    writeFileSync(join(dir, "flip-range1.pdf"), b);
    const f = await verify(join(dir, "flip-range1.pdf"));
    assert.equal(f.signatures[0].integrity, false);
    assert.equal(f.indication, "TOTAL_FAILED");
  });
});
