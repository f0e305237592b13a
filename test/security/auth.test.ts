// Issue 12, "Sign-in and roles": replays the findings (open inbox routes, a forged X-Kyso-Actor
// stored as the actor, cross-origin posts, guessable keys with nothing logged) against a real
// `kyso serve` and asserts the new outcome.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pki } from "@kyso/certs-test";
import type { InboxRecord } from "@kyso/inbox";
import { makePackages, post, type Packages } from "../inbox/support.js";
import { serve, TEST_USERS, type Served, type SignedIn } from "../service/support.js";
import { tempDir } from "../verify/support.js";

describe("security: sign-in and roles (kyso serve)", function () {
  const dir = tempDir("kyso-sec-auth-");
  let srv: Served & { keys: Record<string, string> };
  let p: Packages;
  let clerk: SignedIn;
  let id: number;
  // Each test's requests come from an address of their own (X-Forwarded-For, believed from the
  // loopback proxy), so that one test's failed tokens never lock another's.
  const from = (n: number): Record<string, string> => ({ "x-forwarded-for": `10.0.0.${n}` });

  before(async () => {
    p = await makePackages(dir);
    srv = await serve(["--trust", pki.root, "--revocation", "embedded", "--db", `sqlite:${join(dir, "kyso.db")}`, "--audit-log", join(dir, "audit.jsonl"), "--trust-proxy", "loopback"], {}, {
      users: [{ name: "lan", role: "clerk", password: "mật khẩu của Lan" }],
      keys: [
        { name: "truc-lien-thong", scopes: ["inbox:write"] },
        { name: "kiem-tra", scopes: ["verify"] },
        { name: "bang-dieu-khien", scopes: ["registry:read"] },
      ],
    });
    clerk = await srv.signIn("clerk");
    const r = await post(srv, p.good);
    assert.equal(r.status, 201);
    id = r.body.id;
  });
  after(async () => srv?.stop());

  it("every state change and every document read without credentials is 401; pages redirect to the sign-in page", async () => {
    const xml = { "content-type": "application/xml" };
    const json = { "content-type": "application/json" };
    const cases: [string, RequestInit][] = [
      ["/api/v1/inbox", { method: "POST", headers: xml, body: readFileSync(p.tampered) }],
      ["/api/v1/inbox?name=x.pdf&sender=000.00.00.G22", { method: "POST", headers: { "content-type": "application/pdf" }, body: readFileSync(p.pdf) }],
      [`/api/v1/inbox/${id}/register`, { method: "POST", headers: json, body: JSON.stringify({ arrivalNumber: "1/ĐẾN" }) }],
      [`/api/v1/inbox/${id}/return`, { method: "POST", headers: json, body: JSON.stringify({ reason: "x" }) }],
      ["/api/v1/verify", { method: "POST", headers: { "content-type": "application/pdf" }, body: readFileSync(p.pdf) }],
      ["/api/v1/inbox", {}],
      [`/api/v1/inbox/${id}`, {}],
      [`/api/v1/inbox/${id}/attachments/0`, {}],
      [`/api/v1/inbox/${id}/package`, {}],
      ["/api/v1/registry/certificates", {}],
    ];
    for (const [path, init] of cases) {
      const res = await fetch(srv.url + path, { ...init, headers: { ...(init.headers as Record<string, string>), ...from(1) } });
      assert.equal(res.status, 401, `${init.method ?? "GET"} ${path}`);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="kyso"/);
      assert.equal(((await res.json()) as { code: string }).code, "UNAUTHENTICATED");
    }
    for (const page of ["/", "/inbox", "/inbox.html", "/index.html"]) {
      const res = await fetch(srv.url + page, { redirect: "manual" });
      assert.equal(res.status, 303, page);
      assert.equal(res.headers.get("location"), `/login?next=${encodeURIComponent(page)}`);
    }
    // Nothing was stored or changed.
    const list = (await (await fetch(`${srv.url}/api/v1/inbox`, { headers: clerk.headers })).json()) as { items: { id: number; status: string }[] };
    assert.deepEqual(list.items.map((i) => [i.id, i.status]), [[id, "received"]]);
    // /healthz stays open for load balancers.
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  });

  it("a role or scope that does not cover the route is 403", async () => {
    const auditor = await srv.signIn("auditor");
    const admin = await srv.signIn("admin");
    const bearer = (name: string) => ({ authorization: `Bearer ${srv.keys[name]}`, ...from(2) });
    const reg = (headers: Record<string, string>) => fetch(`${srv.url}/api/v1/inbox/${id}/register`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ arrivalNumber: "9/ĐẾN" }) });
    const status = async (r: Promise<Response>) => (await r).status;
    // Auditors read, never act; admins neither read nor act on the inbox.
    assert.equal(await status(reg(auditor.headers)), 403);
    assert.equal(await status(reg(admin.headers)), 403);
    assert.equal(await status(fetch(`${srv.url}/api/v1/inbox/${id}/attachments/0`, { headers: auditor.headers })), 200);
    assert.equal(await status(fetch(`${srv.url}/api/v1/inbox`, { headers: admin.headers })), 403);
    assert.equal(await status(fetch(`${srv.url}/inbox`, { headers: admin.headers })), 403);
    // Keys do only what their scopes say.
    assert.equal(await status(fetch(`${srv.url}/api/v1/inbox`, { headers: bearer("truc-lien-thong") })), 403, "inbox:write does not read");
    assert.equal(await status(reg(bearer("truc-lien-thong"))), 403, "inbox:write does not register");
    assert.equal(await status(fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...bearer("truc-lien-thong"), "content-type": "application/pdf" }, body: readFileSync(p.pdf) })), 403);
    assert.equal(await status(fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...bearer("kiem-tra"), "content-type": "application/pdf" }, body: readFileSync(p.pdf) })), 200);
    assert.equal(await status(fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...bearer("kiem-tra"), "content-type": "application/xml" }, body: readFileSync(p.tampered) })), 403);
    assert.equal(await status(fetch(`${srv.url}/api/v1/registry/certificates`, { headers: bearer("kiem-tra") })), 403);
    assert.equal(await status(fetch(`${srv.url}/api/v1/registry/certificates`, { headers: bearer("bang-dieu-khien") })), 200);
    assert.equal(await status(fetch(`${srv.url}/api/v1/registry/certificates`, { headers: clerk.headers })), 403);
    assert.equal(await status(fetch(`${srv.url}/api/v1/registry/certificates`, { headers: admin.headers })), 200);
    // Every refusal is in the service log with the principal, never with a secret.
    assert.match(srv.stderr(), /"msg":"forbidden","principal":"auditor"/);
    for (const k of Object.values(srv.keys)) assert.ok(!srv.stderr().includes(k), "an API key in the log");
  });

  it("a register with a forged X-Kyso-Actor is stored under the signed-in clerk; the package under its key", async () => {
    const lan = await srv.signIn("lan", "mật khẩu của Lan");
    const res = await fetch(`${srv.url}/api/v1/inbox/${id}/register`, {
      method: "POST",
      headers: { ...lan.headers, "content-type": "application/json", "x-kyso-actor": encodeURIComponent("Giám đốc"), "x-forwarded-user": encodeURIComponent("Giám đốc") },
      body: JSON.stringify({ arrivalNumber: "125/ĐẾN", actor: "Giám đốc" }),
    });
    assert.equal(res.status, 200);
    const rec = (await res.json()) as InboxRecord;
    assert.deepEqual(rec.events.map((e) => [e.kind, e.actor]), [["received", srv.keyName], ["registered", "lan"]]);
    assert.ok(!JSON.stringify(rec).includes("Giám đốc"));
  });

  it("a session's state change needs its CSRF token, and any state change from another origin is 403, whatever its type", async () => {
    const other = await post(srv, p.tampered);
    const ret = (headers: Record<string, string>, type = "application/json") =>
      fetch(`${srv.url}/api/v1/inbox/${other.body.id}/return`, { method: "POST", headers: { "content-type": type, ...headers }, body: JSON.stringify({ reason: "Tệp bị sửa" }) });
    const noToken = await ret({ cookie: clerk.cookie });
    assert.equal(noToken.status, 403);
    assert.equal(((await noToken.json()) as { code: string }).code, "CSRF_TOKEN");
    assert.equal((await ret({ cookie: clerk.cookie, "x-csrf-token": "x".repeat(43) })).status, 403);
    // Cross-origin: refused before credentials are even looked at (text/plain needs no preflight).
    for (const origin of ["http://evil.example", "null", `${srv.url}.evil.example`]) {
      const r = await ret({ ...clerk.headers, origin }, "text/plain");
      assert.equal(r.status, 403, origin);
      assert.equal(((await r.json()) as { code: string }).code, "CROSS_ORIGIN");
    }
    assert.equal((await ret({ ...clerk.headers, referer: "http://evil.example/page" })).status, 403);
    const viaKey = await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...srv.auth, origin: "http://evil.example", "content-type": "text/plain" }, body: readFileSync(p.tampered) });
    assert.equal(viaKey.status, 403);
    assert.equal(viaKey.headers.get("connection"), "close", "the refused body is not read on");
    const login = await fetch(`${srv.url}/login`, { method: "POST", headers: { origin: "http://evil.example", "content-type": "text/plain" }, body: "name=clerk&password=x" });
    assert.equal(login.status, 403);
    // The same request from the service's own origin, with the token, goes through.
    const ok = await ret({ ...clerk.headers, origin: srv.url });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as InboxRecord).events.at(-1)?.actor, "clerk");
  });

  it("the session cookie is HttpOnly, SameSite=Strict, server-side (sign-out ends it), and Secure behind TLS", async () => {
    const page = await fetch(`${srv.url}/login`);
    const loginCookie = page.headers.getSetCookie().find((c) => c.startsWith("kyso_login_csrf="))!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
    const signIn = (extra: Record<string, string> = {}) =>
      fetch(`${srv.url}/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie: loginCookie.split(";")[0], ...extra }, body: new URLSearchParams({ name: "clerk", password: TEST_USERS[0].password, csrf, next: "/inbox" }).toString() });
    const res = await signIn();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/inbox");
    const session = res.headers.getSetCookie().find((c) => c.startsWith("kyso_session="))!;
    const attrs = session.split(/;\s*/).slice(1);
    assert.ok(attrs.includes("HttpOnly"), session);
    assert.ok(attrs.includes("SameSite=Strict"), session);
    assert.ok(attrs.includes("Path=/"), session);
    assert.ok(!attrs.includes("Secure"), "plain HTTP: no Secure");
    const csrfCookie = res.headers.getSetCookie().find((c) => c.startsWith("kyso_csrf="))!;
    assert.ok(csrfCookie.includes("SameSite=Strict") && !csrfCookie.includes("HttpOnly"), "the pages read the CSRF token");
    // Behind a TLS proxy (X-Forwarded-Proto from a trusted proxy): Secure.
    const tls = await signIn({ "x-forwarded-proto": "https" });
    assert.equal(tls.status, 303);
    assert.ok(tls.headers.getSetCookie().every((c) => c.split(/;\s*/).includes("Secure")), tls.headers.getSetCookie().join(" | "));
    // Sign-out ends the session on the server: the same cookie no longer works.
    const cookie = session.split(";")[0];
    const token = csrfCookie.split(";")[0].split("=")[1];
    assert.equal((await fetch(`${srv.url}/api/v1/inbox`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${srv.url}/logout`, { method: "POST", headers: { cookie, accept: "application/json" } })).status, 403, "sign-out needs the token too");
    assert.equal((await fetch(`${srv.url}/logout`, { method: "POST", headers: { cookie, "x-csrf-token": decodeURIComponent(token), accept: "application/json" } })).status, 204);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox`, { headers: { cookie } })).status, 401);
  });

  it("wrong passwords lock the name after 5 tries: then 429 with Retry-After, even for the right password; each failure logged without the password", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await fetch(`${srv.url}/login`);
      const cookie = page.headers.getSetCookie().find((c) => c.startsWith("kyso_login_csrf="))!.split(";")[0];
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
      const r = await fetch(`${srv.url}/login`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ name: "lan", password: `sai-mat-khau-${i}`, csrf }) });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    const page = await fetch(`${srv.url}/login`);
    const cookie = page.headers.getSetCookie().find((c) => c.startsWith("kyso_login_csrf="))!.split(";")[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
    const locked = await fetch(`${srv.url}/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body: new URLSearchParams({ name: "lan", password: "mật khẩu của Lan", csrf }).toString() });
    assert.equal(locked.status, 429);
    const retry = Number(locked.headers.get("retry-after"));
    assert.ok(retry >= 25 && retry <= 30, `Retry-After ${retry}`);
    assert.match(await locked.text(), /Đăng nhập sai quá nhiều lần/);
    // Another user is not locked by Lan's failures.
    await srv.signIn("auditor");
    const log = srv.stderr();
    assert.equal((log.match(/"msg":"login-failed","user":"lan"/g) ?? []).length, 6);
    for (let i = 0; i < 5; i++) assert.ok(!log.includes(`sai-mat-khau-${i}`), "a password in the log");
    assert.ok(!log.includes("mật khẩu của Lan"));
  });

  it("failed tokens from one address: 429 with Retry-After after 5, even for a good key; other addresses unaffected", async () => {
    const guess = (key: string, n = 7) => fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/xml", ...from(n) }, body: "<x/>" });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await guess(`kyso_${"A".repeat(42)}${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    const locked = await guess(srv.keys["truc-lien-thong"]);
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get("retry-after")) >= 25);
    // The lock is per address: the gateway at another address still gets in.
    assert.equal((await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { authorization: `Bearer ${srv.keys["truc-lien-thong"]}`, "content-type": "application/xml", ...from(8) }, body: readFileSync(p.good) })).status, 200);
    assert.equal((srv.stderr().match(/"msg":"api-key-refused","reason":"invalid","client":"10\.0\.0\.7"/g) ?? []).length, 5);
  });
});

