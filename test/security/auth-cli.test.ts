// Issue 12, "Sign-in and roles": the operator's commands (kyso users, kyso api-keys) against the
// database kyso serve uses, on SQLite and on PostgreSQL (KYSO_TEST_PG_URL), and what they change
// in a running service.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { backends, requireBackend } from "../../packages/registry/test/support/backends.js";
import { runKyso } from "../support/cli.js";
import { serve, signIn, type Served } from "../service/support.js";
import { tempDir } from "../verify/support.js";

for (const backend of backends) {
  describe(`security: kyso users and kyso api-keys on ${backend.name}`, function () {
    this.timeout(120_000);
    const dir = tempDir("kyso-sec-auth-cli-");
    let db: string;
    let srv: Served | undefined;
    let key = "";
    const kyso = (args: string[], env: NodeJS.ProcessEnv = {}) => runKyso([...args, "--db", db], { env: { KYSO_PASSWORD: undefined, ...env } });

    before(async function () {
      requireBackend(this, backend);
      db = await backend.fresh();
    });
    after(async () => {
      await srv?.stop();
      await backend.cleanup();
    });

    it("adds users with the password from KYSO_PASSWORD or --password-file, never echoed; refuses duplicates, short passwords and unknown roles", async () => {
      const add = await kyso(["users", "add", "Nguyễn Thị Lan", "--role", "clerk"], { KYSO_PASSWORD: "mật khẩu của Lan" });
      assert.equal(add.code, 0, add.stderr);
      assert.equal(add.stdout, "added user Nguyễn Thị Lan (clerk)\n");
      const file = join(dir, "pw.txt");
      writeFileSync(file, "kiểm tra viên 1\nignored second line\n", { mode: 0o600 });
      const add2 = await kyso(["users", "add", "hoa", "--role", "auditor", "--password-file", file]);
      assert.equal(add2.code, 0, add2.stderr);
      for (const r of [add, add2]) assert.ok(!/mật khẩu|kiểm tra viên/.test(r.stdout + r.stderr), "a password was printed");
      const dup = await kyso(["users", "add", "hoa", "--role", "clerk"], { KYSO_PASSWORD: "another long one" });
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /already a user named hoa/);
      const short = await kyso(["users", "add", "ngan", "--role", "clerk"], { KYSO_PASSWORD: "1234567" });
      assert.equal(short.code, 1);
      assert.match(short.stderr, /at least 8 characters/);
      assert.equal((await kyso(["users", "add", "x", "--role", "root"], { KYSO_PASSWORD: "long enough 123" })).code, 2);
      // No terminal and no password given: refused, not hung.
      const none = await kyso(["users", "add", "khong-mat-khau", "--role", "clerk"]);
      assert.equal(none.code, 2);
      const list = await kyso(["users", "list", "--json"]);
      assert.equal(list.code, 0);
      assert.deepEqual((JSON.parse(list.stdout) as { name: string; role: string; disabled: boolean }[]).map((u) => [u.name, u.role, u.disabled]), [["Nguyễn Thị Lan", "clerk", false], ["hoa", "auditor", false]]);
    });

    it("creates an API key printed once on stdout alone, lists it by prefix only", async () => {
      const created = await kyso(["api-keys", "create", "truc-lien-thong", "--scope", "inbox:write", "--scope", "verify"]);
      assert.equal(created.code, 0, created.stderr);
      key = created.stdout.trim();
      assert.match(key, /^kyso_[A-Za-z0-9_-]{43}$/);
      assert.match(created.stderr, /shown only this once/);
      const list = await kyso(["api-keys", "list", "--json"]);
      assert.ok(!list.stdout.includes(key), "the key is shown again");
      const [k] = JSON.parse(list.stdout) as { name: string; scopes: string[]; prefix: string; revokedAt: string | null }[];
      assert.deepEqual([k.name, k.scopes, k.revokedAt], ["truc-lien-thong", ["inbox:write", "verify"], null]);
      assert.ok(key.startsWith(k.prefix));
      assert.equal((await kyso(["api-keys", "create", "x", "--scope", "admin"])).code, 2);
      assert.equal((await kyso(["api-keys", "create", "x"])).code, 2);
    });

    it("what these commands change is in the audit chain, by the system user who ran them, never with a secret", async () => {
      const list = await kyso(["audit", "list", "--json"]);
      assert.equal(list.code, 0, list.stderr);
      const rows = JSON.parse(list.stdout) as { action: string; target: string; source: string; actor: string; details: unknown }[];
      const actions = rows.map((r) => `${r.action} ${r.target}`);
      assert.ok(actions.some((a) => a.startsWith("user.add ")), actions.join(", "));
      assert.ok(actions.includes("api-key.create truc-lien-thong"), actions.join(", "));
      assert.ok(rows.every((r) => r.source === "cli"));
      assert.ok(!JSON.stringify(rows).includes(key), "the API key is never in the audit");
      assert.equal((await kyso(["audit", "verify"])).code, 0);
    });

    it("kyso serve on that database: the users sign in, the key works; disable, passwd and revoke take effect at once", async () => {
      srv = await serve(["--revocation", "embedded", "--db", db, "--audit-log", join(dir, "audit.jsonl")]);
      const lan = await signIn(srv.url, "Nguyễn Thị Lan", "mật khẩu của Lan");
      assert.equal(lan.role, "clerk");
      assert.equal((await fetch(`${srv.url}/api/v1/inbox`, { headers: lan.headers })).status, 200);
      const who = await fetch(`${srv.url}/api/v1/session`, { headers: { authorization: `Bearer ${key}` } });
      assert.deepEqual(((await who.json()) as { principal: unknown }).principal, { kind: "api-key", name: "truc-lien-thong", scopes: ["inbox:write", "verify"] });

      const disabled = await kyso(["users", "disable", "Nguyễn Thị Lan"]);
      assert.equal(disabled.code, 0, disabled.stderr);
      assert.equal((await fetch(`${srv.url}/api/v1/inbox`, { headers: lan.headers })).status, 401, "a disabled user's session ends at once");
      await assert.rejects(signIn(srv.url, "Nguyễn Thị Lan", "mật khẩu của Lan"), /answered 401/);
      assert.equal((await kyso(["users", "enable", "Nguyễn Thị Lan"])).code, 0);
      await signIn(srv.url, "Nguyễn Thị Lan", "mật khẩu của Lan");

      const passwd = await kyso(["users", "passwd", "hoa"], { KYSO_PASSWORD: "mật khẩu mới của Hoa" });
      assert.equal(passwd.code, 0, passwd.stderr);
      await assert.rejects(signIn(srv.url, "hoa", "kiểm tra viên 1"), /answered 401/);
      assert.equal((await signIn(srv.url, "hoa", "mật khẩu mới của Hoa")).role, "auditor");
      assert.equal((await kyso(["users", "passwd", "nobody"], { KYSO_PASSWORD: "whatever long" })).code, 1);

      const revoked = await kyso(["api-keys", "revoke", "truc-lien-thong"]);
      assert.equal(revoked.code, 0, revoked.stderr);
      const refused = await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/xml" }, body: "<x/>" });
      assert.equal(refused.status, 401, "a revoked key is refused");
      assert.equal((await kyso(["api-keys", "revoke", "truc-lien-thong"])).code, 1);
      const list = JSON.parse((await kyso(["api-keys", "list", "--json"])).stdout) as { name: string; revokedAt: string | null; lastUsedAt: string | null }[];
      const k = list.find((x) => x.name === "truc-lien-thong")!;
      assert.ok(k.revokedAt && k.lastUsedAt);
    });
  });
}
