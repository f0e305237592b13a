import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tempDir, verify } from "../support.js";
import { assertByteRangeRefused } from "./expect.js";
import { opensslBaseline, type Fixture } from "./fixtures.js";
import { opensslCmsVerify } from "./openssl.js";
import { byteRangeGap, byteRangeOverlap, byteRangePastEof, byteRangeTruncated } from "./structure-fixtures.js";

/**
 * Issue 11, acceptance 3: a /ByteRange that points past the end of the file, overlaps, or leaves a
 * gap other than /Contents stays TOTAL_FAILED FORMAT_FAILURE with a plain message, never an
 * exception (ISO 32000-1 §12.8.1: the byte range covers the whole file except /Contents;
 * ETSI EN 319 142-1 §5.1 f). The CMS is openssl's; where the tweak allows it, it is valid over the
 * ranges as declared, so only the structural rule can refuse the document.
 */
describe("verify: /ByteRange past EOF, overlapping, or with a gap", function () {
  const dir = tempDir("kyso-real-world-byterange-");
  const f: Record<string, Fixture> = {};
  const br = (file: string): number[] => {
    const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(readFileSync(file, "latin1"));
    assert.ok(m, `no /ByteRange in ${file}`);
    return m.slice(1).map(Number);
  };

  before(async function () {
    const good = await opensslBaseline(dir);
    f.good = good;
    for (const x of [await byteRangePastEof(dir), byteRangeTruncated(dir, good), await byteRangeOverlap(dir), await byteRangeGap(dir)]) f[x.name] = x;
  });

  it("the fixtures: each /ByteRange is as named, and openssl accepts the CMS over the bytes it signed", function () {
    const size = (x: Fixture): number => readFileSync(x.file).length;
    const eof = br(f["byterange-past-eof"].file);
    assert.ok(eof[2] + eof[3] > size(f["byterange-past-eof"]), "past EOF");
    const cut = br(f["byterange-past-eof-truncated"].file);
    assert.ok(cut[2] + cut[3] > size(f["byterange-past-eof-truncated"]), "past EOF after truncation");
    const overlap = br(f["byterange-overlap"].file);
    assert.ok(overlap[2] < overlap[0] + overlap[1], "the second range starts inside the first");
    const gap = br(f["byterange-gap"].file);
    const text = readFileSync(f["byterange-gap"].file, "latin1");
    const contents = text.indexOf("/Contents <", gap[1]) + "/Contents ".length;
    assert.ok(contents > gap[1] + 30 && contents < gap[2], "the gap holds 40 bytes of the signature dictionary before the /Contents string");
    for (const x of [f["byterange-past-eof"], f["byterange-overlap"], f["byterange-gap"]]) {
      const v = opensslCmsVerify(x.cms, x.ranges, x.caFile);
      assert.ok(v.ok, `${x.name}: ${v.output}`);
    }
  });

  it("control: the same openssl signature with an honest /ByteRange is not refused", async function () {
    const r = await verify(f.good.file, { revocation: "off" });
    assert.equal(r.signatures[0]?.integrity, true);
    assert.notEqual(r.subIndication, "FORMAT_FAILURE");
  });

  for (const name of ["byterange-past-eof", "byterange-past-eof-truncated", "byterange-overlap", "byterange-gap"]) {
    it(`${name}: TOTAL_FAILED FORMAT_FAILURE with a plain message, no exception`, async function () {
      assertByteRangeRefused(await verify(f[name].file, { revocation: "off" }));
    });
  }
});
