// Issue 2 acceptance: every signature Kyso makes is judged by pdfsig, qpdf and openssl cms.
import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pki, samples, token, p12Password, softhsmConf, pkcs11Lib } from "@kyso/certs-test";
import { Pkcs11Signer, Pkcs12Signer } from "@kyso/signers";
import { signPdfFile, type SignOptions } from "@kyso/sign";
import type { RawSigner } from "@kyso/core";
import { isPrefix, opensslCmsVerify, pdfsig, qpdfCheck, tool } from "../support/judges.js";
import { runKyso } from "../support/cli.js";
import { tokenCopy } from "../bulk/helpers.js";

const work = mkdtempSync(join(tmpdir(), "kyso-sign-"));
const chain = readFileSync(pki.officerRsa.chain);

async function judge(input: string, output: string, expectedSignatures: number): Promise<void> {
  assert.ok(isPrefix(input, output), "the input must be a byte-identical prefix of the output");
  const sigs = await pdfsig(output);
  assert.equal(sigs.length, expectedSignatures, `pdfsig sees ${sigs.length} signatures`);
  for (const s of sigs) {
    assert.ok(s.signatureValid, `pdfsig: ${s.field} not valid:\n${s.raw}`);
  }
  // poppler 22.12 reports "Unknown issue with Certificate" for a second signature by the same
  // certificate, even between two of its own signatures (-add-signature twice): trust is required of
  // the first signature of each signer.
  const seen = new Set<string>();
  for (const s of sigs) {
    const cn = /Signer Certificate Common Name: (.*)/.exec(s.raw)?.[1] ?? "";
    if (!seen.has(cn)) assert.ok(s.certificateTrusted, `pdfsig: ${s.field} not trusted:\n${s.raw}`);
    seen.add(cn);
  }
  const last = sigs[sigs.length - 1];
  assert.ok(last.totalDocument, "the newest signature covers the whole document");
  const q = await qpdfCheck(output);
  assert.equal(q.code, 0, `qpdf --check failed:\n${q.stdout}${q.stderr}`);
  const o = await opensslCmsVerify(output, expectedSignatures - 1);
  assert.equal(o.code, 0, `openssl cms -verify failed: ${o.stderr}`);
}

