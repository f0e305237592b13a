import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { KysoError } from "@kyso/core";
import { KyselyDatabase } from "./session.js";

const require = createRequire(import.meta.url);

/** How long a writer waits for another process's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 60_000;

/**
 * Makes the database file private before SQLite opens it: the folder 0700 when we create it, the
 * file 0600 (it holds every received document). SQLite creates its -wal and -shm files with the
 * main file's permissions. A file left 0644 by an older release is narrowed to 0600.
 */
function preparePrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    try {
      chmodSync(path, mode & 0o700);
    } catch {
      // not ours to change (another owner): SQLite still opens it
    }
  }
}

/** SQLite through better-sqlite3 (synchronous) behind Kysely's SqliteDialect. */
export function openSqlite(path: string): KyselyDatabase {
  if (path !== ":memory:") preparePrivateFile(path);
  const Driver = require("better-sqlite3") as typeof BetterSqlite3;
  let raw: BetterSqlite3.Database;
  try {
    raw = new Driver(path, { timeout: BUSY_TIMEOUT_MS });
    raw.pragma("journal_mode = WAL");
    raw.pragma("synchronous = NORMAL");
    raw.pragma("foreign_keys = ON");
  } catch (cause) {
    throw new KysoError("DB_OPEN", `Cannot open the database ${path}`, { cause });
  }
  const kysely = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
  return new KyselyDatabase(kysely, {
    dialect: "sqlite",
    description: `sqlite:${path}`,
    begin: "BEGIN IMMEDIATE",
    migrationLock: undefined, // BEGIN IMMEDIATE already excludes every other writer
    async execScript(conn, script, inTransaction) {
      // better-sqlite3 prepares one statement at a time; a script goes through its exec(), on the
      // one connection, while holding it (Kysely's connection mutex) unless a transaction already does.
      if (inTransaction) raw.exec(script);
      else await conn.connection().execute(async () => void raw.exec(script));
    },
  });
}

