/**
 * The CSC API v2.0 test server (certs-test/src/csc) with a plain HTTP client: OAuth 2.0 (client
 * credentials, PKCE code flow through the login form, refresh), credentials list/info, SCAL2
 * authorize + signHash for RSA and ECDSA (signatures checked with node:crypto against the
 * certificate it serves), its refusals (hash not covered, reuse, expiry, multisign, wrong PIN/OTP
 * and lock), the asynchronous approval flow, the test controls and the v1.0.4 aliases.
 * The login page and the test "phone" page are also driven in headless Chromium.
 * Keys on the SoftHSM demo token; each describe starts its own server on a free port.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate, createHash, randomBytes, verify } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { CSC_OTP, CSC_PIN, ready, startCscServer, type CscServer, type CscServerOptions } from "@kyso/certs-test";
import { launchChromium } from "../support/chromium.js";

const SHA256 = "2.16.840.1.101.3.4.2.1";
const SHA384 = "2.16.840.1.101.3.4.2.2";
const RSA = "1.2.840.113549.1.1.1";
const SHA256_RSA = "1.2.840.113549.1.1.11";
const ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";

interface Reply {
  status: number;
  body: Record<string, any>;
}

async function call(url: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

async function serviceToken(csc: CscServer): Promise<string> {
  const res = await fetch(`${csc.oauthUrl}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic("kyso-test", "kyso-test-secret") },
    body: "grant_type=client_credentials",
  });
  assert.equal(res.status, 200);
  const t = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
  assert.equal(t.token_type, "Bearer");
  return t.access_token;
}

/** A CSC test server and the service account's access token on it. */
async function startWithToken(options?: CscServerOptions): Promise<{ csc: CscServer; token: string }> {
  const csc = await startCscServer(options);
  return { csc, token: await serviceToken(csc) };
}

/** n documents' worth of data and their SHA-256 hashes (base64). */
function documents(n: number): { data: Buffer[]; hashes: string[] } {
  const data = Array.from({ length: n }, () => randomBytes(64));
  return { data, hashes: data.map((d) => createHash("sha256").update(d).digest("base64")) };
}

function assertError(r: Reply, status: number, error: string, description?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error, error, JSON.stringify(r.body));
  assert.equal(typeof r.body.error_description, "string");
  if (description) assert.match(r.body.error_description, description);
}

const authorizeBody = (credentialID: string, hashes: string[], extra: Record<string, unknown> = {}) => ({
  credentialID, numSignatures: hashes.length, hashes, hashAlgorithmOID: SHA256, PIN: CSC_PIN, OTP: CSC_OTP, ...extra,
});

before(function () {
  assert.ok(ready(), "run `pnpm certs` first");
});

