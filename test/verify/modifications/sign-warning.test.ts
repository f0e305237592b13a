// `kyso sign` on a P=2-certified document with a visible appearance in a new field: the signature is
// made, but strict validators (Kyso's default policy among them) reject a new visible widget after a
// certification, so the officer is warned and pointed to an existing empty field.
import assert from "node:assert/strict";
import { join } from "node:path";
import { emptyFieldName, p12Password, pki, samples } from "@kyso/certs-test";
import { runCli, sign, tempDir } from "../support.js";
import { assertModifications, judge } from "./helpers.js";

describe("kyso sign: warning on a visible new field after a P=2 certification", function () {
  const dir = tempDir("kyso-mod-warn-");
  const env = { KYSO_P12_PASSWORD: p12Password };

  it("warns (English and Vietnamese), names the empty field, and the verdict it warns of is what verify says", async function () {
    const certified = await sign(samples.emptyField, join(dir, "cert.pdf"), "officerRsa", { certify: 2 });
    const r = runCli(["sign", certified, "--p12", pki.orgSeal.p12, "--appearance", "personal", "--page", "1", "--out-dir", join(dir, "en"), "--lang", "en"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*certified \(DocMDP P=2\): a visible signature in a new field breaks the certification for strict validators/);
    assert.ok(r.stderr.includes(`--field "${emptyFieldName}"`), r.stderr);
    const vi = runCli(["sign", certified, "--p12", pki.orgSeal.p12, "--appearance", "personal", "--page", "1", "--out-dir", join(dir, "vi"), "--lang", "vi"], env);
    assert.equal(vi.code, 0, vi.stderr);
    assert.match(vi.stderr, /cảnh báo: .*chứng nhận \(DocMDP P=2\)/);
    const report = await judge(join(dir, "en", "cert.pdf"));
    const certification = report.signatures.find((s) => s.modifications.certification)!;
    assertModifications(certification, false, ["visible-widget-after-certification"]);
  });

  it("says nothing when the document is not certified, or the signature is invisible", async function () {
    const plain = await sign(samples.onePage, join(dir, "plain.pdf"));
    const a = runCli(["sign", plain, "--p12", pki.orgSeal.p12, "--appearance", "personal", "--page", "1", "--out-dir", join(dir, "plain-out"), "--lang", "en"], env);
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stderr, /warning/);
    const certified = await sign(samples.onePage, join(dir, "cert-b.pdf"), "officerRsa", { certify: 2 });
    const b = runCli(["sign", certified, "--p12", pki.orgSeal.p12, "--out-dir", join(dir, "invisible-out"), "--lang", "en"], env);
    assert.equal(b.code, 0, b.stderr);
    assert.doesNotMatch(b.stderr, /warning/);
    const report = await judge(join(dir, "invisible-out", "cert-b.pdf"));
    assertModifications(report.signatures[0], true, ["sig-field-added"]);
  });
});
