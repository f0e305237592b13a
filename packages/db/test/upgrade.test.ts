import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fixedClock } from "@kyso/core";
import { appliedMigrations, migrate, openDatabase, sql } from "../src/index.js";
import { openRegistry, REGISTRY_MIGRATIONS } from "../../registry/src/index.js";
import { Inbox, INBOX_MIGRATIONS } from "../../inbox/src/index.js";
import { backends, requireBackend } from "../../registry/test/support/backends.js";
import { makeRelease01Database, RELEASE_0_1_ROWS as OLD } from "./fixtures/release-0.1-database.js";
import { RELEASE_0_1_MIGRATIONS } from "./fixtures/release-0.1-schema.js";

const clock = fixedClock(new Date(Date.UTC(2026, 6, 1)));

for (const backend of backends) {
  describe(`upgrading a database made by release 0.1 on ${backend.name}`, function () {
    let spec: string;

    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      spec = await backend.fresh();
      await makeRelease01Database(spec);
    });
    after(() => backend.cleanup());

    it("keeps every row, adopts the applied migrations without running them again, and takes new writes", async () => {
      const registry = await openRegistry(spec, { clock, actor: "upgrade" });
      try {
        assert.deepEqual((await registry.listUnits()).map((u) => u.code), OLD.units);
        const [cert] = await registry.findCertificates(OLD.certificateSerial);
        assert.equal(cert.holder, OLD.holder);
        assert.equal(cert.tokenSerial, OLD.token);
        assert.equal((await registry.getToken(OLD.token))!.token.holder, OLD.holder);
        assert.equal((await registry.certificateHistory(OLD.certificateSerial))[0].actor, "release-0.1");
        // New rows after the old ones: the identity columns continue where release 0.1 stopped.
        await registry.addUnits([{ code: "PY-TH-AP", name: "Xã An Phú", level: "commune", parent: "PY-TH" }]);
        assert.equal((await registry.getUnit("PY-TH-AP"))!.reportLevel, "commune");
        await registry.addToken({ serial: "TK-2" });
        assert.equal((await registry.listTokens()).length, 2);
      } finally {
        await registry.close();
      }

      const inbox = await Inbox.open(spec, { clock, actor: "upgrade" });
      try {
        const [old] = await inbox.list();
        assert.equal(old.sha256, OLD.packageSha256);
        const rec = (await inbox.get(old.id))!;
        assert.equal(rec.senderName, "Văn phòng Chính phủ");
        assert.deepEqual(rec.report, { indication: "TOTAL_PASSED" });
        assert.deepEqual(await inbox.body(old.id), OLD.packageBody);
        assert.deepEqual((await inbox.attachment(old.id, 0))!.bytes, OLD.attachment);
        await inbox.register(old.id, "1/ĐẾN");
        const body = new TextEncoder().encode("<edXML:edXML new=\"1\"/>");
        const fresh = await inbox.receive({
          kind: "edxml", sha256: createHash("sha256").update(body).digest("hex"), body, indication: "TOTAL_PASSED", attachments: [], report: {},
        });
        assert.equal(fresh.created, true);
        assert.ok(fresh.id > old.id);
        assert.deepEqual((await inbox.list()).map((x) => x.status), ["received", "registered"]);
      } finally {
        await inbox.close();
      }

      const db = await openDatabase(spec);
      try {
        const applied = await appliedMigrations(db);
        // Release 0.1's three adopted, and the inbox's later migration (signed-content de-duplication) applied on opening.
        assert.deepEqual(applied.map((m) => `${m.namespace}/${m.version}`), ["inbox/1", "inbox/2", "registry/1", "registry/2"]);
        // Adopted, not re-run: the ledger keeps the times release 0.1 applied them.
        const times = await db.all<{ namespace: string; version: number; applied_at: number }>(sql`SELECT namespace, version, applied_at FROM kyso_migrations WHERE NOT (namespace = 'inbox' AND version = 2) ORDER BY namespace, version`);
        assert.deepEqual(times.map((t) => Number(t.applied_at) - OLD.appliedAt), [3, 1, 2]);
        assert.equal(await migrate(db, [REGISTRY_MIGRATIONS, INBOX_MIGRATIONS]), 0);
        // Release 0.1 refuses the upgraded database ("Upgrade kyso"): its newest known version is 3.
        const legacy = await db.all<{ version: number }>(sql`SELECT version FROM schema_migrations ORDER BY version`);
        const newest = Math.max(...legacy.map((r) => Number(r.version)));
        assert.ok(newest > Math.max(...RELEASE_0_1_MIGRATIONS.map((m) => m.version)), `newest legacy version ${newest}`);
        assert.deepEqual(legacy.map((r) => Number(r.version)).slice(0, 3), [1, 2, 3]);
      } finally {
        await db.close();
      }
    });

    it("upgrades the inbox alone first, then the registry (kyso serve opens them in either order)", async () => {
      const inbox = await Inbox.open(spec, { clock });
      assert.equal((await inbox.list()).length, 1);
      await inbox.close();
      const registry = await openRegistry(spec, { clock });
      assert.equal((await registry.findCertificates(OLD.certificateSerial)).length, 1);
      await registry.close();
    });
  });
}
