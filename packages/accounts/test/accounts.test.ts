import assert from "node:assert/strict";
import { isKysoError } from "@kyso/core";
import { appliedMigrations, sql } from "@kyso/db";
import { Accounts, verifyPassword } from "../src/index.js";
import { backends, requireBackend } from "../../registry/test/support/backends.js";

for (const backend of backends) {
  describe(`accounts store on ${backend.name}`, function () {
    this.timeout(30_000);
    let accounts: Accounts;
    let t = Date.UTC(2026, 0, 5, 2, 0, 0);
    const clock = { now: () => new Date(t) };

    before(async function () {
      requireBackend(this, backend);
      accounts = await Accounts.open(await backend.fresh(), { clock, lockout: { maxFailures: 3, windowMs: 60_000, baseDelayMs: 10_000, maxDelayMs: 25_000 } });
    });
    after(async () => {
      await accounts?.close();
      await backend.cleanup();
    });

    it("migrates its own namespace once", async function () {
      const applied = await appliedMigrations(accounts.db);
      assert.deepEqual(applied.filter((m) => m.namespace === "accounts").map((m) => m.version), [1]);
    });

    it("stores users with scrypt hashes, never the password", async function () {
      await accounts.addUser("Nguyễn Thị Lan", "clerk", "mật-khẩu-đủ-dài");
      await accounts.addUser("admin", "admin", "correct horse battery");
      const row = await accounts.db.get<{ password_hash: string }>(sql`SELECT password_hash FROM accounts_users WHERE name = ${"Nguyễn Thị Lan"}`);
      assert.match(row!.password_hash, /^scrypt\$15\$8\$3\$/);
      assert.ok(!row!.password_hash.includes("mật-khẩu"));
      assert.equal(await verifyPassword("mật-khẩu-đủ-dài", row!.password_hash), true);
      assert.equal(await verifyPassword("mật-khẩu-đủ-dàI", row!.password_hash), false);
      assert.deepEqual((await accounts.listUsers()).map((u) => [u.name, u.role, u.disabled]), [["Nguyễn Thị Lan", "clerk", false], ["admin", "admin", false]]);
      await assert.rejects(accounts.addUser("admin", "clerk", "another password"), (e) => isKysoError(e) && e.code === "USER_EXISTS");
      await assert.rejects(accounts.addUser("short", "clerk", "1234567"), (e) => isKysoError(e) && e.code === "PASSWORD_POLICY");
      await assert.rejects(accounts.addUser("x", "root" as never, "long enough pw"), (e) => isKysoError(e) && e.code === "USAGE");
    });

    it("signs in, keeps the session server-side, ends it on sign-out, password change and disable", async function () {
      const r = await accounts.signIn("Nguyễn Thị Lan", "mật-khẩu-đủ-dài");
      assert.ok(r.ok);
      const s = await accounts.session(r.token);
      assert.equal(s?.user.name, "Nguyễn Thị Lan");
      assert.equal(s?.user.role, "clerk");
      assert.equal(s?.csrf, r.session.csrf);
      // Only the token's SHA-256 is in the database.
      const rows = await accounts.db.all<{ token_hash: string }>(sql`SELECT token_hash FROM accounts_sessions`);
      assert.ok(rows.every((x) => x.token_hash !== r.token && /^[0-9a-f]{64}$/.test(x.token_hash)));
      await accounts.endSession(r.token);
      assert.equal(await accounts.session(r.token), undefined);

      const r2 = await accounts.signIn("Nguyễn Thị Lan", "mật-khẩu-đủ-dài");
      assert.ok(r2.ok);
      await accounts.setPassword("Nguyễn Thị Lan", "mật-khẩu-mới-dài");
      assert.equal(await accounts.session(r2.token), undefined);
      const r3 = await accounts.signIn("Nguyễn Thị Lan", "mật-khẩu-mới-dài");
      assert.ok(r3.ok);
      await accounts.setDisabled("Nguyễn Thị Lan", true);
      assert.equal(await accounts.session(r3.token), undefined);
      assert.equal((await accounts.signIn("Nguyễn Thị Lan", "mật-khẩu-mới-dài")).ok, false);
      await accounts.setDisabled("Nguyễn Thị Lan", false);
      // An expired session is gone.
      const r4 = await accounts.signIn("admin", "correct horse battery");
      assert.ok(r4.ok);
      t += 12 * 3600_000 + 1;
      assert.equal(await accounts.session(r4.token), undefined);
      assert.ok((await accounts.pruneSessions()) >= 1);
    });

    it("locks a name after 3 failures, refuses even the right password while locked, and doubles the delay", async function () {
      t += 3600_000;
      for (let i = 0; i < 2; i++) assert.deepEqual(await accounts.signIn("admin", "wrong password"), { ok: false, reason: "invalid", lockedForMs: 0 });
      const third = await accounts.signIn("admin", "wrong password");
      assert.deepEqual(third, { ok: false, reason: "invalid", lockedForMs: 10_000 });
      assert.deepEqual(await accounts.signIn("admin", "correct horse battery"), { ok: false, reason: "locked", lockedForMs: 10_000 });
      t += 10_001;
      // After a lockout one more failure locks again, for twice as long (capped at 25 s).
      assert.deepEqual(await accounts.signIn("admin", "wrong again"), { ok: false, reason: "invalid", lockedForMs: 20_000 });
      t += 20_001;
      assert.deepEqual(await accounts.signIn("admin", "wrong again"), { ok: false, reason: "invalid", lockedForMs: 25_000 });
      t += 25_001;
      assert.ok((await accounts.signIn("admin", "correct horse battery")).ok);
      // Success cleared the counter: two failures do not lock.
      for (let i = 0; i < 2; i++) assert.equal((await accounts.signIn("admin", "nope nope")).ok, false);
      assert.equal(await accounts.throttle.lockedFor("user:admin"), 0);
      // An unknown name counts like a known one.
      for (let i = 0; i < 3; i++) await accounts.signIn("ghost", "whatever123");
      assert.equal((await accounts.signIn("ghost", "whatever123")).ok, false);
      assert.ok((await accounts.throttle.lockedFor("user:ghost")) > 0);
    });

    it("API keys: printed once, stored hashed, scoped, revocable; bad keys lock the address", async function () {
      t += 3600_000;
      const k = await accounts.createApiKey("truc-gateway", ["inbox:write", "inbox:write", "verify"]);
      assert.match(k.key, /^kyso_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(k.scopes, ["inbox:write", "verify"]);
      const stored = await accounts.db.all<{ key_hash: string; prefix: string }>(sql`SELECT key_hash, prefix FROM accounts_api_keys`);
      assert.ok(stored.every((s) => !s.key_hash.includes(k.key) && k.key.startsWith(s.prefix) && s.prefix.length === 12));
      assert.deepEqual(await accounts.authenticateKey(k.key, "10.0.0.1"), { ok: true, principal: { kind: "api-key", name: "truc-gateway", scopes: ["inbox:write", "verify"] } });
      assert.ok((await accounts.listApiKeys())[0].lastUsedAt);
      await assert.rejects(accounts.createApiKey("x", ["admin"]), (e) => isKysoError(e) && e.code === "USAGE");
      await accounts.revokeApiKey("truc-gateway");
      assert.deepEqual(await accounts.authenticateKey(k.key, "10.0.0.1"), { ok: false, reason: "invalid", lockedForMs: 0 });
      await assert.rejects(accounts.revokeApiKey("truc-gateway"), (e) => isKysoError(e) && e.code === "API_KEY_REVOKED");
      const k2 = await accounts.createApiKey("dashboard", ["registry:read"]);
      await accounts.authenticateKey("kyso_guess1", "10.0.0.1");
      const third = await accounts.authenticateKey("kyso_guess2", "10.0.0.1");
      assert.equal(third.ok === false && third.lockedForMs, 10_000);
      // The address is locked for any key, even a good one; another address is not.
      assert.equal((await accounts.authenticateKey(k2.key, "10.0.0.1")).ok, false);
      assert.equal((await accounts.authenticateKey(k2.key, "10.0.0.2")).ok, true);
      // Counters of keys quiet for a whole window are forgotten.
      t += 30_000;
      await accounts.throttle.fail("user:once");
      t += 61_000;
      assert.ok((await accounts.throttle.prune()) >= 1);
      const left = await accounts.db.all<{ key: string }>(sql`SELECT key FROM accounts_failures`);
      assert.ok(!left.some((r) => r.key === "user:once"));
    });
  });
}
