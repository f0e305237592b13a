import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pki, p12Password, samples, startTestServers, type TestServers } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { ltvSignOptions, signPdfFile } from "@kyso/sign";
import { isKysoError } from "@kyso/core";
import { pdfsig, qpdfCheck } from "../support/judges.js";
import { kyso, opensslTsVerify, signatureContents, sha256Hex, signatureAndTimestamp, tmp } from "./helpers.js";

describe("PAdES B-T: signature timestamps from a real RFC 3161 TSA", () => {
  let servers: TestServers;
  before(async () => {
    servers = await startTestServers({ slowMs: 5000 });
  });
  after(async () => {
    await servers?.close();
  });

  for (const [name, p12] of [["RSA", pki.officerRsa.p12], ["ECDSA P-256", pki.officerEc.p12]] as const) {
    it(`${name}: the token is accepted by openssl ts -verify over the signature value; qpdf and pdfsig accept the file`, async () => {
      const signer = await Pkcs12Signer.open(p12, p12Password);
      const out = join(tmp(), "bt.pdf");
      await signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-T", tsaUrls: [servers.tsaUrl] }));
      const [sig] = signatureContents(out);
      const { signatureValue, token } = signatureAndTimestamp(sig.cms);
      assert.ok(token, "the CMS carries a signature-time-stamp-token attribute");
      const v = await opensslTsVerify(token, sha256Hex(signatureValue));
      assert.equal(v.code, 0, v.stderr + v.stdout);
      assert.match(v.stdout, /Verification: OK/);
      assert.equal((await qpdfCheck(out)).code, 0);
      const [p] = await pdfsig(out);
      assert.ok(p.signatureValid, p.raw);
      assert.ok(p.certificateTrusted, p.raw);
      assert.ok(p.totalDocument, p.raw);
    });
  }

  it("a token for another digest is not accepted by openssl (the judge can fail)", async () => {
    const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const out = join(tmp(), "bt.pdf");
    await signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-T", tsaUrls: [servers.tsaUrl] }));
    const { token } = signatureAndTimestamp(signatureContents(out)[0].cms);
    const v = await opensslTsVerify(token!, "00".repeat(32));
    assert.notEqual(v.code, 0);
  });

  it("falls back to the next TSA when the first is down", async () => {
    const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const out = join(tmp(), "bt.pdf");
    await signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-T", tsaUrls: ["http://127.0.0.1:9/tsa", servers.tsaUrl], network: { timeoutMs: 2000, retries: 0 } }));
    assert.ok(signatureAndTimestamp(signatureContents(out)[0].cms).token);
  });

  const failures: [string, string, string, RegExp][] = [
    ["down (port closed)", "http://127.0.0.1:9/tsa", "TSA_UNREACHABLE", /Time-stamp server http:\/\/127\.0\.0\.1:9\/tsa is unreachable/],
    ["slow (beyond the timeout)", "/tsa/slow", "TSA_TIMEOUT", /did not answer within 700 ms/],
    ["answering with a wrong imprint", "/tsa/wrong-imprint", "TSA_BAD_TOKEN", /message imprint differs/],
    ["answering garbage", "/tsa/garbage", "TSA_GARBAGE", /tsa\/garbage did not answer with a time-stamp response/],
  ];
  for (const [what, path, code, message] of failures) {
    it(`TSA ${what}: ${code} naming the server, and no output file`, async () => {
      const url = path.startsWith("http") ? path : servers.base + path;
      const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
      const out = join(tmp(), "never.pdf");
      await assert.rejects(
        signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-T", tsaUrls: [url], network: { timeoutMs: 700, retries: 1 } })),
        (e: unknown) => isKysoError(e, code) && message.test((e as Error).message) && (e as Error).message.includes(url),
      );
      assert.equal(existsSync(out), false);
    });
  }

  it("kyso sign --level B-T --tsa: batch goes on per document; the TSA down fails each with a clear error and writes nothing", async () => {
    const dir = tmp();
    const ok = await kyso(["sign", samples.onePage, samples.vietnamese, "--p12", pki.officerRsa.p12, "--level", "B-T", "--tsa", servers.tsaUrl, "--out-dir", dir, "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    for (const f of ["one-page.pdf", "vietnamese.pdf"]) {
      const { token } = signatureAndTimestamp(signatureContents(join(dir, f))[0].cms);
      assert.ok(token);
      const [p] = await pdfsig(join(dir, f));
      assert.ok(p.signatureValid, p.raw);
    }
    const dir2 = tmp();
    const down = await kyso(["sign", samples.onePage, "--p12", pki.officerRsa.p12, "--level", "B-T", "--out-dir", dir2, "--tsa-timeout", "1"], { KYSO_TSA_URL: "http://127.0.0.1:9/tsa" });
    assert.equal(down.code, 1, down.stderr);
    assert.match(down.stderr, /http:\/\/127\.0\.0\.1:9\/tsa is unreachable.*\[TSA_UNREACHABLE\]/);
    assert.equal(existsSync(join(dir2, "one-page.pdf")), false);
  });

  it("kyso sign --level B-T without a TSA is a usage error (exit 2)", async () => {
    const r = await kyso(["sign", samples.onePage, "--p12", pki.officerRsa.p12, "--level", "B-T", "--out-dir", tmp()], { KYSO_TSA_URL: "" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs a time-stamp server/);
  });

  it("readFileSync sanity: the B-T output starts with the input (incremental update)", async () => {
    const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const out = join(tmp(), "bt.pdf");
    await signPdfFile(samples.objstm, out, signer, ltvSignOptions({ level: "B-T", tsaUrls: [servers.tsaUrl] }));
    const a = readFileSync(samples.objstm);
    assert.ok(readFileSync(out).subarray(0, a.length).equals(a));
  });
});
