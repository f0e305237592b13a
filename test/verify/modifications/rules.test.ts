// Legitimate later revisions that must stay allowed (pyHanko's default diff policy; ISO 32000-1
// §12.8.2.2) and the visible-widget rule after a P=2 certification, with documents signed by Kyso
// and by poppler (`pdfsig -add-signature`), changed by hand-built incremental updates.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { emptyFieldName, pki, samples } from "@kyso/certs-test";
import { PdfDict, PdfName, PdfRef } from "@kyso/pdf";
import type { VerifyOptions } from "@kyso/verify";
import { addDss } from "../attacks.js";
import { sign, tempDir } from "../support.js";
import { assertModifications, bytesOf, fileOf, judge, popplerSign, rules, update, visibleWidget } from "./helpers.js";

describe("verify modifications: rules", function () {
  const dir = tempDir("kyso-mod-rules-");
  let certifiedP2: string;

  before(async function () {
    certifiedP2 = await sign(samples.onePage, join(dir, "cert-p2.pdf"), "officerRsa", { certify: 2 });
  });

  describe("after a P=2 certification", function () {
    it("a new visible signature field fails (pyHanko's default); the policy switch allows it with a warning", async function () {
      const file = await sign(certifiedP2, join(dir, "p2-visible.pdf"), "orgSeal", { widget: visibleWidget("Org seal") });
      const strict = await judge(file);
      assertModifications(strict.signatures[0], false, ["visible-widget-after-certification"]);
      assert.match(strict.signatures[0].reasons.join("; "), /no new visible widget/);
      const lenient = await judge(file, { allowVisibleSignatureFieldsAfterCertification: true } as VerifyOptions);
      assertModifications(lenient.signatures[0], true, ["visible-sig-field-after-certification-allowed"]);
      assert.ok(lenient.signatures[0].warnings.some((w) => /visible signature field after a P=2 certification/.test(w)), lenient.signatures[0].warnings.join("; "));
    });

    it("a new invisible signature field signed by poppler is allowed", async function () {
      const report = await judge(popplerSign(certifiedP2, join(dir, "p2-poppler.pdf"), "PopplerSig"));
      assertModifications(report.signatures[0], true, ["sig-field-added", "sig-widget-added", "signature-added"]);
      assert.equal(report.signatures[0].modifications.permission, 2);
      assert.ok(report.signatures[0].modifications.changes.every((c) => c.visible !== true));
    });

    it("the existing empty field signed after a certification in another field stays allowed, with Adobe's /F 4 -> 132", async function () {
      const cert = await sign(samples.emptyField, join(dir, "ef-cert.pdf"), "officerRsa", { certify: 2 });
      const signedField = await sign(cert, join(dir, "ef-signed.pdf"), "orgSeal", { fieldName: emptyFieldName });
      const locked = fileOf(dir, "ef-locked.pdf", setWidgetFlags(bytesOf(signedField), emptyFieldName, 132));
      const report = await judge(popplerSign(locked, join(dir, "ef-locked-poppler.pdf"), "PopplerSig"));
      const certification = report.signatures.find((s) => s.modifications.certification)!;
      const approval = report.signatures.find((s) => s.field === emptyFieldName)!;
      assertModifications(certification, true, ["sig-field-signed", "widget-lock-flag", "sig-field-added"]);
      assertModifications(approval, true, ["widget-lock-flag", "sig-field-added"]);
      assert.equal(certification.modifications.permission, 2);
    });
  });

  describe("after an approval signature", function () {
    it("Adobe's double signing: the signed widget's /F goes from 4 to 132, then a second signature", async function () {
      const first = await sign(samples.emptyField, join(dir, "adobe-1.pdf"), "officerRsa", { fieldName: emptyFieldName });
      const flagged = fileOf(dir, "adobe-1f.pdf", setWidgetFlags(bytesOf(first), emptyFieldName, 132));
      const report = await judge(await sign(flagged, join(dir, "adobe-2.pdf"), "orgSeal"));
      assertModifications(report.signatures[0], true, ["widget-lock-flag"]);
      const flag = report.signatures[0].modifications.changes.find((c) => c.rule === "widget-lock-flag")!;
      assert.equal(flag.field, emptyFieldName);
    });

    it("a flag change that is not a lock (/F 4 -> 6, Hidden) is not allowed on a signed widget", async function () {
      const first = await sign(samples.emptyField, join(dir, "hide-1.pdf"), "officerRsa", { fieldName: emptyFieldName });
      const hidden = fileOf(dir, "hide-1f.pdf", setWidgetFlags(bytesOf(first), emptyFieldName, 6));
      const report = await judge(hidden);
      assertModifications(report.signatures[0], false, ["field-changed"]);
    });

    it("catalog /Version and /Extensions changes are allowed; poppler signs afterwards", async function () {
      const signed = await sign(samples.onePage, join(dir, "ver-1.pdf"));
      const bumped = fileOf(dir, "ver-2.pdf", update(bytesOf(signed), (w, r) => {
        const ext = new PdfDict([["ESIC", new PdfDict([["BaseVersion", PdfName.of("1.7")], ["ExtensionLevel", 2]])]]);
        w.set(r.catalogRef, r.catalog().clone().set("Version", PdfName.of("2.0")).set("Extensions", ext));
      }));
      const report = await judge(popplerSign(bumped, join(dir, "ver-3.pdf"), "PopplerSig"));
      assertModifications(report.signatures[0], true, ["catalog-version", "catalog-extensions", "signature-added"]);
    });

    it("a catalog change other than those (/OpenAction) is not allowed", async function () {
      const signed = await sign(samples.onePage, join(dir, "oa-1.pdf"));
      const changed = fileOf(dir, "oa-2.pdf", update(bytesOf(signed), (w, r) => w.set(r.catalogRef, r.catalog().clone().set("PageMode", PdfName.of("FullScreen")))));
      assertModifications((await judge(changed)).signatures[0], false, ["catalog-changed"]);
    });

    it("a signature field added in one revision and signed by poppler's new field in the next is allowed", async function () {
      const signed = await sign(samples.onePage, join(dir, "add-1.pdf"));
      const added = await sign(signed, join(dir, "add-2.pdf"), "orgSeal", { widget: visibleWidget("Org seal") });
      const report = await judge(popplerSign(added, join(dir, "add-3.pdf"), "PopplerSig"));
      assertModifications(report.signatures[0], true, ["sig-widget-added", "sig-field-added"]);
      assert.ok(report.signatures[0].modifications.changes.some((c) => c.visible === true), "the visible widget is reported as such");
      assertModifications(report.signatures[1], true, ["sig-field-added"]);
    });
  });

  describe("after a P=1 certification", function () {
    it("validation data (DSS) and a catalog /Version bump are allowed", async function () {
      const p1 = bytesOf(await sign(samples.onePage, join(dir, "p1.pdf"), "officerRsa", { certify: 1 }));
      const withDss = addDss(p1, [new Uint8Array(new X509Certificate(readFileSync(pki.root)).raw)], []);
      const bumped = update(withDss, (w, r) => w.set(r.catalogRef, r.catalog().clone().set("Version", PdfName.of("2.0"))));
      const report = await judge(fileOf(dir, "p1-dss.pdf", bumped));
      assertModifications(report.signatures[0], true, ["dss", "catalog-version"]);
    });

    it("a new signature by poppler is not allowed", async function () {
      const p1 = await sign(samples.onePage, join(dir, "p1b.pdf"), "officerRsa", { certify: 1 });
      const report = await judge(popplerSign(p1, join(dir, "p1b-poppler.pdf"), "PopplerSig"));
      assertModifications(report.signatures[0], false, ["sig-field-added"]);
      assert.ok(rules(report.signatures[0]).length > 0);
    });
  });
});

/** Sets the /F of the widget of field `name` in a new revision (as Acrobat does when it signs). */
function setWidgetFlags(bytes: Buffer, name: string, flags: number): Buffer {
  return update(bytes, (w, r) => {
    const fields = r.array(r.dict(r.catalog().get("AcroForm"))?.get("Fields"))?.items ?? [];
    const ref = fields.find((f) => r.dict(f)?.get("T") !== undefined && Buffer.from((r.dict(f)!.get("T") as { bytes: Uint8Array }).bytes).toString("latin1") === name);
    assert.ok(ref instanceof PdfRef, `field ${name}`);
    w.set(ref, (r.dict(ref) as PdfDict).clone().set("F", flags));
  });
}

