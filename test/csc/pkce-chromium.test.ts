/**
 * Issue 15 acceptance 2: the officer's sign-in (OAuth 2.0 authorization code with PKCE) driven end
 * to end in headless Chromium. The client opens the service's login page through `openBrowser`, the
 * test "officer" logs in there, the code comes back to the client's loopback redirect (127.0.0.1,
 * a port of the system's choosing, `state` checked), and the batch engine signs with the token.
 */
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { CSC_CLIENT_ID, CSC_OTP, CSC_PIN, CSC_USER_PASSWORD, ready, samples, startCscServer, type CscServer } from "@kyso/certs-test";
import { CscClient, CscSigner } from "@kyso/signers";
import { signBatch } from "@kyso/sign";
import { launchChromium } from "../support/chromium.js";
import { pdfsig, tempDir } from "../bulk/helpers.js";
import { opensslCmsVerify } from "../support/judges.js";

describe("CSC: PKCE sign-in in headless Chromium, then signing", function () {
  let server: CscServer;
  let browser: Browser;
  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer();
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
    await server?.close();
  });

  it("the officer logs in on the service's page; a forged redirect is refused; the documents are signed", async function () {
    const seen: string[] = [];
    let forged: number | undefined;
    const client = await CscClient.connect(server.url, {
      auth: {
        kind: "browser",
        clientId: CSC_CLIENT_ID,
        openBrowser: async (url) => {
          seen.push(url);
          const u = new URL(url);
          assert.equal(u.searchParams.get("code_challenge_method"), "S256");
          const redirect = new URL(u.searchParams.get("redirect_uri")!);
          assert.equal(redirect.hostname, "127.0.0.1");
          assert.notEqual(redirect.port, "");
          // Someone else's redirect (a wrong state) is refused by the loopback, which keeps waiting.
          forged = (await fetch(`${redirect.href}?code=stolen&state=not-ours`)).status;
          const page = await browser.newPage();
          try {
            await page.goto(url);
            await page.fill('input[name="username"]', "an");
            await page.fill('input[name="password"]', CSC_USER_PASSWORD);
            await Promise.all([page.waitForURL((v) => v.host === redirect.host), page.click('button[type="submit"]')]);
            assert.match(await page.textContent("body") ?? "", /Đăng nhập thành công/);
          } finally {
            await page.close();
          }
        },
      },
    });
    assert.equal(seen.length, 1);
    assert.equal(forged, 400);
    // The officer "an" sees only his own credential.
    assert.deepEqual(await client.listCredentials(), ["officer-rsa"]);
    const signer = await CscSigner.open({ client, credentialID: "officer-rsa", secrets: async (r) => (r.kind === "PIN" ? CSC_PIN : CSC_OTP) });

    const work = tempDir("csc-pkce");
    mkdirSync(join(work, "out"));
    const items = [0, 1, 2].map((i) => {
      const input = join(work, `vb-${i}.pdf`);
      copyFileSync(samples.onePage, input);
      appendFileSync(input, `% copy ${i}\n`);
      return { input, output: join(work, "out", `vb-${i}.pdf`) };
    });
    const summary = await signBatch(items, signer);
    assert.equal(summary.signed, 3);
    for (const it of items) {
      const v = pdfsig(it.output);
      assert.ok(v.ok, v.out);
      assert.equal((await opensslCmsVerify(it.output, 0)).code, 0);
    }
    assert.equal(server.stats().calls["signatures/signHash"], 1, "three documents, one signHash call");
    assert.equal(server.stats().calls["credentials/authorize"], 1);
  });

  it("a wrong password on the page leaves the client waiting; its own timeout ends it with CSC_AUTH_FAILED", async function () {
    let err: unknown;
    try {
      await CscClient.connect(server.url, {
        auth: {
          kind: "browser",
          clientId: CSC_CLIENT_ID,
          timeoutMs: 3000,
          openBrowser: async (url) => {
            const page = await browser.newPage();
            await page.goto(url);
            await page.fill('input[name="username"]', "an");
            await page.fill('input[name="password"]', "wrong-password");
            await page.click('button[type="submit"]');
            await page.waitForSelector(".error");
            await page.close();
          },
        },
      });
    } catch (e) {
      err = e;
    }
    assert.equal((err as { code?: string })?.code, "CSC_AUTH_FAILED");
  });
});
