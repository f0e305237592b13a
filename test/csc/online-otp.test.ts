/**
 * Issue 15: online OTP (`OTP.type: "online"`): the service sends the OTP (SMS, app) when asked with
 * `credentials/sendOTP`. The test server in `otpType: "online"` mode: sendOTP records a fresh OTP
 * (GET /csc/test/last-otp), authorize accepts only that one, once. The client calls sendOTP before
 * it asks the OTP, for every authorization; `kyso sign` says the OTP was sent and asks it in a real
 * pseudo-terminal (util-linux `script`), never showing it.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, ready, samples, softhsmConf, startCscServer, type CscServer } from "@kyso/certs-test";
import { KysoError } from "@kyso/core";
import { CscClient, CscSigner, type CscSecretRequest } from "@kyso/signers";
import { pdfsig } from "../bulk/helpers.js";
import { kysoBin } from "../support/cli.js";
import { opensslCmsVerify } from "../support/judges.js";

const clientAuth = { kind: "client" as const, clientId: CSC_CLIENT_ID, clientSecret: CSC_CLIENT_SECRET };
const sha256 = (s: string): Uint8Array => new Uint8Array(createHash("sha256").update(s).digest());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof KysoError, `a KysoError, got ${String(e)}`);
    return e.code;
  }
  assert.fail("expected a refusal");
}

describe("CSC: online OTP (credentials/sendOTP)", function () {
  let server: CscServer;
  const testUrl = (path: string): string => server.url.replace(/\/csc\/v2$/, `/csc/test/${path}`);
  const lastOtp = async (credentialID: string): Promise<{ status: number; otp?: string }> => {
    const r = await fetch(`${testUrl("last-otp")}?credentialID=${encodeURIComponent(credentialID)}`);
    return { status: r.status, otp: r.ok ? ((await r.json()) as { OTP: string }).OTP : undefined };
  };
  const call = async (path: string, body: unknown, token: string): Promise<{ status: number; body: Record<string, any> }> => {
    const r = await fetch(`${server.url}/${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : {} };
  };

  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer({ otpType: "online" });
  });
  after(async () => server?.close());
  beforeEach(() => server.reset());

  it("the test server: sendOTP records a fresh OTP; authorize takes that one once, not the fixed one; offline mode refuses sendOTP", async function () {
    const tok = await fetch(`${server.oauthUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${CSC_CLIENT_ID}&client_secret=${CSC_CLIENT_SECRET}`,
    });
    const token = ((await tok.json()) as { access_token: string }).access_token;
    const info = await call("credentials/info", { credentialID: "officer-ec" }, token);
    assert.equal(info.body.OTP.type, "online");
    assert.ok((await call("info", {}, token)).body.methods.includes("credentials/sendOTP"));
    assert.equal((await lastOtp("officer-ec")).status, 404, "nothing sent yet");
    const hashes = [createHash("sha256").update("x").digest("base64")];
    const authorize = (OTP: string) => call("credentials/authorize", { credentialID: "officer-ec", numSignatures: 1, hashes, hashAlgorithmOID: "2.16.840.1.101.3.4.2.1", PIN: CSC_PIN, OTP }, token);

    const noneSent = await authorize(CSC_OTP);
    assert.deepEqual([noneSent.status, noneSent.body.error], [400, "invalid_otp"], "the fixed OTP is not an online one");
    const sent = await call("credentials/sendOTP", { credentialID: "officer-ec" }, token);
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body, {}, "no body");
    const { otp } = await lastOtp("officer-ec");
    assert.match(otp!, /^\d{6}$/);
    const ok = await authorize(otp!);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(typeof ok.body.SAD, "string");
    const reused = await authorize(otp!);
    assert.deepEqual([reused.status, reused.body.error], [400, "invalid_otp"], "an OTP is good once");

    server.configure({ otpType: "offline", unlock: true });
    const offline = await call("credentials/sendOTP", { credentialID: "officer-ec" }, token);
    assert.deepEqual([offline.status, offline.body.error], [400, "invalid_request"]);
    assert.match(offline.body.error_description, /no online OTP/);
  });

  it("the client calls sendOTP before asking the OTP, once per authorization; a stale OTP is refused", async function () {
    const client = await CscClient.connect(server.url, { auth: clientAuth });
    const credential = await client.credentialInfo("officer-rsa");
    assert.deepEqual([credential.otp.required, credential.otp.type], [true, "online"]);
    const asked: { sendOtpCalls: number; sent?: boolean }[] = [];
    const secrets = async (r: CscSecretRequest): Promise<string> => {
      if (r.kind === "PIN") return CSC_PIN;
      // What the officer's phone shows now: the OTP must already have been sent.
      asked.push({ sendOtpCalls: server.stats().calls["credentials/sendOTP"] ?? 0, sent: r.sent });
      const { status, otp } = await lastOtp("officer-rsa");
      assert.equal(status, 200, "an OTP was sent before it was asked");
      return otp!;
    };
    const signer = await CscSigner.open({ client, credentialID: "officer-rsa", secrets, maxBatch: 2 });
    const sigs = await signer.signDigests([sha256("1"), sha256("2"), sha256("3")], "RSASSA-PKCS1-v1_5", "SHA-256");
    assert.equal(sigs.length, 3);
    assert.deepEqual(asked, [{ sendOtpCalls: 1, sent: true }, { sendOtpCalls: 2, sent: true }], "sent, then asked, for each of the 2 authorizations");
    const s = server.stats();
    assert.deepEqual([s.calls["credentials/sendOTP"], s.calls["credentials/authorize"], s.calls["signatures/signHash"], s.hashesSigned], [2, 2, 2, 3]);

    // A client that gives an OTP sent earlier (already used): invalid_otp, nothing signed.
    const used = (await lastOtp("officer-rsa")).otp!;
    const stale = await CscSigner.open({ client, credentialID: "officer-rsa", secrets: async (r) => (r.kind === "PIN" ? CSC_PIN : used) });
    // (sendOTP replaces the OTP: `used` can only match by chance, one in a million.)
    const code = await codeOf(stale.sign(new TextEncoder().encode("stale"), "RSASSA-PKCS1-v1_5", "SHA-256"));
    assert.equal(code, "CSC_INVALID_OTP");
    assert.equal(server.stats().calls["signatures/signHash"], 2);
    server.configure({ unlock: true });
  });

  it("kyso sign: says the OTP was sent, asks it without echo in the terminal, signs (pdfsig, openssl cms)", async function () {
    assert.ok(spawnSync("script", ["--version"]).status === 0, "util-linux script is installed");
    assert.ok(existsSync(kysoBin), "the CLI is built");
    const dir = mkdtempSync(join(tmpdir(), "kyso-csc-otp-"));
    const input = join(dir, "doc.pdf");
    copyFileSync(samples.onePage, input);
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const kyso = [process.execPath, kysoBin, "sign", input, "--csc", server.url, "--csc-credential", "officer-ec", "--csc-client-id", CSC_CLIENT_ID].map(q).join(" ");
    // A fixed KYSO_CSC_OTP cannot be an OTP sent now: it is not used for an online OTP.
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: "C.UTF-8", LC_ALL: "", SOFTHSM2_CONF: softhsmConf, XDG_CONFIG_HOME: join(dir, "no-config"), TERM: "dumb", KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET, KYSO_CSC_PIN: CSC_PIN, KYSO_CSC_OTP: "000000" };
    delete env.KYSO_LANG;
    let typed: string | undefined;
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const script = spawn("script", ["-qefc", `sh -c ${q(kyso)}`, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
      let output = "";
      let asked = false;
      script.stdout.setEncoding("utf8").on("data", (d: string) => {
        output += d;
        if (!asked && /OTP for officer-ec \(1 document\(s\)\): $/.test(output.replace(/\r/g, ""))) {
          asked = true;
          // The officer reads the OTP on the phone and types it (after the prompt switched to raw mode).
          void lastOtp("officer-ec").then(({ otp }) => {
            typed = otp;
            setTimeout(() => script.stdin.write(`${otp}\r`), 300);
          }, reject);
        }
      });
      script.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
      script.on("error", reject);
      const timer = setTimeout(() => script.kill("SIGKILL"), 60_000);
      script.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, output: output.replace(/\r/g, "") });
      });
    });
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /The signing service has sent a one-time password \(OTP\) for officer-ec to your phone\nOTP for officer-ec \(1 document\(s\)\): \n/);
    assert.ok(typed && !run.output.includes(typed), "the OTP is not echoed");
    assert.ok(!run.output.includes(CSC_PIN), "nor the PIN");
    const out = join(dir, "doc.signed.pdf");
    const v = pdfsig(out);
    assert.ok(v.ok, v.out);
    assert.equal(v.signatures, 1);
    assert.equal((await opensslCmsVerify(out, 0)).code, 0);
    const s = server.stats();
    assert.deepEqual([s.calls["credentials/sendOTP"], s.calls["credentials/authorize"], s.calls["signatures/signHash"]], [1, 1, 1]);
  });
});