describe("CSC test server: info, OAuth client credentials, credentials", function () {
  let csc: CscServer;
  let token: string;
  before(async () => ({ csc, token } = await startWithToken()));
  after(async () => csc?.close());

  it("info names the OAuth server and the methods", async function () {
    assert.match(csc.url, /^http:\/\/127\.0\.0\.1:\d+\/csc\/v2$/);
    const r = await call(`${csc.url}/info`, {});
    assert.equal(r.status, 200);
    assert.equal(r.body.specs, "2.0.0.2");
    assert.equal(r.body.region, "VN");
    assert.deepEqual(r.body.authType, ["oauth2client", "oauth2code", "basic"]);
    assert.equal(r.body.oauth2, csc.oauthUrl);
    for (const m of ["credentials/list", "credentials/info", "credentials/authorize", "signatures/signHash"]) assert.ok(r.body.methods.includes(m), m);
  });

  it("client credentials in the form body work; a wrong secret is 401 invalid_client; no token is 401 invalid_token", async function () {
    const ok = await fetch(`${csc.oauthUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=kyso-test&client_secret=kyso-test-secret",
    });
    assert.equal(ok.status, 200);
    const wrong = await fetch(`${csc.oauthUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic("kyso-test", "nope") },
      body: "grant_type=client_credentials",
    });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, "invalid_client");
    assertError(await call(`${csc.url}/credentials/list`, {}), 401, "invalid_token");
    assertError(await call(`${csc.url}/credentials/list`, {}, "made-up"), 401, "invalid_token");
  });

  it("the service account lists both credentials, with their info on request", async function () {
    const r = await call(`${csc.url}/credentials/list`, { credentialInfo: true, certificates: "chain" }, token);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.credentialIDs, ["officer-rsa", "officer-ec"]);
    assert.equal(r.body.credentialInfos.length, 2);
    assert.equal(r.body.credentialInfos[1].credentialID, "officer-ec");
    assert.equal(r.body.credentialInfos[1].cert.certificates.length, 3);
  });

  it("credentials/info gives the chain, key, SCAL2, PIN and OTP, multisign", async function () {
    const r = await call(`${csc.url}/credentials/info`, { credentialID: "officer-rsa", certificates: "chain", certInfo: true, authInfo: true }, token);
    assert.equal(r.status, 200);
    assert.equal(r.body.key.status, "enabled");
    assert.equal(r.body.key.len, 2048);
    assert.ok(r.body.key.algo.includes(RSA));
    assert.equal(r.body.SCAL, "2");
    assert.equal(r.body.authMode, "explicit");
    assert.equal(r.body.PIN.presence, "true");
    assert.equal(r.body.OTP.presence, "true");
    assert.equal(r.body.multisign, 50);
    const [leaf, intermediate, root] = (r.body.cert.certificates as string[]).map((b) => new X509Certificate(Buffer.from(b, "base64")));
    assert.ok(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey));
    assert.ok(intermediate.checkIssued(root) && root.checkIssued(root));
    assert.match(r.body.cert.subjectDN, /^CN=Nguyễn Văn An,/);
    assert.equal(r.body.cert.serialNumber, leaf.serialNumber.toLowerCase());
    assert.match(r.body.cert.validTo, /^\d{14}Z$/);
    const single = await call(`${csc.url}/credentials/info`, { credentialID: "officer-ec" }, token);
    assert.equal(single.body.cert.certificates.length, 1);
    assert.equal(single.body.key.len, 256);
    assertError(await call(`${csc.url}/credentials/info`, { credentialID: "nobody" }, token), 400, "invalid_request");
  });
});

