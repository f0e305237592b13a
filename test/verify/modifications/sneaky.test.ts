// The "sneaky signature" (pyHanko's term; RUB "Breaking the Specification: PDF Certification", 2021):
// a later revision adds a signature field whose appearance is the form XObject the signed page
// already draws, rewritten, so the page shows "999 000 000 VND" where "100 VND" was signed. Never
// allowed, after an approval signature and after a P=2 certification alike (ISO 32000-1 §12.8.2.2).
import assert from "node:assert/strict";
import { join } from "node:path";
import { samples } from "@kyso/certs-test";
import { PdfRef } from "@kyso/pdf";
import { sign, tempDir } from "../support.js";
import { addSignatureField, amount, assertModifications, bytesOf, fileOf, form, judge, load, popplerSign, update, withDrawnAmount } from "./helpers.js";

describe("verify modifications: sneaky signature", function () {
  const dir = tempDir("kyso-mod-sneaky-");
  let base: { bytes: Buffer; xobject: number };

  before(function () {
    base = withDrawnAmount(load(samples.onePage));
  });

  /** The attack revision: a new signature field whose /AP /N is the page's XObject, rewritten. */
  const sneaky = (signed: Buffer, xobject: number): Buffer =>
    update(signed, (w, r) => {
      const x = new PdfRef(xobject, 0);
      w.set(x, form(amount("999 000 000 VND")));
      addSignatureField(w, r, "Sneaky", x);
    });

  for (const certify of [undefined, 2] as const) {
    const label = certify ? "after a P=2 certification" : "after an approval signature";
    it(`${label}: the page's XObject rewritten as a new signature's appearance, then signed by Kyso, fails`, async function () {
      const src = fileOf(dir, `base-${certify ?? "a"}.pdf`, base.bytes);
      const signed = bytesOf(await sign(src, join(dir, `signed-${certify ?? "a"}.pdf`), "officerRsa", certify ? { certify } : {}));
      const attacked = fileOf(dir, `attacked-${certify ?? "a"}.pdf`, sneaky(signed, base.xobject));
      // The attacker then signs the sneaky field (it is an existing empty field now).
      const resigned = await sign(attacked, join(dir, `resigned-${certify ?? "a"}.pdf`), "orgSeal", { fieldName: "Sneaky" });
      const report = await judge(resigned);
      const [first, second] = report.signatures;
      assert.equal(first.integrity, true, "the first signature's bytes are intact: only the analysis can catch this");
      assertModifications(first, false, ["sneaky-signature-overwrite"]);
      assert.equal(first.indication, "TOTAL_FAILED");
      const overwrite = first.modifications.changes.find((c) => c.rule === "sneaky-signature-overwrite")!;
      assert.equal(overwrite.object, `${base.xobject} 0 R`);
      assert.equal(overwrite.allowed, false);
      assert.match(overwrite.description, /page 1 \/Resources/);
      assert.equal(second.modifications.allowed, true, "the attacker's own signature covers the whole file");
      assert.equal(report.indication, "TOTAL_FAILED");
    });
  }

  it("after an approval: the same overwrite without a new field is a page-content overwrite, signed by poppler", async function () {
    const src = fileOf(dir, "base-p.pdf", base.bytes);
    const signed = bytesOf(await sign(src, join(dir, "signed-p.pdf")));
    const rewritten = fileOf(dir, "rewritten-p.pdf", update(signed, (w) => w.set(new PdfRef(base.xobject, 0), form(amount("999 000 000 VND")))));
    const popplerSigned = popplerSign(rewritten, join(dir, "rewritten-p-poppler.pdf"), "PopplerSig");
    const report = await judge(popplerSigned);
    assertModifications(report.signatures[0], false, ["page-content-overwrite"]);
    assert.equal(report.signatures[1].modifications.allowed, true);
  });

  it("a new signature field with a NEW appearance stream after an approval, then signed, is allowed", async function () {
    const src = fileOf(dir, "base-n.pdf", base.bytes);
    const signed = bytesOf(await sign(src, join(dir, "signed-n.pdf")));
    const added = fileOf(dir, "added-n.pdf", update(signed, (w, r) => void addSignatureField(w, r, "Second", w.add(form(amount("Second signer"))))));
    const report = await judge(await sign(added, join(dir, "added-n-signed.pdf"), "orgSeal", { fieldName: "Second" }));
    assertModifications(report.signatures[0], true, ["sig-widget-added", "sig-field-added", "sig-field-signed"]);
    assert.equal(report.signatures[1].modifications.allowed, true);
  });
});
