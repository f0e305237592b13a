/**
 * Issue 15 acceptance through the built CLI: `kyso sign --csc` against the CSC test server. One file
 * and 200 files with officer-rsa and officer-ec (each judged by pdfsig and openssl cms), the
 * appearance and B-T options, ceil(N / multisign) signHash calls and as many authorizations, a
 * wrong OTP (exit 2, nothing written), asynchronous approval (approved; timed out), and kill -9
 * mid-batch then --resume (each document signed exactly once).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, CSC_USER_PASSWORD, ready, startCscServer, startTestServers, type CscServer, type TestServers } from "@kyso/certs-test";
import { documentCopies as documents, killAfterSigned, listFiles, pdfsig, pdfsigAll, runCli, signatureCount, tempDir } from "../bulk/helpers.js";
import { opensslCmsVerify, scanSignatures } from "../support/judges.js";

/** `count` distinct one-page PDFs in `dir`. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET, KYSO_CSC_PIN: CSC_PIN, KYSO_CSC_OTP: CSC_OTP, ...extra });

async function judgeAll(files: string[]): Promise<void> {
  const checked = await pdfsigAll(files);
  for (const [f, r] of checked) {
    assert.ok(r.ok, `pdfsig ${f}\n${r.out}`);
    assert.equal(r.signatures, 1);
  }
  for (const f of files) {
    const v = await opensslCmsVerify(f, 0);
    assert.equal(v.code, 0, `openssl cms ${f}: ${v.stderr}`);
  }
}

describe("kyso sign --csc (remote signing, issue 15)", function () {
  let server: CscServer;
  let pki: TestServers;
  const flags = (credential: string): string[] => ["--csc", server.url, "--csc-credential", credential, "--csc-client-id", CSC_CLIENT_ID];

  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer();
    pki = await startTestServers();
  });
  after(async function () {
    await server?.close();
    await pki?.close();
  });
  beforeEach(function () {
    server.reset();
  });

  for (const credential of ["officer-rsa", "officer-ec"]) {
    it(`${credential}: one file, with a visible signature and PAdES B-T, valid in pdfsig and openssl cms`, async function () {
      const work = tempDir("csc-one");
      const [input] = documents(join(work, "in"), 1);
      const r = await runCli(["sign", input, ...flags(credential), "--appearance", "personal", "--level", "B-T", "--tsa", pki.tsaUrl, "--json"], { cwd: work, env: env() });
      assert.equal(r.status, 0, r.stderr);
      const out = input.replace(/\.pdf$/, ".signed.pdf");
      const v = pdfsig(out);
      assert.ok(v.ok, v.out);
      assert.match(v.out, /Signature Type: ETSI\.CAdES\.detached/);
      assert.equal((await opensslCmsVerify(out, 0)).code, 0);
      // B-T: the CMS carries a signature timestamp (id-aa-timeStampToken 1.2.840.113549.1.9.16.2.14).
      const cms = scanSignatures(out)[0].cms;
      assert.ok(cms.includes(Buffer.from("060b2a864886f70d010910020e", "hex")), "a signature timestamp");
      // A visible widget: a non-empty /Rect on the signature field.
      assert.match(readFileSync(out, "latin1"), /\/Rect\s*\[\s*[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s*\]/);
      const s = server.stats();
      assert.deepEqual([s.calls["signatures/signHash"], s.calls["credentials/authorize"]], [1, 1]);
    });

    it(`${credential}: 200 files cost ceil(200 / multisign) signHash calls and authorizations, each valid`, async function () {
      const work = tempDir("csc-200");
      const inputs = documents(join(work, "in"), 200);
      const r = await runCli(["sign", "in", "--out-dir", "out", ...flags(credential), "--json"], { cwd: work, env: env() });
      assert.equal(r.status, 0, r.stderr);
      const outs = inputs.map((f) => f.replace(`${work}/in`, `${work}/out`));
      for (const o of outs) assert.ok(existsSync(o), o);
      const s = server.stats();
      assert.equal(s.calls["signatures/signHash"], Math.ceil(200 / 50));
      assert.equal(s.calls["credentials/authorize"], Math.ceil(200 / 50));
      assert.equal(s.hashesSigned, 200);
      await judgeAll(outs);
    });
  }

  it("takes the service, credential and client from the config file's csc key; refuses a secret there", async function () {
    const work = tempDir("csc-config");
    const [input] = documents(join(work, "in"), 1);
    mkdirSync(join(work, "xdg", "kyso"), { recursive: true });
    const config = join(work, "xdg", "kyso", "config.json");
    writeFileSync(config, JSON.stringify({ csc: { url: server.url, credential: "officer-ec", clientId: CSC_CLIENT_ID, auth: "client" } }));
    const r = await runCli(["sign", input], { cwd: work, env: env({ XDG_CONFIG_HOME: join(work, "xdg") }) });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(pdfsig(input.replace(/\.pdf$/, ".signed.pdf")).ok);
    assert.equal(server.stats().calls["signatures/signHash"], 1);
    writeFileSync(config, JSON.stringify({ csc: { url: server.url, clientSecret: "kyso-test-secret" } }));
    const bad = await runCli(["sign", input, "--force"], { cwd: work, env: env({ XDG_CONFIG_HOME: join(work, "xdg") }) });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /must not hold a secret \(clientSecret\)/);
  });

  it("--csc-auth browser: the officer signs in through the browser kyso opens (headless Chromium), then signs", async function () {
    const work = tempDir("csc-browser");
    const [input] = documents(join(work, "in"), 1);
    const officerBrowser = fileURLToPath(new URL("./fixtures/officer-browser.mjs", import.meta.url));
    const r = await runCli(["sign", input, ...flags("officer-rsa"), "--csc-auth", "browser"], {
      cwd: work,
      env: env({ KYSO_CSC_CLIENT_SECRET: undefined, BROWSER: `${process.execPath} ${officerBrowser}`, KYSO_TEST_OFFICER: "an", KYSO_TEST_OFFICER_PASSWORD: CSC_USER_PASSWORD }),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Sign in at the signing service in your browser/);
    assert.ok(pdfsig(input.replace(/\.pdf$/, ".signed.pdf")).ok);
    const s = server.stats();
    assert.equal(s.calls["oauth2/authorize"], 2, "the login page, then the login form");
    assert.equal(s.calls["signatures/signHash"], 1);
  });

  it("a wrong OTP stops the run: exit 2, a clear message, nothing written", async function () {
    const work = tempDir("csc-otp");
    documents(join(work, "in"), 5);
    const r = await runCli(["sign", "in", "--out-dir", "out", ...flags("officer-rsa")], { cwd: work, env: env({ KYSO_CSC_OTP: "000000", LANG: "vi_VN.UTF-8" }) });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Sai mã OTP/);
    assert.ok(!r.stderr.includes("000000") && !r.stderr.includes(CSC_PIN), "no secret in the output");
    const written = existsSync(join(work, "out")) ? listFiles(join(work, "out")).filter((f) => f.endsWith(".pdf")) : [];
    assert.deepEqual(written, []);
    assert.equal(server.stats().calls["signatures/signHash"] ?? 0, 0);
    assert.equal(server.stats().calls["credentials/authorize"], 1, "the wrong OTP is not tried again");
    server.configure({ unlock: true });
  });

  describe("asynchronous approval", function () {
    /** The test "phone": approves the first pending request it sees. */
    async function approveWhenPending(stop: () => boolean): Promise<void> {
      const base = server.url.replace(/\/csc\/v2$/, "/csc/test");
      while (!stop()) {
        const html = await (await fetch(`${base}/pending`)).text();
        const id = /data-response-id="([^"]+)"/.exec(html)?.[1];
        if (id) {
          await fetch(`${base}/approve`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ responseID: id }) });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    it("completes after the officer approves on the phone, saying it is waiting", async function () {
      const work = tempDir("csc-async");
      const inputs = documents(join(work, "in"), 3);
      let done = false;
      const phone = approveWhenPending(() => done);
      const r = await runCli(["sign", "in", "--out-dir", "out", ...flags("officer-ec"), "--csc-async"], { cwd: work, env: env({ KYSO_CSC_OTP: undefined, LANG: "vi_VN.UTF-8" }) });
      done = true;
      await phone;
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /Đang chờ phê duyệt trên điện thoại…/);
      await judgeAll(inputs.map((f) => f.replace(`${work}/in`, `${work}/out`)));
    });

    it("times out cleanly when no one approves: exit 2, nothing written", async function () {
      const work = tempDir("csc-async-timeout");
      documents(join(work, "in"), 3);
      const r = await runCli(["sign", "in", "--out-dir", "out", ...flags("officer-ec"), "--csc-async", "--csc-approval-timeout", "1"], { cwd: work, env: env() });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /No approval on the phone in time/);
      const written = existsSync(join(work, "out")) ? listFiles(join(work, "out")).filter((f) => f.endsWith(".pdf")) : [];
      assert.deepEqual(written, []);
    });
  });

  it("kill -9 mid-batch, then --resume: every document signed exactly once", async function () {
    server.configure({ multisign: 10, latencyMs: 20 });
    const work = tempDir("csc-kill");
    const inputs = documents(join(work, "in"), 200);
    const args = ["sign", "in", "--out-dir", "out", ...flags("officer-rsa"), "--json"];
    const { signal, signed: firstSigned } = await killAfterSigned(args, 30, { cwd: work, env: env() });
    assert.equal(signal, "SIGKILL");
    assert.ok(firstSigned.size >= 30 && firstSigned.size < 200, `killed mid-run (${firstSigned.size} signed)`);
    const second = await runCli([...args, "--resume"], { cwd: work, env: env() });
    assert.equal(second.status, 0, second.stderr);
    const events = second.stdout.trim().split("\n").map((l) => JSON.parse(l) as { file?: string; status?: string });
    assert.deepEqual(events.filter((e) => e.status === "signed" && firstSigned.has(e.file!)), [], "nothing signed twice");
    const outs = inputs.map((f) => f.replace(`${work}/in`, `${work}/out`));
    for (const o of outs) assert.equal(signatureCount(o), 1, `${o}: exactly one signature`);
    assert.deepEqual(readdirSync(join(work, "out")).filter((f) => f.endsWith(".tmp")), []);
    const checked = await pdfsigAll(outs.filter((_, i) => i % 10 === 0));
    for (const [f, r] of checked) assert.ok(r.ok, `${f}\n${r.out}`);
  });
});
