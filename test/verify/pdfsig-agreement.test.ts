import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emptyFieldName, p12Password, pki, samples } from "@kyso/certs-test";
// @signpdf as the benchmark uses it (its packages are @kyso/bench's dependencies).
import { signWithSignpdf } from "../../bench/src/signpdf-peer.js";
import { flipByte, pdfsig, sign, tempDir, untrustedP12, verify } from "./support.js";

/**
 * Acceptance: on every PDF the suite signs (and on poppler's and @signpdf's), Kyso's integrity and trust verdicts
 * agree with pdfsig's.
 */
describe("verify: agreement with pdfsig", function () {
  const dir = tempDir();
  const docs: { name: string; file: string; expectPass: boolean }[] = [];

  before(async function () {
    const one = samples.onePage;
    const add = (name: string, file: string, expectPass: boolean): void => void docs.push({ name, file, expectPass });
    add("rsa-pades", await sign(one, join(dir, "rsa-pades.pdf"), "officerRsa"), true);
    add("rsa-pkcs7", await sign(one, join(dir, "rsa-pkcs7.pdf"), "officerRsa", { subFilter: "pkcs7" }), true);
    add("rsa-pss-sha512", await sign(one, join(dir, "rsa-pss.pdf"), "officerRsa", { scheme: "RSA-PSS", digestAlgorithm: "SHA-512" }), true);
    add("ec-p256", await sign(one, join(dir, "ec.pdf"), "officerEc"), true);
    add("ec-p384", await sign(one, join(dir, "ec384.pdf"), "officerEc384", { digestAlgorithm: "SHA-384" }), true);
    add("org-seal-hundred-pages", await sign(samples.hundredPages, join(dir, "seal-100.pdf"), "orgSeal"), true);
    add("xref-stream-objstm", await sign(samples.objstm, join(dir, "objstm.pdf"), "officerRsa"), true);
    const first = await sign(one, join(dir, "two-a.pdf"), "officerRsa");
    add("two-signatures", await sign(first, join(dir, "two-sigs.pdf"), "orgSeal"), true);
    const cert = await sign(one, join(dir, "cert2.pdf"), "officerRsa", { certify: 2 });
    add("certified-p2-then-signed", await sign(cert, join(dir, "cert2-signed.pdf"), "orgSeal"), true);
    add("empty-field-filled", await sign(samples.emptyField, join(dir, "empty-field.pdf"), "officerRsa", { fieldName: emptyFieldName }), true);
    add("poppler-presigned", samples.presignedPdfsig, true);
    // @signpdf (adbe.pkcs7.detached): its plain placeholder (an incremental update) and its pdf-lib one (a rewritten file).
    const p12 = readFileSync(pki.officerRsa.p12);
    const bySignpdf = async (mode: "plain" | "pdf-lib", src: string, name: string): Promise<string> => {
      const out = join(dir, name);
      writeFileSync(out, await signWithSignpdf(mode, readFileSync(src), p12, p12Password));
      return out;
    };
    add("signpdf-plain", await bySignpdf("plain", one, "signpdf-plain.pdf"), true);
    add("signpdf-plain-hundred-pages", await bySignpdf("plain", samples.hundredPages, "signpdf-plain-100.pdf"), true);
    add("signpdf-pdf-lib", await bySignpdf("pdf-lib", one, "signpdf-pdflib.pdf"), true);
    add("signpdf-plain-then-kyso", await sign(join(dir, "signpdf-plain.pdf"), join(dir, "signpdf-then-kyso.pdf"), "orgSeal"), true);
    add("signpdf-plain-flipped", flipByte(join(dir, "signpdf-plain.pdf"), join(dir, "signpdf-flipped.pdf"), (b) => b.indexOf("/MediaBox")), false);
    add("signpdf-pdf-lib-flipped", flipByte(join(dir, "signpdf-pdflib.pdf"), join(dir, "signpdf-pdflib-flipped.pdf"), (b) => b.indexOf("/MediaBox")), false);
    add("flipped-byte", flipByte(join(dir, "rsa-pades.pdf"), join(dir, "flipped.pdf"), (b) => b.indexOf("/MediaBox")), false);
    add("expired-signer", await sign(one, join(dir, "expired.pdf"), "expired"), false);
    add("untrusted-root", await sign(one, join(dir, "untrusted.pdf"), untrustedP12(dir)), false);
  });

  it("agrees on integrity and trust for every signed document", async function () {
    assert.ok(docs.length >= 18);
    assert.ok(docs.filter((d) => d.name.startsWith("signpdf")).length >= 5, "@signpdf documents are compared");
    let trustCompared = 0;
    for (const d of docs) {
      const ours = await verify(d.file);
      const ref = pdfsig(d.file);
      assert.equal(ours.signatures.length, ref.length, `${d.name}: number of signatures`);
      ours.signatures.forEach((s, i) => {
        const p = ref[i];
        assert.equal(s.integrity, p.valid, `${d.name} #${i + 1}: integrity ${s.integrity} vs pdfsig "${p.validation}"`);
        if (p.trust === "unknown") return;
        trustCompared++;
        const oursTrust = !s.chain.trusted ? "untrusted" : s.subIndication === "EXPIRED" || s.subIndication === "OUT_OF_BOUNDS_NO_POE" ? "expired" : "trusted";
        assert.equal(oursTrust, p.trust, `${d.name} #${i + 1}: trust ${oursTrust} vs pdfsig "${p.certificate}"`);
      });
      assert.equal(ours.indication === "TOTAL_PASSED", d.expectPass, `${d.name}: verdict ${ours.indication} ${ours.reasons.join("; ")}`);
    }
    assert.ok(trustCompared >= 10, `pdfsig gave a definite trust answer ${trustCompared} times`);
  });
});
