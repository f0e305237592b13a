import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { KysoError } from "@kyso/core";
import type { Database, Db, Row, SqlValue } from "./db.js";

const require = createRequire(import.meta.url);

/** How long a writer waits for another process's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 60_000;

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));
}

/** SQLite through better-sqlite3 (synchronous), behind the same async interface as PostgreSQL. */
export class SqliteDatabase implements Database {
  readonly dialect = "sqlite" as const;
  readonly description: string;
  private readonly db: BetterSqlite3.Database;
  /** Transactions of one connection must not interleave: each waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.description = `sqlite:${path}`;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const Driver = require("better-sqlite3") as typeof BetterSqlite3;
    try {
      this.db = new Driver(path, { timeout: BUSY_TIMEOUT_MS });
    } catch (cause) {
      throw new KysoError("DB_OPEN", `Cannot open the registry database ${path}`, { cause });
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
  }

  async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...bind(params)) as T[];
  }

  async get<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.db.prepare(sql).get(...bind(params)) as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.db.prepare(sql).run(...bind(params)).changes;
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      // IMMEDIATE takes the write lock now, so two importers serialise instead of deadlocking.
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this);
        this.db.exec("COMMIT");
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw e;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  withMigrationLock<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
