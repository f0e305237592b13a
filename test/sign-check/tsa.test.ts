/**
 * `kyso sign --level B-T`: the TSA's certificate is checked as the signer's is (validity, key usage
 * timeStamping, path, OCSP status from the test PKI's responder) and the check is in the report.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { p12Password, pki, samples, serverBase } from "@kyso/certs-test";
import { kyso, pdfsigText, tempDir } from "./support.js";

describe("kyso sign --level B-T: the TSA's certificate is checked", function () {
  it("checks it before signing and reports it", async function () {
    const work = tempDir("sc-tsa");
    const out = join(work, "out");
    const r = await kyso(["sign", samples.onePage, "--p12", pki.officerRsa.p12, "--trust", pki.root, "--level", "B-T", "--tsa", `${serverBase}/tsa`, "--out-dir", out, "--report", join(work, "r.json")], {
      KYSO_P12_PASSWORD: p12Password,
    });
    assert.equal(r.status, 0, r.stderr);
    const check = JSON.parse(readFileSync(join(work, "r.json"), "utf8")).summary.certificateCheck;
    assert.equal(check.tsa.length, 1);
    assert.match(check.tsa[0].subject, /CN=Kyso Test TSA/);
    assert.equal(check.tsa[0].status, "good");
    assert.equal(check.tsa[0].trusted, true);
    assert.match(check.tsa[0].statusSource, /\/ocsp$/);
    assert.equal(check.signer.status, "good");
    assert.match(pdfsigText(join(out, "one-page.pdf")), /Signature is Valid/);
  });
});
