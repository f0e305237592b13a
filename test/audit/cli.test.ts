import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, sql, type Database } from "@kyso/db";
import { AUDIT_MIGRATIONS, AuditTrail, type AuditEntry } from "@kyso/audit";
import { runKyso } from "../support/cli.js";
import { backends, requireBackend } from "../../packages/registry/test/support/backends.js";

/** What an owner of the database can do: switch off the append-only triggers before changing rows. */
async function dropGuards(db: Database): Promise<void> {
  if (db.dialect === "sqlite") await db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
  else await db.exec("ALTER TABLE audit DISABLE TRIGGER USER");
}

for (const backend of backends) {
  describe(`kyso audit verify|list on ${backend.name}`, function () {
    let spec: string;
    let db: Database;
    let work: string;
    let entries: AuditEntry[];
    const kyso = (args: string[]) => runKyso(["audit", ...args, "--db", spec], { cwd: work, env: { KYSO_DB: "", XDG_DATA_HOME: work } });

    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      spec = await backend.fresh();
      work = mkdtempSync(join(tmpdir(), "kyso-audit-cli-"));
      db = await openDatabase(spec, { migrations: [AUDIT_MIGRATIONS] });
      const trail = new AuditTrail(db);
      const clerk = { kind: "user", name: "Trần Văn Hùng", role: "clerk" } as const;
      entries = [];
      for (let i = 1; i <= 8; i++)
        entries.push(await trail.append({ actor: i % 2 ? clerk : { kind: "api-key", name: "axis-gateway", scopes: ["inbox:write"] }, action: i % 2 ? "inbox.register" : "inbox.receive", target: String(i), source: "10.1.2.3", outcome: "ok", status: 200, details: { i } }));
    });
    afterEach(async () => {
      await db?.close();
    });
    after(() => backend.cleanup());

    it("verify: exit 0 with the count and the head when intact", async () => {
      const r = await kyso(["verify"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`intact: 8 rows \\(1\\.\\.8\\), head ${entries[7].hash}`));
      const j = await kyso(["verify", "--json"]);
      assert.equal(j.code, 0, j.stderr);
      assert.deepEqual(JSON.parse(j.stdout), { intact: true, count: 8, head: { id: 8, hash: entries[7].hash } });
    });

    it("verify: an actor changed by SQL UPDATE exits 1 naming that row; put back, the chain is whole again", async () => {
      await dropGuards(db);
      await db.run(sql`UPDATE audit SET actor = ${"Giám đốc"} WHERE id = 5`);
      const r = await kyso(["verify"]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /BROKEN at row 5: row 5 was changed/);
      const j = JSON.parse((await kyso(["verify", "--json"])).stdout);
      assert.deepEqual(j.broken.id, 5);
      assert.equal(j.broken.problem, "edited");
      await db.run(sql`UPDATE audit SET actor = ${"Trần Văn Hùng"} WHERE id = 5`);
      assert.equal((await kyso(["verify"])).code, 0);
    });

    it("verify: a deleted row exits 1 naming it; the last rows removed are caught against the JSON-lines copy", async () => {
      const copy = join(work, "audit.jsonl");
      writeFileSync(copy, entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
      assert.equal((await kyso(["verify", "--against", copy])).code, 0);
      await dropGuards(db);
      await db.run(sql`DELETE FROM audit WHERE id = 8`);
      // A chain without its last row is still a chain: only the copy shows what is gone.
      assert.equal((await kyso(["verify"])).code, 0);
      const t = await kyso(["verify", "--against", copy]);
      assert.equal(t.code, 1);
      assert.match(t.stdout, /row 8 is in .*audit\.jsonl but not in the database/);
      await db.run(sql`DELETE FROM audit WHERE id = 3`);
      const r = await kyso(["verify"]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /BROKEN at row 4: row 3 is missing before row 4 \(deleted\)/);
    });

    it("verify: a database without an audit table exits 1; a SQLite file that is not there is not created", async () => {
      await dropGuards(db);
      await db.exec("DROP TABLE audit");
      const r = await kyso(["verify"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no audit table/);
      if (backend.name === "sqlite") {
        const missing = join(work, "nothing.db");
        const m = await runKyso(["audit", "verify", "--db", `sqlite:${missing}`], { cwd: work, env: { KYSO_DB: "" } });
        assert.equal(m.code, 2);
        assert.match(m.stderr, /No database at/);
      }
    });

    it("list: a table in Vietnam time, --json in ISO 8601 UTC, filtered by --since/--until/--only", async () => {
      const table = await kyso(["list"]);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trim().split("\n");
      assert.equal(lines.length, 9);
      assert.match(lines[0], /^ID\s+TIME \(\+07:00\)\s+ACTOR\s+ACTION/);
      assert.match(lines[1], /^1\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00\s+Trần Văn Hùng \(clerk\)\s+inbox\.register\s+1\s+ok 200\s+10\.1\.2\.3$/);
      const json = await kyso(["list", "--json", "--only", "inbox.receive"]);
      const listed = JSON.parse(json.stdout) as AuditEntry[];
      assert.deepEqual(listed.map((e) => e.id), [2, 4, 6, 8]);
      assert.match(listed[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(listed[0].actor, { kind: "api-key", name: "axis-gateway", scopes: ["inbox:write"] });
      assert.deepEqual(listed, entries.filter((e) => e.action === "inbox.receive"));
      // Today in Vietnam includes them; tomorrow's Vietnam day does not.
      const vnToday = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
      const vnTomorrow = new Date(Date.now() + 31 * 3600_000).toISOString().slice(0, 10);
      assert.equal(JSON.parse((await kyso(["list", "--json", "--since", vnToday])).stdout).length, 8);
      assert.deepEqual(JSON.parse((await kyso(["list", "--json", "--since", vnTomorrow])).stdout), []);
      assert.equal(JSON.parse((await kyso(["list", "--json", "--until", vnToday])).stdout).length, 0);
      assert.equal(JSON.parse((await kyso(["list", "--json", "--limit", "3", "--since", entries[0].time])).stdout).length, 3);
      const bad = await kyso(["list", "--since", "2026-02-30"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /no such day/);
    });
  });
}
