/**
 * Issue 15: an officer's access token obtained through the browser (authorization code + PKCE)
 * that expires during a long batch is renewed with its refresh_token: the next group signs without
 * a second login, whether the client sees the expiry coming (its clock) or learns it from the
 * service (401 invalid_token). The "browser" follows the test server's login form with fetch, as
 * test/csc-server does; headless Chromium drives the same page in pkce-chromium.test.ts.
 */
import assert from "node:assert/strict";
import { constants, createHash, createPublicKey, publicDecrypt } from "node:crypto";
import { CSC_CLIENT_ID, CSC_OTP, CSC_PIN, CSC_USER_PASSWORD, ready, startCscServer, type CscServer } from "@kyso/certs-test";
import { parseCertificate } from "@kyso/core";
import { CscClient, CscSigner, type CscSecretRequest } from "@kyso/signers";

const right = async (r: CscSecretRequest): Promise<string> => (r.kind === "PIN" ? CSC_PIN : CSC_OTP);
const sha256 = (s: string): Uint8Array => new Uint8Array(createHash("sha256").update(s).digest());
/** DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/** PKCS#1 v1.5 over the digest, checked with node's crypto and the certificate's public key. */
function verifiesDigest(certificate: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(parseCertificate(certificate).spki), format: "der", type: "spki" });
  const info = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  return info.equals(Buffer.concat([SHA256_DIGEST_INFO, digest]));
}

/** The officer in "the browser": GET the login page, fill the form, POST it; fetch follows the 302 to the client's loopback redirect. */
async function logIn(url: string, user: string, password: string): Promise<void> {
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1], page.url);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1], m[2].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
  form.set("username", user);
  form.set("password", password);
  const done = await fetch(action, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
  assert.equal(done.status, 200, "the loopback redirect got the code");
  assert.match(new URL(done.url).pathname, /^\/callback$/);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("CSC: a browser (PKCE) access token that expires mid-batch is refreshed, no second login", function () {
  let server: CscServer;
  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    // Access tokens live 4 s (renewed by the client after 3.2 s); the refresh token does not expire.
    server = await startCscServer({ accessTokenTtlSeconds: 4, multisign: 3 });
  });
  after(async () => server?.close());
  beforeEach(() => server.reset());

  /** A client signed in as officer `an` through the code flow; `logins` counts the browser openings. */
  async function officerClient(now?: () => number): Promise<{ client: CscClient; logins: () => number }> {
    let logins = 0;
    const client = await CscClient.connect(server.url, {
      now,
      auth: {
        kind: "browser",
        clientId: CSC_CLIENT_ID,
        timeoutMs: 30_000,
        openBrowser: async (url) => {
          logins++;
          await logIn(url, "an", CSC_USER_PASSWORD);
        },
      },
    });
    return { client, logins: () => logins };
  }

  it("the client sees the expiry coming: the second group signs after a refresh_token grant", async function () {
    const { client, logins } = await officerClient();
    assert.equal(logins(), 1);
    assert.deepEqual(await client.listCredentials(), ["officer-rsa"], "an officer's token sees their own credential");
    const signer = await CscSigner.open({ client, credentialID: "officer-rsa", secrets: right });
    assert.equal(signer.batchSize, 3);
    const first = [sha256("group 1 / a"), sha256("group 1 / b"), sha256("group 1 / c")];
    const s1 = await signer.signDigests(first, "RSASSA-PKCS1-v1_5", "SHA-256");
    const before = server.stats();
    assert.equal(before.calls["oauth2/authorize"], 2, "the login page and its form, once");
    assert.equal(before.calls["oauth2/token"], 1, "the code exchanged once");

    // The batch goes on past the token's lifetime.
    await sleep(4300);
    const second = [sha256("group 2 / a"), sha256("group 2 / b")];
    const s2 = await signer.signDigests(second, "RSASSA-PKCS1-v1_5", "SHA-256");

    const after = server.stats();
    assert.equal(logins(), 1, "no second sign-in in the browser");
    assert.equal(after.calls["oauth2/authorize"], 2, "the login page was not shown again");
    assert.equal(after.calls["oauth2/token"], 2, "one refresh_token grant");
    assert.equal((client.auth as { obtained?: number }).obtained, 2);
    assert.equal(after.calls["signatures/signHash"], 2);
    assert.equal(after.hashesSigned, 5);
    [...first, ...second].forEach((d, i) => assert.ok(verifiesDigest(signer.certificate, d, [...s1, ...s2][i]), `signature ${i}`));
  });

  it("the service says so (401 invalid_token, the client's clock stopped): renewed with the refresh_token, the group signs", async function () {
    const frozen = Date.now();
    const { client, logins } = await officerClient(() => frozen);
    const signer = await CscSigner.open({ client, credentialID: "officer-rsa", secrets: right });
    await signer.signDigests([sha256("before")], "RSASSA-PKCS1-v1_5", "SHA-256");
    await sleep(4300);
    const d = [sha256("after 1"), sha256("after 2"), sha256("after 3")];
    const sigs = await signer.signDigests(d, "RSASSA-PKCS1-v1_5", "SHA-256");
    d.forEach((x, i) => assert.ok(verifiesDigest(signer.certificate, x, sigs[i]), `signature ${i}`));
    const s = server.stats();
    assert.equal(logins(), 1, "no second sign-in in the browser");
    assert.equal(s.calls["oauth2/authorize"], 2);
    assert.equal(s.calls["oauth2/token"], 2, "the code, then one refresh after the 401");
    // The authorize refused with 401, then again with the new token.
    assert.equal(s.calls["credentials/authorize"], 3);
    assert.equal(s.calls["signatures/signHash"], 2);
  });
});
