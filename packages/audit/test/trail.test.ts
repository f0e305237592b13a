import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fixedClock, isKysoError } from "@kyso/core";
import { openDatabase, sql, type Database } from "@kyso/db";
import { AUDIT_MIGRATIONS, AuditTrail, GENESIS_HASH, appendAudit, canonicalJson, rowHash, verifyAuditChain, type AuditEvent } from "../src/index.js";
import { backends, requireBackend } from "../../registry/test/support/backends.js";

const clerk = { kind: "user", name: "Nguyễn Thị Lan", role: "clerk" } as const;
const event = (i: number, over: Partial<AuditEvent> = {}): AuditEvent => ({ actor: clerk, action: "inbox.register", target: String(i), source: "10.0.0.7", outcome: "ok", status: 200, details: { arrivalNumber: `${i}/ĐẾN` }, ...over });

/** Lets a test change rows as an owner of the database could: the append-only triggers dropped first. */
async function dropGuards(db: Database): Promise<void> {
  if (db.dialect === "sqlite") await db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
  else await db.exec("ALTER TABLE audit DISABLE TRIGGER USER");
}

function appendFromProcess(spec: string, count: number, label: string): Promise<number[]> {
  const script = fileURLToPath(new URL("./support/append-many.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", script, spec, String(count), label], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (err += c));
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`appender ${label} exited ${code}: ${err}`))));
  });
}

describe("audit: canonical encoding", function () {
  it("writes RFC 8785 JSON: members sorted by UTF-16 code units, no whitespace, undefined left out", function () {
    assert.equal(canonicalJson({ b: 1, a: [true, null, "x"], "é": { z: 1.5, y: undefined }, A: "\u2028\n" }), '{"A":"\u2028\\n","a":[true,null,"x"],"b":1,"é":{"z":1.5}}');
    assert.throws(() => canonicalJson({ n: NaN }), (e) => isKysoError(e, "AUDIT_EVENT"));
  });
  it("hashes every column: changing any one of them changes the hash", function () {
    const row = { id: 7, time: "2026-12-01T07:00:00.000Z", actor_kind: "user", actor: "lan", actor_role: "clerk", actor_scopes: null, action: "inbox.read", target: "3", source: "10.0.0.1", outcome: "ok", status: 200, details: "{}", prev_hash: GENESIS_HASH };
    const h = rowHash(row);
    assert.match(h, /^[0-9a-f]{64}$/);
    const changes: Record<string, unknown> = { id: 8, time: "2026-12-01T07:00:00.001Z", actor_kind: "api-key", actor: "lan2", actor_role: null, actor_scopes: "verify", action: "inbox.return", target: "4", source: "10.0.0.2", outcome: "denied", status: 403, details: '{"a":1}', prev_hash: "1".repeat(64) };
    for (const [k, v] of Object.entries(changes)) assert.notEqual(rowHash({ ...row, [k]: v }), h, k);
  });
});

