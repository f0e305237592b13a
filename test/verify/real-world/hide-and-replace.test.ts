import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { nssDb } from "@kyso/certs-test";
import { tempDir, verify } from "../support.js";
import { describeReport, onlySignature } from "./expect.js";
import { opensslCmsVerify } from "./openssl.js";
import { hideAndReplace, type HideAndReplace } from "./structure-fixtures.js";

/**
 * Issue 11, acceptance 3 (item 4 of "What was seen"): a signed revision already holds a second,
 * unused catalog and page tree; a later incremental update made of nothing but a cross-reference
 * section and a trailer points /Root at it. No object is rewritten, yet the document is another one.
 * The modification analysis must compare what each trailer describes, not only rewritten objects.
 */
const signers = { openssl: "openssl's CMS in Kyso's placeholder", pdfsig: "poppler's pdfsig -add-signature" } as const;

for (const by of ["openssl", "pdfsig"] as const) suite(by);

function suite(by: keyof typeof signers): void {
  describe(`verify: trailer-only hide-and-replace (signed by ${signers[by]})`, function () {
    const dir = tempDir("kyso-real-world-hide-");
    let h: HideAndReplace;
    const text = (file: string): string => execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    const qpdfCheck = (file: string): void => void execFileSync("qpdf", ["--check", file], { stdio: "pipe" });

    before(async function () {
      h = await hideAndReplace(dir, by);
    });

    it("the fixture: qpdf accepts all three files, poppler shows 100 VND when signed and 999 000 000 VND after the trailer-only update", function () {
      for (const x of [h.signed, h.attack, h.noop]) qpdfCheck(x.file);
      if (by === "openssl") assert.ok(opensslCmsVerify(h.signed.cms, h.signed.ranges, h.signed.caFile).ok);
      else assert.match(execFileSync("pdfsig", ["-no-ocsp", "-nssdir", nssDb, h.signed.file], { encoding: "utf8" }), /Signature is Valid/);
      assert.match(text(h.signed.file), /100 VND/);
      assert.match(text(h.attack.file), /999 000 000 VND/);
      assert.doesNotMatch(text(h.attack.file), /So tien: 100 VND/);
      assert.match(text(h.noop.file), /So tien: 100 VND/);
      // Only an xref section and a trailer were appended: no "obj" after the signed revision.
      const tail = readFileSync(h.attack.file).subarray(readFileSync(h.signed.file).length).toString("latin1");
      assert.doesNotMatch(tail, /\d+\s+\d+\s+obj/);
      assert.match(tail, /\/Root 6 0 R/);
    });

    it("trailer-only-hide-and-replace: never TOTAL_PASSED; TOTAL_FAILED DISALLOWED_MODIFICATION, integrity of the signed revision still true", async function () {
      for (const revocation of ["off", "embedded"] as const) {
        const r = await verify(h.attack.file, { revocation });
        const s = onlySignature(r);
        const what = `${revocation}: ${describeReport(r)}`;
        assert.notEqual(r.indication, "TOTAL_PASSED", what);
        assert.equal(s.integrity, true, what);
        assert.equal(s.modifications.allowed, false, what);
        assert.equal(s.indication, "TOTAL_FAILED", what);
        assert.equal(s.subIndication, "DISALLOWED_MODIFICATION", what);
        assert.equal(r.subIndication, "DISALLOWED_MODIFICATION", what);
      }
    });

    it("control trailer-only-no-op (same /Root): the update changes nothing the document is, so it is allowed", async function () {
      const r = await verify(h.noop.file, { revocation: "off" });
      const s = onlySignature(r);
      const what = describeReport(r);
      assert.equal(s.integrity, true, what);
      assert.equal(s.modifications.allowed, true, what);
      assert.notEqual(s.subIndication, "DISALLOWED_MODIFICATION", what);
      assert.notEqual(r.indication, "TOTAL_PASSED", `--revocation off never yields TOTAL_PASSED: ${what}`);
    });
  });
}
