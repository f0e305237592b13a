import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultDbSpec, openDatabase, parseDbLocation, redactUrl, sql } from "../src/index.js";

const mode = (p: string): number => statSync(p).mode & 0o777;

describe("@kyso/db: SQLite files and locations", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "kyso-db-files-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("creates the database 0600 (and its WAL files) in a folder it creates 0700, whatever the umask", async () => {
    const old = process.umask(0o022);
    try {
      const path = join(work, "data", "kyso", "registry.db");
      const db = await openDatabase(`sqlite:${path}`, { migrations: [{ namespace: "t", migrations: [{ version: 1, name: "t", up: "CREATE TABLE t (x TEXT)" }] }] });
      await db.run(sql`INSERT INTO t (x) VALUES (${"secret"})`);
      assert.equal(mode(path), 0o600);
      assert.equal(mode(`${path}-wal`), 0o600);
      assert.equal(mode(join(work, "data", "kyso")), 0o700);
      assert.equal(mode(join(work, "data")), 0o700);
      await db.close();
    } finally {
      process.umask(old);
    }
  });

  it("narrows a database file left 0644 by an older release to 0600, and leaves an existing folder alone", async () => {
    const path = join(work, "registry.db");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    chmodSync(work, 0o755);
    const db = await openDatabase(path);
    await db.close();
    assert.equal(mode(path), 0o600);
    assert.equal(mode(work), 0o755);
  });

  it("opens a relative path against cwd, and reads locations and the default as before", async () => {
    const db = await openDatabase("sqlite:rel.db", { cwd: work });
    assert.equal(db.description, `sqlite:${join(work, "rel.db")}`);
    assert.equal(db.dialect, "sqlite");
    await db.close();
    assert.equal(mode(join(work, "rel.db")), 0o600);
    assert.deepEqual(parseDbLocation("postgres://u:p@h/db"), { kind: "postgres", url: "postgres://u:p@h/db" });
    assert.deepEqual(parseDbLocation("sqlite:///var/x.db"), { kind: "sqlite", path: "/var/x.db" });
    assert.deepEqual(parseDbLocation("x.db"), { kind: "sqlite", path: "x.db" });
    assert.throws(() => parseDbLocation("mysql://u:pw@h/db"), (e: Error) => /mysql:\/\/u:\*\*\*@h\/db/.test(e.message) && !e.message.includes("pw"));
    assert.equal(redactUrl("postgres://kyso:hunter2@db:5432/kyso"), "postgres://kyso:***@db:5432/kyso");
    assert.equal(defaultDbSpec({ XDG_DATA_HOME: "/srv/data", HOME: "/home/x" }), "sqlite:/srv/data/kyso/registry.db");
    assert.equal(defaultDbSpec({ HOME: "/home/x" }), "sqlite:/home/x/.local/share/kyso/registry.db");
  });

  it("answers DB_OPEN without the password when PostgreSQL cannot be reached", async () => {
    await assert.rejects(openDatabase("postgres://kyso:hunter2@127.0.0.1:1/kyso"), (e: Error & { code?: string }) => e.code === "DB_OPEN" && !e.message.includes("hunter2") && /\*\*\*/.test(e.message));
  });
});