describe("security: kyso serve --public-verify", function () {
  const dir = tempDir("kyso-sec-public-");
  let srv: Served;
  let pdf: Buffer;
  before(async () => {
    pdf = readFileSync((await makePackages(dir)).pdf);
    srv = await serve(["--trust", pki.root, "--revocation", "embedded", "--public-verify", "--audit-log", join(dir, "audit.jsonl")]);
  });
  after(async () => srv?.stop());

  it("opens the verify page and POST /api/v1/verify to anyone, and nothing else", async () => {
    const res = await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/pdf" }, body: pdf });
    assert.equal(res.status, 200);
    const report = (await res.json()) as { signatures: { signer: { commonName: string } }[] };
    assert.deepEqual(report.signatures.map((x) => x.signer.commonName), ["Nguyễn Văn An"], "the document was verified");
    const page = await fetch(`${srv.url}/`, { redirect: "manual" });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Kiểm tra chữ ký số/);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox`)).status, 401);
    assert.equal((await fetch(`${srv.url}/inbox`, { redirect: "manual" })).status, 303);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { "content-type": "application/pdf" }, body: pdf })).status, 401);
    // Still refused from another origin, signed in or not.
    assert.equal((await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/pdf", origin: "http://evil.example" }, body: pdf })).status, 403);
  });
});