describe("CSC test server: SCAL2 authorize and signHash (RSA, ECDSA)", function () {
  let csc: CscServer;
  let token: string;
  before(async () => ({ csc, token } = await startWithToken()));
  after(async () => csc?.close());

  const cases = [
    { credentialID: "officer-rsa", signAlgo: SHA256_RSA, hashAlgorithmOID: undefined as string | undefined },
    { credentialID: "officer-rsa", signAlgo: RSA, hashAlgorithmOID: SHA256 },
    { credentialID: "officer-ec", signAlgo: ECDSA_SHA256, hashAlgorithmOID: undefined },
    { credentialID: "officer-ec", signAlgo: EC_PUBLIC_KEY, hashAlgorithmOID: SHA256 },
  ];
  for (const c of cases) {
    it(`${c.credentialID} with signAlgo ${c.signAlgo}: signatures verify against the served certificate, a flipped byte does not`, async function () {
      const info = await call(`${csc.url}/credentials/info`, { credentialID: c.credentialID }, token);
      const cert = new X509Certificate(Buffer.from(info.body.cert.certificates[0], "base64"));
      const docs = documents(3);
      const auth = await call(`${csc.url}/credentials/authorize`, authorizeBody(c.credentialID, docs.hashes), token);
      assert.equal(auth.status, 200, JSON.stringify(auth.body));
      assert.equal(typeof auth.body.SAD, "string");
      assert.equal(auth.body.expiresIn, 300);
      const before = csc.stats();
      const r = await call(`${csc.url}/signatures/signHash`, { credentialID: c.credentialID, SAD: auth.body.SAD, hashes: docs.hashes, signAlgo: c.signAlgo, hashAlgorithmOID: c.hashAlgorithmOID }, token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.signatures.length, 3);
      docs.data.forEach((d, i) => {
        const sig = Buffer.from(r.body.signatures[i], "base64");
        // ECDSA: DER ECDSA-Sig-Value (node's default dsaEncoding); RSA: PKCS#1 v1.5.
        if (c.credentialID === "officer-ec") assert.equal(sig[0], 0x30);
        assert.ok(verify("sha256", d, cert.publicKey, sig), `signature ${i}`);
        const flipped = Buffer.from(sig);
        flipped[flipped.length - 1] ^= 1;
        assert.ok(!verify("sha256", d, cert.publicKey, flipped));
        assert.ok(!verify("sha256", docs.data[(i + 1) % 3], cert.publicKey, sig));
      });
      const after = csc.stats();
      assert.equal(after.hashesSigned - before.hashesSigned, 3);
      assert.equal(after.calls["signatures/signHash"] - (before.calls["signatures/signHash"] ?? 0), 1);
    });
  }

  it("parallel signHash calls on both keys all verify", async function () {
    const jobs = ["officer-rsa", "officer-ec", "officer-rsa", "officer-ec"].map(async (credentialID) => {
      const info = await call(`${csc.url}/credentials/info`, { credentialID }, token);
      const cert = new X509Certificate(Buffer.from(info.body.cert.certificates[0], "base64"));
      const docs = documents(5);
      const auth = await call(`${csc.url}/credentials/authorize`, authorizeBody(credentialID, docs.hashes), token);
      const r = await call(`${csc.url}/signatures/signHash`, { credentialID, SAD: auth.body.SAD, hashes: docs.hashes, hashAlgorithmOID: SHA256, signAlgo: credentialID === "officer-rsa" ? RSA : EC_PUBLIC_KEY }, token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      docs.data.forEach((d, i) => assert.ok(verify("sha256", d, cert.publicKey, Buffer.from(r.body.signatures[i], "base64"))));
    });
    await Promise.all(jobs);
  });

  it("refuses a hash the SAD does not cover", async function () {
    const docs = documents(2);
    const auth = await call(`${csc.url}/credentials/authorize`, authorizeBody("officer-rsa", [docs.hashes[0]]), token);
    const r = await call(`${csc.url}/signatures/signHash`, { credentialID: "officer-rsa", SAD: auth.body.SAD, hashes: [docs.hashes[1]], signAlgo: SHA256_RSA }, token);
    assertError(r, 400, "invalid_request", /hash not authorized/);
  });

  it("refuses reuse beyond numSignatures, an expired SAD, and a SAD for another credential", async function () {
    const docs = documents(2);
    const auth = await call(`${csc.url}/credentials/authorize`, authorizeBody("officer-ec", docs.hashes), token);
    const sign = (hashes: string[], credentialID = "officer-ec", SAD = auth.body.SAD as string) =>
      call(`${csc.url}/signatures/signHash`, { credentialID, SAD, hashes, signAlgo: credentialID === "officer-ec" ? ECDSA_SHA256 : SHA256_RSA }, token);
    assert.equal((await sign([docs.hashes[0]])).status, 200);
    assert.equal((await sign([docs.hashes[1]])).status, 200);
    assertError(await sign([docs.hashes[0]]), 400, "invalid_request", /reused/);
    assertError(await sign([docs.hashes[0]], "officer-rsa"), 400, "invalid_request", /SAD/);

    csc.configure({ sadTtlSeconds: 0 });
    try {
      const again = await call(`${csc.url}/credentials/authorize`, authorizeBody("officer-ec", [docs.hashes[0]]), token);
      assert.equal(again.status, 200);
      assertError(await sign([docs.hashes[0]], "officer-ec", again.body.SAD), 400, "invalid_request", /expired/);
    } finally {
      csc.configure({ sadTtlSeconds: 300 });
    }
  });

  it("refuses numSignatures that differs from the hashes, and a wrong hash length", async function () {
    const docs = documents(2);
    assertError(await call(`${csc.url}/credentials/authorize`, { ...authorizeBody("officer-rsa", docs.hashes), numSignatures: 3 }, token), 400, "invalid_request", /numSignatures/);
    assertError(await call(`${csc.url}/credentials/authorize`, { ...authorizeBody("officer-rsa", docs.hashes), hashAlgorithmOID: SHA384 }, token), 400, "invalid_request", /length/);
  });
});

describe("CSC test server: multisign, wrong PIN/OTP and lock, controls", function () {
  let csc: CscServer;
  let token: string;
  before(async () => ({ csc, token } = await startWithToken({ multisign: 2 })));
  after(async () => csc?.close());

  it("more hashes than multisign in one call is refused; within it, fine", async function () {
    const info = await call(`${csc.url}/credentials/info`, { credentialID: "officer-rsa" }, token);
    assert.equal(info.body.multisign, 2);
    const docs = documents(3);
    const auth = await call(`${csc.url}/credentials/authorize`, authorizeBody("officer-rsa", docs.hashes), token);
    const sign = (hashes: string[]) => call(`${csc.url}/signatures/signHash`, { credentialID: "officer-rsa", SAD: auth.body.SAD, hashes, signAlgo: SHA256_RSA }, token);
    assertError(await sign(docs.hashes), 400, "invalid_request", /multisign is 2/);
    assert.equal((await sign(docs.hashes.slice(0, 2))).body.signatures.length, 2);
    assert.equal((await sign(docs.hashes.slice(2))).body.signatures.length, 1);
  });

  it("counts wrong OTP and PIN attempts, locks the credential after the third, unlock clears it", async function () {
    const docs = documents(1);
    const good = await call(`${csc.url}/credentials/authorize`, authorizeBody("officer-ec", docs.hashes), token);
    assert.equal(good.status, 200);
    const tryWith = (extra: Record<string, unknown>) => call(`${csc.url}/credentials/authorize`, authorizeBody("officer-ec", docs.hashes, extra), token);
    assertError(await tryWith({ OTP: "000000" }), 400, "invalid_otp", /2 retries left/);
    assertError(await tryWith({ PIN: "654321" }), 400, "invalid_pin", /1 retry left/);
    assertError(await tryWith({ OTP: "111111" }), 400, "invalid_otp", /0 retries left.*locked/);
    assertError(await tryWith({}), 400, "access_denied", /credential locked/);
    // A SAD issued before the lock no longer signs either.
    const locked = await call(`${csc.url}/signatures/signHash`, { credentialID: "officer-ec", SAD: good.body.SAD, hashes: docs.hashes, signAlgo: ECDSA_SHA256 }, token);
    assertError(locked, 400, "access_denied", /locked/);
    // The other credential is not affected.
    assert.equal((await call(`${csc.url}/credentials/authorize`, authorizeBody("officer-rsa", docs.hashes), token)).status, 200);
    const res = await fetch(`${csc.url.replace(/\/csc\/v2$/, "")}/csc/test/configure`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ unlock: true }) });
    assert.equal(res.status, 200);
    assert.equal((await tryWith({})).status, 200);
    // A missing PIN is a bad request, not a wrong PIN: it does not count.
    assertError(await tryWith({ PIN: undefined }), 400, "invalid_request", /PIN/);
  });

  it("failNext fails one call with the given status; stats and reset over HTTP", async function () {
    const root = csc.url.replace(/\/csc\/v2$/, "");
    const conf = await fetch(`${root}/csc/test/configure`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ failNext: { path: "credentials/list", status: 503, error: "temporarily_unavailable" }, latencyMs: 5 }),
    });
    assert.equal(conf.status, 200);
    assertError(await call(`${csc.url}/credentials/list`, {}, token), 503, "temporarily_unavailable");
    assert.equal((await call(`${csc.url}/credentials/list`, {}, token)).status, 200);
    const stats = (await (await fetch(`${root}/csc/test/stats`)).json()) as { calls: Record<string, number>; hashesSigned: number };
    assert.equal(stats.calls["credentials/list"], 2);
    assert.ok(stats.hashesSigned >= 3);
    assert.equal((await fetch(`${root}/csc/test/reset`, { method: "POST" })).status, 200);
    assert.deepEqual(csc.stats(), { calls: {}, hashesSigned: 0 });
    const info = await call(`${csc.url}/credentials/info`, { credentialID: "officer-rsa" }, token);
    assert.equal(info.body.multisign, 2, "reset goes back to the start options");
  });
});

