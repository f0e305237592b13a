// Issue 12, "Bounded work": security headers on every response, and attachment names that cannot
// become paths or markup. Replays the findings: no CSP / nosniff / frame-ancestors on / and /inbox;
// an attachment named ../../x.html sent as received.
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { pki } from "@kyso/certs-test";
import { buildEdxml } from "@kyso/edxml";
import { header, pkg } from "../edxml/support.js";
import { serve, signInPage, type Served, type SignedIn } from "../service/support.js";
import { tempDir } from "../verify/support.js";
import { launchChromium } from "../support/chromium.js";
import { contentDisposition, safeFileName } from "../../service/src/content-disposition.js";

const CSP = ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"];

function assertSecurityHeaders(res: Response, what: string): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  for (const d of CSP) assert.ok(csp.split(/;\s*/).includes(d), `${what}: CSP lacks ${d}: ${csp}`);
  assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${what}: CSP allows inline code: ${csp}`);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  // The sign-in page alone is same-origin: under no-referrer Chromium posts its form with
  // `Origin: null`, which the origin check refuses (test/security/auth.chromium.test.ts).
  assert.equal(res.headers.get("referrer-policy"), what === "/login" ? "same-origin" : "no-referrer", what);
  assert.equal(res.headers.get("x-frame-options"), "DENY", what);
  assert.equal(res.headers.get("x-powered-by"), null, what);
}

describe("security: headers on every response, safe attachment names", function () {
  const dir = tempDir("kyso-sec-headers-");
  let srv: Served;
  let clerk: SignedIn;
  before(async () => {
    srv = await serve(["--trust", pki.root, "--revocation", "embedded", "--db", `sqlite:${join(dir, "kyso.db")}`, "--audit-log", join(dir, "audit.jsonl"), "--body-limit", "1"]);
    clerk = await srv.signIn("clerk");
  });
  after(async () => srv?.stop());

  it("pages, assets, API answers and errors all carry CSP without inline script, nosniff, no-referrer and no framing", async () => {
    // As a signed-in clerk; then the same signed out (redirects and refusals carry them too).
    const signedIn = { headers: clerk.headers };
    const cases: [string, RequestInit | undefined, number][] = [
      ["/", signedIn, 200],
      ["/inbox", signedIn, 200],
      ["/login", undefined, 200],
      ["/api/v1/inbox", signedIn, 200],
      ["/api/v1/inbox/999", signedIn, 404],
      ["/api/v1/registry/report", signedIn, 403],
      ["/", { redirect: "manual" }, 303],
      ["/app.js", undefined, 200],
      ["/style.css", undefined, 200],
      ["/healthz", undefined, 200],
      ["/api/v1/inbox", undefined, 401],
      ["/no-such-page", undefined, 404],
      ["/api/v1/verify", { method: "POST", headers: { ...srv.auth, "content-type": "text/plain" }, body: "x" }, 415],
      ["/api/v1/verify", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }, 401],
      ["/api/v1/registry/report", undefined, 401],
    ];
    for (const [path, init, status] of cases) {
      const res = await fetch(srv.url + path, init);
      await res.arrayBuffer();
      assert.equal(res.status, status, path);
      assertSecurityHeaders(res, path);
    }
  });

  it("the pages load no inline script or style that the policy would block", () => {
    for (const page of ["index.html", "inbox.html", "login.html"]) {
      const html = readFileSync(new URL(`../../service/public/${page}`, import.meta.url), "utf8");
      assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), `${page}: inline <script>`);
      assert.ok(!/<style\b/i.test(html), `${page}: inline <style>`);
      assert.ok(!/\son[a-z]+\s*=/i.test(html), `${page}: inline event handler`);
      assert.ok(!/\sstyle\s*=/i.test(html), `${page}: style attribute`);
    }
  });

  it("in Chromium, / and /inbox run their scripts and styles with no policy violation, and refuse to be framed", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await signInPage(page, srv.url, "/");
      for (const path of ["/login", "/", "/inbox"]) {
        await page.goto(srv.url + path, { waitUntil: "networkidle" });
        // The page's own script ran (it builds the UI), and its stylesheet applied.
        assert.equal(await page.evaluate(() => document.styleSheets.length > 0 && [...document.styleSheets].every((s) => s.href !== null)), true, path);
        assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).fontFamily), "", path);
      }
      assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused/i.test(p)), []);
      // Framed by another origin: the browser refuses (frame-ancestors 'none').
      const blocked: string[] = [];
      page.on("console", (m) => /frame-ancestors|Refused to (display|frame)/i.test(m.text()) && blocked.push(m.text()));
      await page.setContent(`<iframe src="${srv.url}/inbox"></iframe>`);
      await page.waitForTimeout(500);
      const framed = page.frames().find((f) => f.url().includes("/inbox"));
      const text = framed ? await framed.evaluate(() => document.body?.innerText ?? "").catch(() => "") : "";
      assert.ok(blocked.length > 0 || text === "", `framed /inbox rendered: ${text.slice(0, 80)}`);
    } finally {
      await browser.close();
    }
  });

  it("an attachment named ../../x.html is downloaded as x.html, never rendered (RFC 6266, RFC 5987)", async () => {
    const attachments = [
      { contentId: "a1", name: "../../x.html", contentType: "text/html", bytes: new TextEncoder().encode("<script>alert(1)</script>") },
      { contentId: "a2", name: "..\\..\\Công văn\r\n số 1.pdf", contentType: "application/pdf", bytes: new TextEncoder().encode("%PDF-1.7 not really") },
    ];
    const xml = buildEdxml(pkg(header(9901, "Tệp đính kèm có tên nguy hiểm"), attachments));
    const posted = await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...srv.auth, "content-type": "application/xml" }, body: xml });
    assert.equal(posted.status, 201, await posted.clone().text());
    const { id } = (await posted.json()) as { id: number };

    const a = await fetch(`${srv.url}/api/v1/inbox/${id}/attachments/0`, { headers: clerk.headers });
    assert.equal(a.status, 200);
    assert.equal(await a.text(), "<script>alert(1)</script>");
    assert.equal(a.headers.get("content-disposition"), `attachment; filename="x.html"; filename*=UTF-8''x.html`);
    assert.equal(a.headers.get("content-type"), "application/octet-stream");
    assert.equal(a.headers.get("x-content-type-options"), "nosniff");

    const b = await fetch(`${srv.url}/api/v1/inbox/${id}/attachments/1`, { headers: clerk.headers });
    await b.arrayBuffer();
    const cd = b.headers.get("content-disposition") ?? "";
    assert.equal(cd, `attachment; filename="Cong van so 1.pdf"; filename*=UTF-8''C%C3%B4ng%20v%C4%83n%20s%E1%BB%91%201.pdf`);
    assert.ok(!/[\\/]|\.\./.test(cd.replace(/filename\*=.*$/, "")), cd);
  });

  it("names are reduced to their last segment without controls, dots in front or direction overrides", () => {
    assert.equal(safeFileName("../../x.html"), "x.html");
    assert.equal(safeFileName("C:\\Windows\\system32\\evil.exe"), "evil.exe");
    assert.equal(safeFileName("..."), "download");
    assert.equal(safeFileName(".htaccess"), "htaccess");
    assert.equal(safeFileName("bao-cao\u202Efdp.exe"), "bao-caofdp.exe");
    assert.equal(safeFileName("a\u0000b\u0007c\u009b.pdf"), "abc.pdf");
    assert.equal(contentDisposition(`dir\\a"b.pdf`), `attachment; filename="a_b.pdf"; filename*=UTF-8''a%22b.pdf`);
    assert.equal(contentDisposition("it's (1).pdf", "inline"), `inline; filename="it's (1).pdf"; filename*=UTF-8''it%27s%20%281%29.pdf`);
  });
});