describe("signing core (issue 2)", function () {
  let tokenRsa: Pkcs11Signer;
  let tokenEc: Pkcs11Signer;
  let p12Rsa: Pkcs12Signer;
  let p12Ec384: Pkcs12Signer;
  const extra = [new Uint8Array(chain)];

  before(async function () {
    const { certificatesFromPemOrDer } = await import("@kyso/core");
    const ca = certificatesFromPemOrDer(new Uint8Array(chain));
    tokenRsa = await Pkcs11Signer.open({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, pin: async () => token.userPin, extraCertificates: ca });
    tokenEc = await Pkcs11Signer.open({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerEc.label, pin: async () => token.userPin, extraCertificates: ca });
    p12Rsa = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    p12Ec384 = await Pkcs12Signer.open(pki.officerEc384.p12, p12Password);
    void extra;
  });
  after(async function () {
    await tokenRsa?.close();
    await tokenEc?.close();
  });

  const inputs: [string, () => string][] = [
    ["1-page (classic xref)", () => samples.onePage],
    ["100-page", () => samples.hundredPages],
    ["~20 MB", () => samples.large20mb],
    ["xref and object streams (qpdf)", () => samples.objstm],
    ["Vietnamese text by pdf-lib", () => samples.vietnamese],
    ["already signed by poppler", () => samples.presignedPdfsig],
  ];
  const signers: [string, () => RawSigner][] = [
    ["SoftHSM RSA", () => tokenRsa],
    ["SoftHSM ECDSA P-256", () => tokenEc],
    ["PKCS#12 RSA", () => p12Rsa],
  ];
  for (const [inputName, input] of inputs) {
    for (const [signerName, signer] of signers) {
      it(`${inputName}, signed with ${signerName}: valid in pdfsig, qpdf and openssl cms`, async function () {
        const out = join(work, `${basename(input(), ".pdf")}-${signerName.replace(/\W+/g, "_")}.pdf`);
        await signPdfFile(input(), out, signer(), { reason: "Phê duyệt văn bản", location: "Tuy Hòa, Phú Yên", contactInfo: "vanthu@phuyen.gov.vn" });
        const before = input() === samples.presignedPdfsig ? 1 : 0;
        await judge(input(), out, before + 1);
      });
    }
  }

  const variants: [string, () => RawSigner, SignOptions][] = [
    ["RSA-PSS with SHA-384", () => p12Rsa, { scheme: "RSA-PSS", digestAlgorithm: "SHA-384" }],
    ["RSA PKCS#1 v1.5 with SHA-512 on the token", () => tokenRsa, { digestAlgorithm: "SHA-512" }],
    ["RSA-PSS on the token", () => tokenRsa, { scheme: "RSA-PSS" }],
    ["ECDSA P-384 with SHA-384", () => p12Ec384, { digestAlgorithm: "SHA-384" }],
    ["adbe.pkcs7.detached", () => p12Rsa, { subFilter: "pkcs7" }],
  ];
  for (const [name, signer, opts] of variants) {
    it(`${name}: valid in pdfsig and openssl cms`, async function () {
      const out = join(work, `variant-${name.replace(/\W+/g, "_")}.pdf`);
      await signPdfFile(samples.onePage, out, signer(), opts);
      await judge(samples.onePage, out, 1);
    });
  }

  it("officer, then organization, then a third signature: every earlier signature stays valid", async function () {
    const seal = await Pkcs11Signer.open({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.orgSeal.label, pin: async () => token.userPin, extraCertificates: [...(await import("@kyso/core")).certificatesFromPemOrDer(new Uint8Array(chain))] });
    try {
      const s1 = join(work, "seq-1.pdf");
      const s2 = join(work, "seq-2.pdf");
      const s3 = join(work, "seq-3.pdf");
      await signPdfFile(samples.vietnamese, s1, tokenRsa, { reason: "Ký duyệt" });
      await signPdfFile(s1, s2, seal, { reason: "Đóng dấu" });
      await judge(s1, s2, 2);
      await signPdfFile(s2, s3, tokenEc, {});
      await judge(s2, s3, 3);
      const fields = (await pdfsig(s3)).map((s) => s.field);
      assert.equal(new Set(fields).size, 3, `field names must be unique: ${fields}`);
    } finally {
      await seal.close();
    }
  });

  it("certification with P=2, then two approval signatures: all valid", async function () {
    const c = join(work, "cert-1.pdf");
    const a1 = join(work, "cert-2.pdf");
    const a2 = join(work, "cert-3.pdf");
    await signPdfFile(samples.onePage, c, p12Rsa, { certify: 2 });
    await judge(samples.onePage, c, 1);
    const text = readFileSync(c, "latin1");
    assert.match(text, /\/TransformMethod\s*\/DocMDP/);
    assert.match(text, /\/Perms\s*<<\s*\/DocMDP/);
    await signPdfFile(c, a1, tokenRsa, {});
    await judge(c, a1, 2);
    await signPdfFile(a1, a2, tokenEc, {});
    await judge(a1, a2, 3);
  });

  it("certification with P=1 forbids any later signature", async function () {
    const c = join(work, "cert-p1.pdf");
    await signPdfFile(samples.onePage, c, p12Rsa, { certify: 1 });
    await judge(samples.onePage, c, 1);
    await assert.rejects(signPdfFile(c, join(work, "cert-p1-2.pdf"), p12Rsa, {}), (e: { code?: string }) => e.code === "PDF_CERTIFIED_NO_CHANGES");
    assert.equal(existsSync(join(work, "cert-p1-2.pdf")), false);
  });

  it("fills an existing empty signature field chosen by name", async function () {
    const out = join(work, "empty-field-signed.pdf");
    const r = await signPdfFile(samples.emptyField, out, p12Rsa, { fieldName: "ChuKyLanhDao" });
    assert.equal(r.fieldName, "ChuKyLanhDao");
    await judge(samples.emptyField, out, 1);
    assert.equal((await pdfsig(out))[0].field, "ChuKyLanhDao");
  });

  it("one byte flipped inside a signed range makes pdfsig report the signature invalid", async function () {
    const out = join(work, "flip-src.pdf");
    const r = await signPdfFile(samples.onePage, out, tokenRsa, {});
    const bytes = readFileSync(out);
    const at = Math.floor(r.byteRange[1] / 2); // inside the first covered range, in the original content
    bytes[at] ^= 0x01;
    const flipped = join(work, "flipped.pdf");
    writeFileSync(flipped, bytes);
    const sigs = await pdfsig(flipped);
    assert.equal(sigs.length, 1);
    assert.equal(sigs[0].signatureValid, false, sigs[0].raw);
  });

  it("/M is a PDF date with the Vietnam offset and /Reason is UTF-16BE text", async function () {
    const out = join(work, "meta.pdf");
    await signPdfFile(samples.onePage, out, p12Rsa, { reason: "Phê duyệt" });
    const text = readFileSync(out, "latin1");
    assert.match(text, /\/M \(D:\d{14}\+07'00'\)/);
    const reason = /\/Reason <([0-9a-f]+)>/.exec(text);
    assert.ok(reason, "reason is a hex string");
    assert.equal(Buffer.from(reason[1], "hex").subarray(2).swap16().toString("utf16le"), "Phê duyệt");
    const info = await tool("pdfsig", ["-nssdir", (await import("@kyso/certs-test")).nssDb, "-no-ocsp", out]);
    assert.match(info.stdout, /Signature is Valid/);
  });

  describe("command line", function () {
    const env = { SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), KYSO_CHAIN: pki.officerRsa.chain };

    it("kyso sign with the token writes <name>.signed.pdf beside the input, valid in pdfsig", async function () {
      const dir = mkdtempSync(join(work, "cli-"));
      const input = join(dir, "cong-van.pdf");
      copyFileSync(samples.vietnamese, input);
      const r = await runKyso(["sign", input, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--reason", "Phê duyệt"], { env: { ...env, KYSO_PIN: token.userPin } });
      assert.equal(r.code, 0, r.stderr);
      const out = join(dir, "cong-van.signed.pdf");
      await judge(input, out, 1);
      assert.ok(!r.stdout.includes(token.userPin) && !r.stderr.includes(token.userPin), "the PIN is never printed");
      // never overwrites without --force
      const first = readFileSync(out);
      const again = await runKyso(["sign", input, "--token-label", token.label, "--key-label", token.keys.officerRsa.label], { env: { ...env, KYSO_PIN: token.userPin } });
      assert.notEqual(again.code, 2, again.stderr);
      assert.ok(readFileSync(out).equals(first), "the existing output is untouched");
      const forced = await runKyso(["sign", input, "--force", "--token-label", token.label, "--key-label", token.keys.officerRsa.label], { env: { ...env, KYSO_PIN: token.userPin } });
      assert.equal(forced.code, 0, forced.stderr);
    });

    it("kyso sign --p12 --out-dir --json with a PIN file and a PKCS#12 password from the environment", async function () {
      const dir = mkdtempSync(join(work, "cli-p12-"));
      const r = await runKyso(["sign", samples.onePage, samples.objstm, "--p12", pki.officerEc.p12, "--out-dir", join(dir, "out"), "--json", "--subfilter", "pkcs7", "--certify", "2"], {
        env: { KYSO_P12_PASSWORD: p12Password },
      });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.filter((l) => l.status === "signed").length, 2);
      assert.deepEqual(lines[lines.length - 1].summary.signed, 2);
      await judge(samples.onePage, join(dir, "out", "one-page.pdf"), 1);
      await judge(samples.objstm, join(dir, "out", "objstm.pdf"), 1);
    });

    it("a wrong PIN: exit 2, a clear message, no output, exactly one C_Login (seen by pkcs11-spy)", async function () {
      // A copy of the token, so the shared one's PIN counter is untouched.
      const { dir, conf } = tokenCopy();
      const spyLog = join(dir, "spy.log");
      const input = join(dir, "in.pdf");
      copyFileSync(samples.onePage, input);
      const pinFile = join(dir, "pin.txt");
      writeFileSync(pinFile, "999999\n");
      const spy = ["/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so", "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so"].find(existsSync);
      assert.ok(spy, "pkcs11-spy.so (Debian opensc-pkcs11) is installed");
      const r = await runKyso(["sign", input, "--pkcs11-lib", spy, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--pin-file", pinFile], {
        env: { SOFTHSM2_CONF: conf, PKCS11SPY: pkcs11Lib(), PKCS11SPY_OUTPUT: spyLog },
      });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /Wrong PIN for token "KYSO-DEMO"/);
      assert.ok(!r.stderr.includes("999999"), "the PIN is not echoed");
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".pdf")), ["in.pdf"], "no output file");
      const calls = (readFileSync(spyLog, "latin1").match(/C_Login/g) ?? []).length;
      assert.equal(calls, 1, "exactly one login attempt");
    });

    it("unreadable, encrypted and non-PDF inputs fail alone with clear errors; exit 1; the others are signed", async function () {
      const dir = mkdtempSync(join(work, "bad-"));
      const good = join(dir, "good.pdf");
      copyFileSync(samples.onePage, good);
      const missing = join(dir, "missing.pdf");
      const r = await runKyso(
        ["sign", samples.corrupt, samples.encrypted, samples.notAPdf, samples.empty, missing, good, "--p12", pki.officerRsa.p12, "--out-dir", join(dir, "out")],
        { env: { KYSO_P12_PASSWORD: p12Password } },
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /encrypted\.pdf: .*encrypted/i);
      assert.match(r.stderr, /not-a-pdf\.pdf: .*Not a PDF/);
      assert.match(r.stderr, /missing\.pdf: .*(Cannot read|ENOENT|no such file)/i);
      assert.match(r.stderr, /corrupt\.pdf: /);
      assert.deepEqual(readdirSync(join(dir, "out")).filter((f) => !f.startsWith(".")), ["good.pdf"]);
      await judge(good, join(dir, "out", "good.pdf"), 1);
    });

    it("usage errors exit 2 without touching files", async function () {
      const r = await runKyso(["sign", samples.onePage, "--p12", pki.officerRsa.p12, "--token-label", "X"], { env: { KYSO_P12_PASSWORD: p12Password } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /mutually exclusive|conflict/i);
    });
  });
});