describe("CSC test server: asynchronous approval", function () {
  let csc: CscServer;
  let token: string;
  let root: string;
  before(async function () {
    ({ csc, token } = await startWithToken({ asyncApproval: true }));
    root = csc.url.replace(/\/csc\/v2$/, "");
  });
  after(async () => csc?.close());

  const phone = (verdict: "approve" | "reject", responseID: string) =>
    fetch(`${root}/csc/test/${verdict}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ responseID }) });

  it("answers PENDING, lists it on the phone page, and gives the SAD once approved", async function () {
    const docs = documents(2);
    const p = await call(`${csc.url}/credentials/authorize`, { credentialID: "officer-rsa", numSignatures: 2, hashes: docs.hashes, hashAlgorithmOID: SHA256 }, token);
    assert.equal(p.status, 200);
    assert.equal(p.body.status, "PENDING");
    assert.equal(p.body.interval, 1);
    assert.equal(p.body.SAD, undefined);
    const status = () => call(`${csc.url}/credentials/authorizeStatus`, { responseID: p.body.responseID }, token);
    assert.equal((await status()).body.status, "PENDING");
    const page = await (await fetch(`${root}/csc/test/pending`)).text();
    assert.ok(page.includes(`data-response-id="${p.body.responseID}"`));
    assert.equal((await phone("approve", p.body.responseID)).status, 200);
    const done = await status();
    assert.equal(done.body.status, "APPROVED");
    const r = await call(`${csc.url}/signatures/signHash`, { credentialID: "officer-rsa", SAD: done.body.SAD, hashes: docs.hashes, signAlgo: SHA256_RSA }, token);
    assert.equal(r.status, 200);
    assert.equal(r.body.signatures.length, 2);
    assert.ok(!(await (await fetch(`${root}/csc/test/pending`)).text()).includes(p.body.responseID));
  });

  it("a rejection is access_denied; a timeout is expired_token, and the phone can no longer approve", async function () {
    const docs = documents(1);
    const a = await call(`${csc.url}/credentials/authorize`, { credentialID: "officer-ec", numSignatures: 1, hashes: docs.hashes, PIN: CSC_PIN }, token);
    assert.equal((await phone("reject", a.body.responseID)).status, 200);
    assertError(await call(`${csc.url}/credentials/authorizeStatus`, { responseID: a.body.responseID }, token), 400, "access_denied", /rejected by the user/);

    csc.configure({ approvalTimeoutSeconds: 0 });
    const b = await call(`${csc.url}/credentials/authorize`, { credentialID: "officer-ec", numSignatures: 1, hashes: docs.hashes }, token);
    assert.equal(b.body.status, "PENDING");
    assertError(await call(`${csc.url}/credentials/authorizeStatus`, { responseID: b.body.responseID }, token), 400, "expired_token", /approval timed out/);
    assert.equal((await phone("approve", b.body.responseID)).status, 400);
    csc.configure({ approvalTimeoutSeconds: 120 });
  });

  it("a wrong PIN sent in async mode still counts; operationMode A works when async is off", async function () {
    const docs = documents(1);
    assertError(await call(`${csc.url}/credentials/authorize`, { credentialID: "officer-rsa", numSignatures: 1, hashes: docs.hashes, PIN: "000000" }, token), 400, "invalid_pin", /2 retries left/);
    csc.configure({ asyncApproval: false, unlock: true });
    const a = await call(`${csc.url}/credentials/authorize`, { credentialID: "officer-rsa", numSignatures: 1, hashes: docs.hashes, operationMode: "A" }, token);
    assert.equal(a.body.status, "PENDING");
    assertError(await call(`${csc.url}/credentials/authorize`, { credentialID: "officer-rsa", numSignatures: 1, hashes: docs.hashes }, token), 400, "invalid_request", /PIN/);
  });
});

describe("CSC test server: officers (PKCE code flow, auth/login), token expiry and refresh, v1 aliases", function () {
  let csc: CscServer;
  before(async function () {
    csc = await startCscServer();
  });
  after(async () => csc?.close());

  /** A loopback redirect target, as the CLI runs one (RFC 8252 §7.3). */
  async function loopback(): Promise<{ uri: string; received: Promise<URLSearchParams>; close: () => void }> {
    let got!: (q: URLSearchParams) => void;
    const received = new Promise<URLSearchParams>((r) => (got = r));
    const server = createServer((req, res) => {
      got(new URL(req.url ?? "/", "http://127.0.0.1").searchParams);
      res.end("ok, you may close this window");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, received, close: () => server.close() };
  }

  /** Drives the login page like a browser would: GET, fill the form, POST, follow the redirect. */
  async function codeFlow(user: string, password: string, verifier: string, redirectUri: string, state: string): Promise<Response> {
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const q = new URLSearchParams({ response_type: "code", client_id: "kyso-test", redirect_uri: redirectUri, scope: "service", code_challenge: challenge, code_challenge_method: "S256", state });
    const page = await fetch(`${csc.oauthUrl}/oauth2/authorize?${q}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /name="username"/);
    assert.match(html, /name="password"/);
    assert.match(html, /type="submit"/);
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1], page.url);
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1], m[2].replace(/&amp;/g, "&").replace(/&quot;/g, '"'));
    form.set("username", user);
    form.set("password", password);
    return fetch(action, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
  }

  const tokenRequest = (params: Record<string, string>) =>
    fetch(`${csc.oauthUrl}/oauth2/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(params).toString() });

  it("PKCE: the officer logs in, the code arrives on the loopback redirect, the token sees only their credential; refresh works", async function () {
    const cb = await loopback();
    try {
      const verifier = randomBytes(32).toString("base64url");
      const done = await codeFlow("binh", "kyso-test", verifier, cb.uri, "st-123");
      assert.equal(done.status, 200); // fetch followed the 302 to our loopback server
      const q = await cb.received;
      assert.equal(q.get("state"), "st-123");
      const code = q.get("code")!;
      assert.ok(code);
      const wrongVerifier = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: cb.uri, client_id: "kyso-test", code_verifier: randomBytes(32).toString("base64url") });
      assert.equal(wrongVerifier.status, 400);
      assert.equal(((await wrongVerifier.json()) as { error: string }).error, "invalid_grant");
      // The code was spent by the failed attempt: log in again.
      const cb2 = await loopback();
      try {
        await codeFlow("binh", "kyso-test", verifier, cb2.uri, "st-2");
        const code2 = (await cb2.received).get("code")!;
        const t = await tokenRequest({ grant_type: "authorization_code", code: code2, redirect_uri: cb2.uri, client_id: "kyso-test", code_verifier: verifier });
        assert.equal(t.status, 200);
        const tok = (await t.json()) as { access_token: string; refresh_token: string };
        assert.ok(tok.refresh_token);
        const list = await call(`${csc.url}/credentials/list`, {}, tok.access_token);
        assert.deepEqual(list.body.credentialIDs, ["officer-ec"]);
        assertError(await call(`${csc.url}/credentials/info`, { credentialID: "officer-rsa" }, tok.access_token), 400, "invalid_request");
        const reuse = await tokenRequest({ grant_type: "authorization_code", code: code2, redirect_uri: cb2.uri, client_id: "kyso-test", code_verifier: verifier });
        assert.equal(reuse.status, 400);

        // Short-lived access tokens: expired → 401 invalid_token; the refresh token gives a working one.
        csc.configure({ accessTokenTtlSeconds: 0 });
        const r1 = await tokenRequest({ grant_type: "refresh_token", refresh_token: tok.refresh_token, client_id: "kyso-test" });
        const short = (await r1.json()) as { access_token: string };
        assertError(await call(`${csc.url}/credentials/list`, {}, short.access_token), 401, "invalid_token", /expired/);
        csc.configure({ accessTokenTtlSeconds: 3600 });
        const r2 = await tokenRequest({ grant_type: "refresh_token", refresh_token: tok.refresh_token, client_id: "kyso-test" });
        const fresh = (await r2.json()) as { access_token: string };
        assert.equal((await call(`${csc.url}/credentials/list`, {}, fresh.access_token)).status, 200);
      } finally {
        cb2.close();
      }
    } finally {
      cb.close();
    }
  });

  it("the authorization endpoint refuses a wrong password, a non-loopback redirect and a missing PKCE challenge", async function () {
    const verifier = randomBytes(32).toString("base64url");
    const wrong = await codeFlow("an", "guess", verifier, "http://127.0.0.1:9/cb", "s");
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /name="password"/);
    const remote = await fetch(`${csc.oauthUrl}/oauth2/authorize?${new URLSearchParams({ response_type: "code", client_id: "kyso-test", redirect_uri: "https://evil.example/cb", code_challenge: "x".repeat(43), code_challenge_method: "S256" })}`);
    assert.equal(remote.status, 400);
    const plain = await fetch(`${csc.oauthUrl}/oauth2/authorize?${new URLSearchParams({ response_type: "code", client_id: "kyso-test", redirect_uri: "http://localhost:8123/cb", code_challenge: "abc", code_challenge_method: "plain", state: "z" })}`, { redirect: "manual" });
    assert.equal(plain.status, 302);
    const loc = new URL(plain.headers.get("location")!);
    assert.equal(loc.origin, "http://localhost:8123");
    assert.equal(loc.searchParams.get("error"), "invalid_request");
    assert.equal(loc.searchParams.get("state"), "z");
  });

  it("v1.0.4 aliases: info, auth/login, authorize with `hash`, signHash with `hash` and `hashAlgo`", async function () {
    const v1 = csc.url.replace(/\/v2$/, "/v1");
    assert.equal((await call(`${v1}/info`, {})).body.specs, "1.0.4.0");
    assertError(await call(`${v1}/auth/login`, {}, undefined, { authorization: basic("an", "wrong") }), 401, "invalid_grant");
    const login = await call(`${v1}/auth/login`, {}, undefined, { authorization: basic("an", "kyso-test") });
    assert.equal(login.status, 200);
    const token = login.body.access_token as string;
    assert.deepEqual((await call(`${v1}/credentials/list`, {}, token)).body.credentialIDs, ["officer-rsa"]);
    const info = await call(`${v1}/credentials/info`, { credentialID: "officer-rsa" }, token);
    assert.equal(typeof info.body.multisign, "number");
    const cert = new X509Certificate(Buffer.from(info.body.cert.certificates[0], "base64"));
    const docs = documents(1);
    const auth = await call(`${v1}/credentials/authorize`, { credentialID: "officer-rsa", numSignatures: 1, hash: docs.hashes, PIN: CSC_PIN, OTP: CSC_OTP }, token);
    assert.equal(auth.status, 200, JSON.stringify(auth.body));
    const r = await call(`${v1}/signatures/signHash`, { credentialID: "officer-rsa", SAD: auth.body.SAD, hash: docs.hashes, hashAlgo: SHA256, signAlgo: RSA }, token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(verify("sha256", docs.data[0], cert.publicKey, Buffer.from(r.body.signatures[0], "base64")));
    assert.equal(csc.stats().calls["signatures/signHash"], 1);
    const revoked = await fetch(`${v1}/auth/revoke`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
    assert.equal(revoked.status, 204);
    assertError(await call(`${v1}/credentials/list`, {}, token), 401, "invalid_token");
  });
});

describe("CSC test server: run-servers.js and the mocha hook", function () {
  it("the root hook exposes a working server in KYSO_TEST_CSC_URL", async function () {
    const url = process.env.KYSO_TEST_CSC_URL;
    assert.ok(url, "KYSO_TEST_CSC_URL is set by test/support/servers-hook.ts");
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/csc\/v2$/);
    assert.equal((await call(`${url}/info`, {})).body.specs, "2.0.0.2");
  });

  it("run-servers.js prints `csc URL` and serves it", async function () {
    const script = fileURLToPath(new URL("../../certs-test/dist/run-servers.js", import.meta.url));
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /^csc (http\S+)$/m.exec(out);
          if (m) resolve(m[1]);
        });
        child.once("exit", (code) => reject(new Error(`run-servers.js exited ${code}: ${out}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/csc\/v2$/);
      assert.notEqual(url, process.env.KYSO_TEST_CSC_URL);
      const r = await call(`${url}/info`, {});
      assert.equal(r.body.oauth2, url);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  });
});

