import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pki } from "@kyso/certs-test";
import { openDatabase, sql, type Database } from "@kyso/db";
import { postgresBackend, requireBackend } from "../../packages/registry/test/support/backends.js";
import { header, pdfAttachment, pkg, signedPackage, signedPdfs } from "../edxml/support.js";
import { cliBin, repoRoot, tempDir } from "../verify/support.js";
import { passwordOf, provision, signIn, TEST_USERS, type SignedIn } from "../service/support.js";
import { alive, answeredBy, deploy, pool, type Deployment } from "./support.js";

/**
 * Issue 12, acceptance 2: deploy/run-local.sh puts Debian's nginx in front of three `kyso serve`
 * replicas on one PostgreSQL database (a fresh one per run, through KYSO_TEST_PG_URL). A clerk
 * signs in once and is served by all three; 1,000 distinct signed edXML packages are posted
 * through nginx at concurrency 16 with an `inbox:write` API key, and one replica is killed
 * (SIGKILL) half-way. Every answer is a success or a retryable 503 (clients retry those), every
 * package is stored exactly once, the hash-chained audit verifies, and the clerk's session
 * survives. Under CI a missing PostgreSQL fails this test instead of skipping it.
 */
const PACKAGES = 1000;
const CONCURRENCY = 16;

describe("scale-out: nginx in front of three kyso serve replicas on one PostgreSQL", function () {
  let db: string;
  let dep: Deployment;
  let gatewayKey: string;
  let clerk: SignedIn;
  let conn: Database;
  const bodies: Buffer[] = [];

  before(async function () {
    requireBackend(this, postgresBackend);
    db = await postgresBackend.fresh();
    const keys = await provision(db, { users: TEST_USERS, keys: [{ name: "axis-gateway", scopes: ["inbox:write"] }] });
    gatewayKey = keys["axis-gateway"];
    // 1,000 distinct packages, cheaply: one signed PDF attached to each, a distinct number in
    // each header, each package's XML signed by the sender's seal.
    const pdfs = await signedPdfs(tempDir("kyso-scale-pkg-"));
    const attachment = pdfAttachment(pdfs.a, "quyet-dinh.pdf");
    for (let i = 0; i < PACKAGES; i++) bodies.push(Buffer.from(signedPackage(pkg(header(20000 + i, `V/v thử tải số ${i}`), [attachment]))));
    dep = await deploy(db, 3, ["--trust", pki.root, "--rate-limit", "100000/min"]);
    conn = await openDatabase(db, { cwd: repoRoot });
  });
  after(async () => {
    await dep?.stop();
    await conn?.close();
    await postgresBackend.cleanup();
  });

  it("deploy/run-local.sh: three replicas and nginx are running, nginx answers /healthz", async () => {
    assert.equal(dep.replicas.length, 3);
    assert.equal(new Set(dep.replicas.map((r) => r.port)).size, 3);
    for (const r of dep.replicas) assert.ok(alive(r.pid), `replica ${r.n}`);
    assert.ok(alive(dep.nginxPid));
    const res = await fetch(`${dep.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("server"), "nginx");
  });

  it("a clerk signs in once through nginx and is served by all three replicas", async () => {
    clerk = await signIn(dep.url, "clerk", passwordOf("clerk"));
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${dep.url}/api/v1/inbox`, { headers: clerk.headers });
      assert.equal(res.status, 200, await res.text());
      seen.add(answeredBy(res)!);
    }
    assert.deepEqual([...seen].sort(), dep.replicas.map((r) => r.port).sort(), "every replica served the one session");
  });

  it("failed sign-ins count across the replicas: five wrong passwords on several replicas lock the name, then even the right one is 429 + Retry-After", async () => {
    const page = await fetch(`${dep.url}/login`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("kyso_login_csrf="))!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
    const attempt = (password: string) => fetch(`${dep.url}/login`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ name: "auditor", password, csrf }) });
    const replicas = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const res = await attempt(`sai mật khẩu ${i}`);
      assert.equal(res.status, 401, await res.text());
      replicas.add(answeredBy(res)!);
    }
    assert.ok(replicas.size >= 2, "the failures were spread over replicas");
    const res = await attempt(passwordOf("auditor"));
    assert.equal(res.status, 429, await res.text());
    assert.ok(Number(res.headers.get("retry-after")) >= 1);
  });

  it(`${PACKAGES} packages at concurrency ${CONCURRENCY}, one replica SIGKILLed half-way: every answer a success or a retryable 503, each package stored once`, async function () {
    const victim = dep.replicas[1];
    const statuses = new Map<number, number>();
    const ids: number[] = new Array(PACKAGES);
    let done = 0;
    let killedAt = 0;
    const afterKill: number[] = [];
    const t0 = performance.now();
    await pool(bodies, CONCURRENCY, async (body, i) => {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${dep.url}/api/v1/inbox`, { method: "POST", headers: { authorization: `Bearer ${gatewayKey}`, "content-type": "application/xml" }, body });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 503) {
          // Retryable: the client waits as told (at most 2 s here) and sends the same package again.
          assert.ok(res.headers.get("retry-after"), "a 503 says when to retry");
          assert.ok(attempt < 30, `package ${i}: still 503 after 30 attempts`);
          await new Promise((r) => setTimeout(r, Math.min(2, Number(res.headers.get("retry-after")) || 1) * 250));
          continue;
        }
        assert.ok(res.status === 201 || res.status === 200, `package ${i}: answered ${res.status} ${text}`);
        const json = JSON.parse(text) as { id: number; indication: string };
        assert.equal(json.indication, "TOTAL_PASSED", `package ${i}`);
        ids[i] = json.id;
        if (killedAt && performance.now() - killedAt > 1000) afterKill.push(answeredBy(res)!);
        break;
      }
      if (++done === PACKAGES / 2) {
        process.kill(victim.pid, "SIGKILL");
        killedAt = performance.now();
      }
    });
    const s = (performance.now() - t0) / 1000;
    console.log(`      ${PACKAGES} packages in ${s.toFixed(1)} s (${(PACKAGES / s).toFixed(0)}/s); answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok(killedAt > 0 && !alive(victim.pid), "the replica was killed half-way");
    assert.deepEqual([...statuses.keys()].filter((k) => ![200, 201, 503].includes(k)), [], "no answer but 200, 201 or 503");
    assert.equal(new Set(ids).size, PACKAGES, "a distinct record for every package");
    assert.ok(afterKill.length > 100 && afterKill.every((p) => p !== victim.port), "after the kill, only the surviving replicas answer");
    const rows = await conn.get<{ n: number | string; sha: number | string; codes: number | string }>(
      sql`SELECT COUNT(*) AS n, COUNT(DISTINCT sha256) AS sha, COUNT(DISTINCT code_number) AS codes FROM inbox_packages`,
    );
    assert.deepEqual({ n: Number(rows!.n), sha: Number(rows!.sha), codes: Number(rows!.codes) }, { n: PACKAGES, sha: PACKAGES, codes: PACKAGES }, "every package stored exactly once");
    // nginx sent again what the dead replica dropped or refused: its log shows requests that tried
    // the killed replica first (the connection refused or reset), then a surviving one.
    const retried = readFileSync(join(dep.dir, "access.log"), "utf8").split("\n").filter((l) => l.includes("POST /api/v1/inbox") && l.includes(`127.0.0.1:${victim.port}, `));
    console.log(`      ${retried.length} POSTs tried the killed replica, then another`);
    assert.ok(retried.length >= 1, "some POSTs were sent to the killed replica and then to another");
    assert.ok(retried.every((l) => / (200|201|503) /.test(l)), retried.join("\n"));
    const att = await conn.get<{ n: number | string }>(sql`SELECT COUNT(*) AS n FROM inbox_attachments`);
    assert.equal(Number(att!.n), PACKAGES, "one attachment per package");
  });

  it("the audit chain verifies (kyso audit verify --db, exit 0) and holds every intake under the gateway key", async () => {
    const r = spawnSync(process.execPath, [cliBin, "audit", "verify", "--db", db], { cwd: repoRoot, encoding: "utf8", env: process.env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const rows = await conn.get<{ n: number | string }>(sql`SELECT COUNT(DISTINCT target) AS n FROM audit WHERE action = 'inbox.receive' AND outcome = 'ok' AND actor = 'axis-gateway'`);
    assert.ok(Number(rows!.n) >= PACKAGES, `${rows!.n} received packages in the audit`);
  });

  it("no session lost: the clerk's cookie still works after the kill, on the surviving replicas", async () => {
    const survivors = dep.replicas.filter((r) => alive(r.pid)).map((r) => r.port);
    assert.equal(survivors.length, 2);
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${dep.url}/api/v1/inbox?limit=5`, { headers: clerk.headers });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      const body = JSON.parse(text) as { items: unknown[] };
      assert.equal(body.items.length, 5);
      seen.add(answeredBy(res)!);
    }
    assert.deepEqual([...seen].sort(), survivors.sort());
  });
});
