import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import { flipByte, sign, tempDir } from "../verify/support.js";
import { serve, type Served } from "./support.js";

describe("verification service (kyso serve as a process)", function () {
  const dir = tempDir("kyso-service-");
  const audit = join(dir, "audit", "audit.jsonl");
  let srv: Served;
  let good: Buffer;
  let bad: Buffer;

  before(async function () {
    good = readFileSync(await sign(samples.onePage, join(dir, "good.pdf")));
    bad = readFileSync(flipByte(join(dir, "good.pdf"), join(dir, "bad.pdf"), (b) => b.indexOf("/MediaBox")));
    srv = await serve(["--trust", pki.root, "--body-limit", "1", "--audit-log", audit]);
  });
  after(async () => srv?.stop());

  it("POST application/pdf returns one report", async function () {
    const res = await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: good });
    assert.equal(res.status, 200);
    const r = await res.json();
    assert.equal(r.indication, "TOTAL_PASSED");
    assert.equal(r.signatures[0].signer.commonName, "Nguyễn Văn An");
    const r2 = await (await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: bad })).json();
    assert.equal(r2.indication, "TOTAL_FAILED");
    assert.equal(r2.subIndication, "HASH_FAILURE");
  });

  it("by default a revoked signer is TOTAL_FAILED REVOKED: revocation is checked online (OCSP, then CRLs)", async function () {
    const revoked = readFileSync(await sign(samples.onePage, join(dir, "revoked.pdf"), "revoked"));
    const r = await (await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: revoked })).json();
    assert.equal(r.indication, "TOTAL_FAILED");
    assert.equal(r.subIndication, "REVOKED");
    assert.equal(r.signatures[0].revocation.mode, "online");
    const g = await (await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: good })).json();
    assert.deepEqual(g.signatures[0].revocation.path.map((p: { status: string }) => p.status), ["good", "good"]);
  });

  it("--revocation embedded (offline): a document carrying no revocation data is INDETERMINATE, never passed", async function () {
    const offline = await serve(["--trust", pki.root, "--revocation", "embedded", "--audit-log", join(dir, "audit2.jsonl")]);
    try {
      const r = await (await fetch(`${offline.url}/api/v1/verify`, { method: "POST", headers: { ...offline.auth, "content-type": "application/pdf" }, body: good })).json();
      assert.equal(r.indication, "INDETERMINATE");
      assert.equal(r.subIndication, "TRY_LATER");
    } finally {
      await offline.stop();
    }
  });

  it("multipart with several file parts returns an array", async function () {
    const form = new FormData();
    form.append("file", new Blob([good], { type: "application/pdf" }), "good.pdf");
    form.append("file", new Blob([bad], { type: "application/pdf" }), "bad.pdf");
    form.append("file", new Blob([Buffer.from("not a pdf")]), "junk.bin");
    const res = await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: srv.auth, body: form });
    assert.equal(res.status, 200);
    const arr = await res.json();
    assert.ok(Array.isArray(arr));
    assert.deepEqual(arr.map((r: { file: string }) => r.file), ["good.pdf", "bad.pdf", "junk.bin"]);
    assert.deepEqual(arr.map((r: { indication: string }) => r.indication), ["TOTAL_PASSED", "TOTAL_FAILED", "NO_SIGNATURE"]);
  });

  it("413 above the body limit, 415 for other types", async function () {
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const res = await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: big });
    assert.equal(res.status, 413);
    const res2 = await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "text/plain" }, body: "x" });
    assert.equal(res2.status, 415);
  });

  it("healthz, metrics and the audit log", async function () {
    const h = await fetch(`${srv.url}/healthz`);
    assert.equal(h.status, 200);
    assert.equal((await h.json()).status, "ok");
    const m = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(m, /kyso_verifications_total\{indication="TOTAL_PASSED"\} [1-9]/);
    assert.match(m, /kyso_verifications_total\{indication="TOTAL_FAILED"\} [1-9]/);
    assert.match(m, /kyso_verification_seconds_bucket\{le="\+Inf"\} [1-9]/);
    assert.ok(existsSync(audit));
    // The JSON-lines file is a copy of the audit entries (the table in the database is the audit).
    const lines = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const verified = lines.filter((l) => l.action === "verify");
    assert.ok(verified.length >= 5);
    const rec = verified[0];
    assert.deepEqual(Object.keys(rec).sort(), ["action", "actor", "details", "hash", "id", "outcome", "prevHash", "source", "status", "target", "time"]);
    assert.equal(rec.actor.kind, "api-key");
    assert.equal(rec.details.size, good.length);
    assert.equal(rec.details.indication, "TOTAL_PASSED");
    assert.match(rec.target, /^[0-9a-f]{64}$/);
    assert.deepEqual(lines.map((l) => l.id), lines.map((_, i) => i + 1), "the copy holds every entry, in order");
    assert.equal(lines[1].prevHash, lines[0].hash);
    // Logs never carry document content.
    assert.ok(!srv.stderr().includes("%PDF"));
  });

  it("the page and its assets are served without any CDN (the page to a signed-in user; without one, a redirect to sign in)", async function () {
    const anonymous = await fetch(`${srv.url}/`, { redirect: "manual" });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/login?next=%2F");
    assert.equal((await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/pdf" }, body: good })).status, 401);
    const clerk = await srv.signIn();
    const html = await (await fetch(`${srv.url}/`, { headers: clerk.headers })).text();
    assert.match(html, /Kiểm tra chữ ký số/);
    for (const asset of ["app.js", "session.js", "style.css"]) assert.equal((await fetch(`${srv.url}/${asset}`)).status, 200);
    assert.doesNotMatch(html, /https?:\/\//);
  });
});

describe("verification service: bounds", function () {
  it("503 with Retry-After beyond the bound on concurrent work", async function () {
    const dir = tempDir("kyso-service-busy-");
    const srv = await serve(["--workers", "1", "--max-pending", "1", "--body-limit", "60", "--audit-log", join(dir, "a.jsonl")]);
    try {
      const big = readFileSync(samples.large20mb);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: big }).then(async (r) => ({ status: r.status, retry: r.headers.get("retry-after"), body: await r.text() }))),
      );
      const busy = results.filter((r) => r.status === 503);
      assert.ok(busy.length >= 1, `statuses ${results.map((r) => r.status).join(",")}`);
      assert.ok(busy.every((r) => r.retry === "1"));
      assert.ok(results.some((r) => r.status === 200));
    } finally {
      await srv.stop();
    }
  });
});
