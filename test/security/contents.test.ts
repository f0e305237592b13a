// Issue 12, "Bounded work": a PDF whose one /Contents holds 44 MB of hex is FORMAT_FAILURE for its
// size at once, without decoding the string, and ties up no worker: a normal verification sent beside
// four of them succeeds quickly (before: each held a worker 30 s and the good one timed out, 504).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import { PdfReader, PdfString } from "@kyso/pdf";
import { verifyPdf, type FileReport } from "@kyso/verify";
import { serve } from "../service/support.js";
import { sign, tempDir } from "../verify/support.js";
import { hugeContentsPdf, writeHugeContentsPdf } from "./support.js";

const HEX = 44_000_000;
const SIZE_REASON = /\/Contents\) is 44000000 hex digits \(22000000 bytes\), more than the 524288 bytes a signature may hold/;

describe("security: an oversized /Contents", function () {
  const dir = tempDir("kyso-sec-contents-");
  let huge: string;
  before(() => {
    huge = writeHugeContentsPdf(join(dir, "huge-contents.pdf"), HEX);
  });

  it("is TOTAL_FAILED FORMAT_FAILURE naming its size, at once (the string is never decoded)", async () => {
    const t0 = performance.now();
    const r = await verifyPdf({ path: huge }, { revocation: "embedded" });
    const ms = performance.now() - t0;
    assert.equal(r.indication, "TOTAL_FAILED");
    assert.equal(r.subIndication, "FORMAT_FAILURE");
    assert.equal(r.signatures.length, 1);
    assert.match(r.signatures[0].reasons.join(" "), SIZE_REASON);
    // Decoding the string byte by byte took ~30 s before; the bound is generous for a shared machine.
    assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
  });

  it("the PDF reader with a string bound keeps a placeholder: the real size and a digest, not the bytes", () => {
    const bytes = hugeContentsPdf(4_000_000);
    const bounded = PdfReader.fromBytes(bytes, { maxStringBytes: 512 * 1024 });
    const c = bounded.dict(bounded.getObject(5))?.get("Contents");
    assert.ok(c instanceof PdfString);
    assert.equal(c.omittedLength, 2_000_000);
    assert.equal(c.bytes.length, 32);
    // Unbounded (the default), the same string is decoded whole.
    const whole = PdfReader.fromBytes(bytes).dict(PdfReader.fromBytes(bytes).getObject(5))?.get("Contents") as PdfString;
    assert.equal(whole.bytes.length, 2_000_000);
    assert.equal(whole.omittedLength, 0);
  });

  it("a signature value just over the bound by ByteRange is refused; one within it is read (boundary)", async () => {
    const over = await verifyPdf({ bytes: hugeContentsPdf(2 * 512 * 1024 + 2), name: "over.pdf" }, { revocation: "embedded" });
    assert.match(over.signatures[0].reasons.join(" "), /more than the 524288 bytes/);
    const at = await verifyPdf({ bytes: hugeContentsPdf(2 * 512 * 1024), name: "at.pdf" }, { revocation: "embedded" });
    assert.equal(at.indication, "TOTAL_FAILED");
    assert.doesNotMatch(at.signatures[0].reasons.join(" "), /more than the 524288 bytes/);
  });

  it("through kyso serve --workers 2: four of them at once and a good document beside them, which is verified quickly", async () => {
    const good = readFileSync(await sign(samples.onePage, join(dir, "good.pdf")));
    const body = readFileSync(huge);
    const srv = await serve(["--trust", pki.root, "--revocation", "embedded", "--workers", "2", "--body-limit", "60", "--audit-log", join(dir, "audit.jsonl")]);
    try {
      const post = async (bytes: Buffer): Promise<{ status: number; report: FileReport; ms: number }> => {
        const t0 = performance.now();
        const res = await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: bytes });
        return { status: res.status, report: (await res.json()) as FileReport, ms: performance.now() - t0 };
      };
      const hostile = [1, 2, 3, 4].map(() => post(body));
      await new Promise((r) => setTimeout(r, 200));
      const normal = await post(good);
      const all = await Promise.all(hostile);
      assert.equal(normal.status, 200);
      assert.equal(normal.report.indication, "INDETERMINATE", JSON.stringify(normal.report.reasons)); // embedded revocation: nothing to look at
      assert.equal(normal.report.signatures[0].integrity, true);
      assert.ok(normal.ms < 10_000, `the good document took ${normal.ms.toFixed(0)} ms`);
      for (const h of all) {
        assert.equal(h.status, 200);
        assert.equal(h.report.subIndication, "FORMAT_FAILURE");
        assert.match(h.report.signatures[0].reasons.join(" "), SIZE_REASON);
      }
    } finally {
      await srv.stop();
    }
  });
});
