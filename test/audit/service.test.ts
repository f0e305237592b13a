import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pki } from "@kyso/certs-test";
import { openDatabase, sql } from "@kyso/db";
import type { AuditEntry } from "@kyso/audit";
import { tempDir } from "../verify/support.js";
import { runKyso } from "../support/cli.js";
import { serve, type Served, type SignedIn } from "../service/support.js";
import { makePackages, type Packages } from "../inbox/support.js";

describe("the audit of kyso serve (SQLite): who did what, from where, with what outcome", function () {
  const dir = tempDir("kyso-audit-serve-");
  const db = `sqlite:${join(dir, "kyso.db")}`;
  const copy = join(dir, "audit.jsonl");
  let srv: Served;
  let p: Packages;
  let clerk: SignedIn;
  let good: number;
  let tampered: number;
  let entries: AuditEntry[];
  const kyso = (args: string[]) => runKyso(["audit", ...args, "--db", db], { cwd: dir, env: { KYSO_DB: "" } });

  async function postPackage(file: string): Promise<number> {
    const res = await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...srv.auth, "content-type": "application/xml" }, body: readFileSync(file) });
    assert.equal(res.status, 201);
    return ((await res.json()) as { id: number }).id;
  }

  /** The audit as `kyso audit list --json` gives it, once it holds `n` entries of `action` (refusals are recorded just after their answer). */
  async function listWhen(action: string, n: number): Promise<AuditEntry[]> {
    for (let tries = 0; ; tries++) {
      const r = await kyso(["list", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const all = JSON.parse(r.stdout) as AuditEntry[];
      if (all.filter((e) => e.action === action).length >= n || tries === 20) return all;
      await new Promise((d) => setTimeout(d, 250));
    }
  }

  before(async function () {
    p = await makePackages(dir);
    srv = await serve(["--trust", pki.root, "--db", db, "--audit-log", copy]);
    good = await postPackage(p.good);
    tampered = await postPackage(p.tampered);
    clerk = await srv.signIn("clerk");
    await assert.rejects(srv.signIn("clerk", "not the password"), /401/);
    // A forged actor header changes nothing: the audit names the signed-in clerk.
    const reg = await fetch(`${srv.url}/api/v1/inbox/${good}/register`, { method: "POST", headers: { ...clerk.headers, "content-type": "application/json", "x-kyso-actor": encodeURIComponent("Giám đốc") }, body: JSON.stringify({ arrivalNumber: "125/ĐẾN" }) });
    assert.equal(reg.status, 200);
    const ret = await fetch(`${srv.url}/api/v1/inbox/${tampered}/return`, { method: "POST", headers: { ...clerk.headers, "content-type": "application/json" }, body: JSON.stringify({ reason: "Chữ ký không hợp lệ" }) });
    assert.equal(ret.status, 200);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox/${good}/attachments/0`, { headers: clerk.headers })).status, 200);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox/${good}`)).status, 401);
    const auditor = await srv.signIn("auditor");
    const refused = await fetch(`${srv.url}/api/v1/inbox/${tampered}/register`, { method: "POST", headers: { ...auditor.headers, "content-type": "application/json" }, body: JSON.stringify({ arrivalNumber: "126/ĐẾN" }) });
    assert.equal(refused.status, 403);
    entries = await listWhen("inbox.register", 2);
  });
  after(async () => {
    await srv?.stop();
  });

  const one = (pred: (e: AuditEntry) => boolean, what: string): AuditEntry => {
    const found = entries.filter(pred);
    assert.equal(found.length, 1, `${what}: ${JSON.stringify(entries.map((e) => [e.id, e.action, e.actor.name, e.outcome, e.target]))}`);
    return found[0];
  };

  it("a register is recorded under the signed-in clerk, never the X-Kyso-Actor header, with the client address", function () {
    const reg = one((e) => e.action === "inbox.register" && e.outcome === "ok", "one register");
    assert.deepEqual(reg.actor, { kind: "user", name: "clerk", role: "clerk" });
    assert.equal(reg.target, String(good));
    assert.equal(reg.status, 200);
    assert.deepEqual(reg.details, { arrivalNumber: "125/ĐẾN" });
    assert.match(reg.source ?? "", /127\.0\.0\.1/);
    assert.ok(!entries.some((e) => e.actor.name.includes("Giám đốc")));
  });

  it("return, receive, attachment download and each verification are there too", function () {
    const ret = one((e) => e.action === "inbox.return", "one return");
    assert.deepEqual([ret.actor.name, ret.target, ret.details.reason], ["clerk", String(tampered), "Chữ ký không hợp lệ"]);
    const received = entries.filter((e) => e.action === "inbox.receive");
    assert.deepEqual(received.map((e) => [e.target, e.outcome, e.status, e.actor.kind]), [[String(good), "ok", 201, "api-key"], [String(tampered), "ok", 201, "api-key"]]);
    assert.deepEqual([...(received[0].actor.scopes ?? [])].sort(), ["inbox:write", "registry:read", "verify"]);
    const dl = one((e) => e.action === "attachment.download", "one download");
    assert.equal(dl.target, `${good}/0`);
    assert.match(String(dl.details.sha256), /^[0-9a-f]{64}$/);
    assert.equal(dl.actor.name, "clerk");
    // Two PDFs in each package, and each package itself.
    const verified = entries.filter((e) => e.action === "verify");
    assert.equal(verified.length, 6);
    assert.ok(verified.every((e) => /^[0-9a-f]{64}$/.test(e.target ?? "") && e.actor.kind === "api-key"));
  });

  it("refusals are recorded: 401 without credentials, 403 for the wrong role, a failed sign-in", function () {
    const unauth = one((e) => e.action === "inbox.read" && e.outcome === "denied", "one refused read");
    assert.deepEqual([unauth.actor, unauth.target, unauth.status], [{ kind: "anonymous", name: "anonymous" }, String(good), 401]);
    const forbidden = one((e) => e.action === "inbox.register" && e.outcome === "denied", "one refused register");
    assert.deepEqual([forbidden.actor, forbidden.target, forbidden.status], [{ kind: "user", name: "auditor", role: "auditor" }, String(tampered), 403]);
    const failed = one((e) => e.action === "login.failed", "one failed sign-in");
    assert.deepEqual([failed.actor.kind, failed.target, failed.outcome, failed.status], ["anonymous", "clerk", "denied", 401]);
    assert.ok(!JSON.stringify(entries).includes("not the password"));
    const ok = entries.filter((e) => e.action === "login.ok");
    assert.deepEqual(ok.map((e) => [e.actor.name, e.target]), [["clerk", "clerk"], ["auditor", "auditor"]]);
  });

  it("kyso audit verify: intact with every entry; the JSON-lines file is a copy of the same entries", async function () {
    const r = await kyso(["verify", "--against", copy]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const last = entries[entries.length - 1];
    assert.match(r.stdout, new RegExp(`intact: ${last.id} rows`));
    const copied = readFileSync(copy, "utf8").trim().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    assert.deepEqual(copied.slice(0, entries.length), entries);
  });

  it("editing the register's actor in the database makes kyso audit verify exit 1 naming that row", async function () {
    await srv.stop();
    const reg = entries.find((e) => e.action === "inbox.register" && e.outcome === "ok")!;
    const raw = await openDatabase(db);
    try {
      await assert.rejects(raw.run(sql`UPDATE audit SET actor = ${"Giám đốc"} WHERE id = ${reg.id}`), /never changed/);
      await raw.exec("DROP TRIGGER audit_no_update");
      await raw.run(sql`UPDATE audit SET actor = ${"Giám đốc"} WHERE id = ${reg.id}`);
    } finally {
      await raw.close();
    }
    const r = await kyso(["verify"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`BROKEN at row ${reg.id}: row ${reg.id} was changed`));
  });
});