describe("CSC test server: its pages in headless Chromium", function () {
  let csc: CscServer;
  let browser: Browser;
  before(async function () {
    csc = await startCscServer({ asyncApproval: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await csc?.close();
  });

  it("the officer signs in on the login page and the browser lands on the loopback redirect with the code", async function () {
    let got!: (q: URLSearchParams) => void;
    const received = new Promise<URLSearchParams>((r) => (got = r));
    const server = createServer((req, res) => {
      got(new URL(req.url ?? "/", "http://127.0.0.1").searchParams);
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end("<p id=done>Đã đăng nhập</p>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
      const verifier = randomBytes(32).toString("base64url");
      const q = new URLSearchParams({
        response_type: "code", client_id: "kyso-test", redirect_uri: redirectUri, state: "browser-state",
        code_challenge: createHash("sha256").update(verifier).digest("base64url"), code_challenge_method: "S256",
      });
      const page = await browser.newPage();
      await page.goto(`${csc.oauthUrl}/oauth2/authorize?${q}`);
      await page.fill('input[name="username"]', "an");
      await page.fill('input[name="password"]', "kyso-test");
      await Promise.all([page.waitForURL(/\/callback\?/), page.click('button[type="submit"]')]);
      await page.waitForSelector("#done");
      const params = await received;
      assert.equal(params.get("state"), "browser-state");
      const t = await fetch(`${csc.oauthUrl}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code: params.get("code")!, redirect_uri: redirectUri, client_id: "kyso-test", code_verifier: verifier }).toString(),
      });
      assert.equal(t.status, 200);
      const tok = (await t.json()) as { access_token: string };
      assert.deepEqual((await call(`${csc.url}/credentials/list`, {}, tok.access_token)).body.credentialIDs, ["officer-rsa"]);
    } finally {
      server.close();
    }
  });

  it("the phone page's Approve button approves a pending authorization", async function () {
    const token = await serviceToken(csc);
    const docs = documents(1);
    const p = await call(`${csc.url}/credentials/authorize`, { credentialID: "officer-ec", numSignatures: 1, hashes: docs.hashes }, token);
    assert.equal(p.body.status, "PENDING");
    const page = await browser.newPage();
    await page.goto(`${csc.url.replace(/\/csc\/v2$/, "")}/csc/test/pending`);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith("/csc/test/approve")), page.click(`li[data-response-id="${p.body.responseID}"] button[value="approve"]`)]);
    const s = await call(`${csc.url}/credentials/authorizeStatus`, { responseID: p.body.responseID }, token);
    assert.equal(s.body.status, "APPROVED");
    assert.equal(typeof s.body.SAD, "string");
  });
});