for (const backend of backends) {
  describe(`audit trail on ${backend.name}`, function () {
    let spec: string;
    let db: Database;
    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      spec = await backend.fresh();
      db = await openDatabase(spec, { migrations: [AUDIT_MIGRATIONS] });
    });
    afterEach(async () => {
      await db?.close();
    });
    after(() => backend.cleanup());

    it("appends a chain from the genesis hash; verify finds it intact and lists it back", async function () {
      const trail = new AuditTrail(db, { clock: fixedClock(new Date("2026-12-01T02:03:04.005Z")) });
      const copies: number[] = [];
      const t2 = new AuditTrail(db, { onAppend: (e) => copies.push(e.id) });
      const first = await trail.append(event(1));
      assert.equal(first.id, 1);
      assert.equal(first.prevHash, GENESIS_HASH);
      assert.equal(first.time, "2026-12-01T02:03:04.005Z");
      assert.deepEqual(first.actor, clerk);
      const more = await Promise.all([2, 3, 4, 5].map((i) => t2.append(event(i, { actor: { kind: "api-key", name: "axis-gateway", scopes: ["inbox:write", "verify"] }, action: "inbox.receive" }))));
      assert.deepEqual(more.map((e) => e.id), [2, 3, 4, 5]);
      assert.deepEqual(copies, [2, 3, 4, 5]);
      assert.equal(more[0].prevHash, first.hash);
      const report = await verifyAuditChain(db);
      assert.deepEqual(report, { intact: true, count: 5, head: { id: 5, hash: more[3].hash } });
      const listed = await trail.list({ action: "inbox.receive" });
      assert.deepEqual(listed.map((e) => e.id), [2, 3, 4, 5]);
      assert.deepEqual(listed[0].actor, { kind: "api-key", name: "axis-gateway", scopes: ["inbox:write", "verify"] });
      assert.deepEqual(listed[0].details, { arrivalNumber: "2/ĐẾN" });
      assert.deepEqual((await trail.list({ since: new Date("2026-12-01T02:03:04.006Z") })).map((e) => e.id), [2, 3, 4, 5]);
      assert.deepEqual((await trail.list({ until: new Date("2026-12-01T02:03:04.006Z") })).map((e) => e.id), [1]);
    });

    it("refuses malformed events before queueing them (AUDIT_EVENT)", async function () {
      const trail = new AuditTrail(db);
      for (const bad of [event(1, { action: "Inbox Register" }), event(1, { actor: { kind: "root" as never, name: "x" } }), event(1, { actor: { kind: "user", name: "" } }), event(1, { status: 42 }), event(1, { outcome: "maybe" as never })])
        assert.throws(() => trail.append(bad), (e) => isKysoError(e, "AUDIT_EVENT"));
      assert.equal((await verifyAuditChain(db)).count, 0);
    });

    it("refuses UPDATE, DELETE (and TRUNCATE) through its triggers", async function () {
      await appendAudit(db, event(1));
      await assert.rejects(db.run(sql`UPDATE audit SET actor = ${"Giám đốc"} WHERE id = 1`), /never/);
      await assert.rejects(db.run(sql`DELETE FROM audit WHERE id = 1`), /never/);
      if (db.dialect === "postgres") await assert.rejects(db.exec("TRUNCATE audit"), /never/);
      assert.equal((await verifyAuditChain(db)).count, 1);
    });

    it("names the first broken row: an edited actor, a deleted row, a moved row", async function () {
      for (let i = 1; i <= 6; i++) await appendAudit(db, event(i));
      await dropGuards(db);
      await db.run(sql`UPDATE audit SET actor = ${"Giám đốc"} WHERE id = 4`);
      let r = await verifyAuditChain(db);
      assert.equal(r.intact, false);
      assert.deepEqual({ id: r.broken!.id, problem: r.broken!.problem, count: r.count, head: r.head!.id }, { id: 4, problem: "edited", count: 3, head: 3 });
      assert.match(r.broken!.message, /row 4 was changed/);

      // An editor who also recomputes the row's hash is caught at the next row.
      const row4 = (await db.get<Record<string, unknown>>(sql`SELECT * FROM audit WHERE id = 4`))!;
      await db.run(sql`UPDATE audit SET hash = ${rowHash(row4 as never)} WHERE id = 4`);
      r = await verifyAuditChain(db);
      assert.deepEqual([r.broken!.id, r.broken!.problem], [5, "reordered"]);

      const fresh = await backend.fresh();
      const db2 = await openDatabase(fresh, { migrations: [AUDIT_MIGRATIONS] });
      try {
        for (let i = 1; i <= 6; i++) await appendAudit(db2, event(i));
        await dropGuards(db2);
        await db2.run(sql`DELETE FROM audit WHERE id = 3`);
        r = await verifyAuditChain(db2);
        assert.deepEqual([r.broken!.id, r.broken!.problem, r.count], [4, "deleted", 2]);
        assert.match(r.broken!.message, /row 3 is missing before row 4/);
        await db2.run(sql`DELETE FROM audit WHERE id = 1`);
        r = await verifyAuditChain(db2);
        assert.deepEqual([r.broken!.id, r.broken!.problem, r.count], [2, "deleted", 0]);
      } finally {
        await db2.close();
      }

      const fresh3 = await backend.fresh();
      const db3 = await openDatabase(fresh3, { migrations: [AUDIT_MIGRATIONS] });
      try {
        for (let i = 1; i <= 4; i++) await appendAudit(db3, event(i));
        await dropGuards(db3);
        // Rows 2 and 3 swapped (ids exchanged): the id is hashed, so the moved row no longer matches.
        await db3.run(sql`UPDATE audit SET id = 100 WHERE id = 2`);
        await db3.run(sql`UPDATE audit SET id = 2 WHERE id = 3`);
        await db3.run(sql`UPDATE audit SET id = 3 WHERE id = 100`);
        r = await verifyAuditChain(db3);
        assert.deepEqual([r.broken!.id, r.broken!.problem, r.count], [2, "edited", 1]);
      } finally {
        await db3.close();
      }
    });

    it("keeps one chain when two processes append 100 events each at once", async function () {
      this.timeout(120_000);
      const [a, b] = await Promise.all([appendFromProcess(spec, 100, "a"), appendFromProcess(spec, 100, "b")]);
      const all = [...a, ...b].sort((x, y) => x - y);
      assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i + 1), "every id once, no gap");
      const r = await verifyAuditChain(db);
      assert.deepEqual([r.intact, r.count], [true, 200]);
      const byProcess = await db.all<{ actor: string; n: number }>(sql`SELECT actor, COUNT(*) AS n FROM audit GROUP BY actor ORDER BY actor`);
      assert.deepEqual(byProcess.map((x) => [x.actor, Number(x.n)]), [["clerk-a", 100], ["clerk-b", 100]]);
      // Interleaved, not one process after the other (otherwise the test proved nothing about races).
      const order = (await db.all<{ actor: string }>(sql`SELECT actor FROM audit ORDER BY id`)).map((x) => x.actor);
      const switches = order.filter((x, i) => i > 0 && x !== order[i - 1]).length;
      assert.ok(switches >= 1, `the two processes' appends interleave (${switches} switches)`);
    });

    it("appends one after another, each awaited (no append is left waiting in the queue)", async function () {
      this.timeout(10_000); // a stranded append used to wait forever
      const trail = new AuditTrail(db);
      for (let i = 1; i <= 20; i++) assert.equal((await trail.append(event(i))).id, i);
      await trail.flush();
      assert.equal((await verifyAuditChain(db)).count, 20);
    });

    it("groups appends that queue together into one transaction and keeps their order", async function () {
      const trail = new AuditTrail(db);
      const entries = await Promise.all(Array.from({ length: 300 }, (_, i) => trail.append(event(i))));
      assert.deepEqual(entries.map((e) => e.target), entries.map((_, i) => String(i)));
      assert.deepEqual(entries.map((e) => e.id), entries.map((_, i) => i + 1));
      const r = await verifyAuditChain(db);
      assert.deepEqual([r.intact, r.count], [true, 300]);
    });
  });
}
