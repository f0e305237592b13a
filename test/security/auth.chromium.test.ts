// Issue 12, "Sign-in and roles", in a real browser: the Vietnamese sign-in page, the clerk's way
// into the inbox, the cookie's flags as Chromium stores them, and the finding "a page on another
// origin posted a package through the browser (CSRF, text/plain)" replayed from another port.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { pki } from "@kyso/certs-test";
import { launchChromium } from "../support/chromium.js";
import { makePackages, post } from "../inbox/support.js";
import { serve, signInPage, type Served } from "../service/support.js";
import { tempDir } from "../verify/support.js";

describe("security: sign-in in headless Chromium", function () {
  const dir = tempDir("kyso-sec-auth-page-");
  let srv: Served;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl: string;

  before(async () => {
    const p = await makePackages(dir);
    srv = await serve(["--trust", pki.root, "--revocation", "embedded", "--db", `sqlite:${join(dir, "kyso.db")}`, "--audit-log", join(dir, "audit.jsonl")]);
    assert.equal((await post(srv, p.good)).status, 201);
    // Another origin (same host, another port: the same *site*, so SameSite cookies alone would
    // not stop it) with forms that post text/plain, which needs no CORS preflight.
    attacker = createServer((_req, res) => {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(`<!doctype html><html><body>
<form id="inbox" method="POST" action="${srv.url}/api/v1/inbox?name=x.edxml" enctype="text/plain"><input name='&lt;edXML a' value='"/>'></form>
<form id="login" method="POST" action="${srv.url}/login" enctype="text/plain"><input name="name" value="clerk"><input name="password" value="x"></form>
<form id="register" method="POST" action="${srv.url}/api/v1/inbox/1/register" enctype="text/plain"><input name='{"arrivalNumber":"1","x' value='"}'></form>
</body></html>`);
    });
    await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", () => r()));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    attacker?.close();
    await srv?.stop();
  });

  it("the sign-in page speaks Vietnamese (English on request), refuses a wrong password, and brings the clerk to the inbox", async function () {
    const context = await browser.newContext({ locale: "vi-VN" });
    const page = await context.newPage();
    const origins: (string | undefined)[] = [];
    page.on("request", (r) => r.method() === "POST" && r.url() === `${srv.url}/login` && origins.push(r.headers()["origin"]));
    await page.goto(srv.url + "/inbox");
    assert.equal(new URL(page.url()).pathname, "/login");
    assert.equal(new URL(page.url()).searchParams.get("next"), "/inbox");
    assert.equal(await page.locator("h1").textContent(), "Đăng nhập hệ thống Kyso");
    assert.equal(await page.locator('label[for="name"]').textContent(), "Tên đăng nhập");
    assert.equal(await page.locator('label[for="password"]').textContent(), "Mật khẩu");
    assert.equal(await page.locator("#submit").textContent(), "Đăng nhập");
    assert.equal(await page.locator("html").getAttribute("lang"), "vi");
    await page.click("#lang-en");
    assert.equal(await page.locator("h1").textContent(), "Sign in to Kyso");
    assert.equal(await page.locator("#submit").textContent(), "Sign in");
    await page.click("#lang-vi");

    // A wrong password: 401, the page again with the error in Vietnamese, no session.
    await page.fill("#name", "clerk");
    await page.fill("#password", "không đúng");
    const [wrong] = await Promise.all([page.waitForResponse((r) => r.url() === `${srv.url}/login` && r.request().method() === "POST"), page.click("#submit")]);
    assert.equal(wrong.status(), 401);
    await page.waitForLoadState();
    assert.equal(await page.locator("#error").textContent(), "Sai tên đăng nhập hoặc mật khẩu.");
    assert.ok(!(await context.cookies()).some((c) => c.name === "kyso_session"));

    // The right one: back to /inbox, which lists the package.
    await page.fill("#name", "clerk");
    await page.fill("#password", "văn thư 2026!");
    await Promise.all([page.waitForURL(`${srv.url}/inbox`), page.click("#submit")]);
    await page.waitForFunction(() => document.querySelectorAll("#inbox tr.item").length === 1);
    assert.equal(await page.locator("#inbox tr.item .sender").textContent(), "Ủy ban nhân dân tỉnh Phú Yên");
    assert.equal(await page.locator("#user").textContent(), "clerk ");
    // The form posted with the page's own Origin (the sign-in page is same-origin, not no-referrer).
    assert.deepEqual(origins, [srv.url, srv.url]);

    // The cookie as Chromium keeps it: HttpOnly, SameSite=Strict, for the whole site, not Secure on http.
    const session = (await context.cookies()).find((c) => c.name === "kyso_session");
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.equal(session.path, "/");
    assert.equal(session.secure, false);
    assert.equal(await page.evaluate(() => document.cookie.includes("kyso_session")), false, "scripts cannot read the session");

    // Sign-out: the button posts /logout with the CSRF token; the inbox then sends her to sign in.
    await Promise.all([page.waitForURL(/\/login$/), page.click("#logout")]);
    await page.goto(srv.url + "/inbox");
    assert.equal(new URL(page.url()).pathname, "/login");
    await context.close();
  });

  it("forms on another origin posting text/plain to /api/v1/inbox, /login and a register are refused 403, even for a signed-in clerk", async function () {
    const context = await browser.newContext({ locale: "vi-VN" });
    const page = await context.newPage();
    await signInPage(page, srv.url, "/inbox");
    const count = async (): Promise<number> => page.evaluate(async () => ((await (await fetch("/api/v1/inbox")).json()) as { items: unknown[] }).items.length);
    const before = await count();
    await page.goto(attackerUrl);
    for (const [form, path] of [["inbox", "/api/v1/inbox"], ["login", "/login"], ["register", "/api/v1/inbox/1/register"]] as const) {
      await page.goto(attackerUrl);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().startsWith(srv.url + path) && r.request().method() === "POST"),
        page.evaluate((id) => (document.getElementById(id) as HTMLFormElement).submit(), form),
      ]);
      assert.equal(res.status(), 403, path);
      assert.equal(res.request().headers()["origin"], attackerUrl);
      assert.equal(((await res.json()) as { code: string }).code, "CROSS_ORIGIN");
    }
    await page.goto(srv.url + "/inbox");
    assert.equal(await count(), before, "nothing was stored");
    const rec = await page.evaluate(async () => (await (await fetch("/api/v1/inbox/1")).json()) as { status: string });
    assert.equal(rec.status, "received", "nothing was registered");
    await context.close();
  });
});
