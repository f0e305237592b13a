import type { Pool, PoolClient } from "pg";
import { KysoError } from "@kyso/core";
import { redactUrl, type Database, type Db, type Row, type SqlValue } from "./db.js";

/** `?` placeholders to PostgreSQL's `$n` (the registry's SQL has no `?` inside literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));
}

/** The advisory lock key under which migrations run ("kyso" as an integer). */
const MIGRATION_LOCK = 0x6b79736f;

class PgSession implements Db {
  readonly dialect = "postgres" as const;
  constructor(private readonly client: Pool | PoolClient) {}

  async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const r = await this.client.query(numberPlaceholders(sql), bind(params));
    return r.rows as T[];
  }

  async get<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const r = await this.client.query(numberPlaceholders(sql), bind(params));
    return r.rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
}

/** PostgreSQL through a `pg` pool; every transaction has a connection of its own. */
export class PostgresDatabase implements Database {
  readonly dialect = "postgres" as const;
  readonly description: string;
  private readonly session: PgSession;

  private constructor(private readonly pool: Pool, url: string) {
    this.description = redactUrl(url);
    this.session = new PgSession(pool);
  }

  static async open(url: string): Promise<PostgresDatabase> {
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      // COUNT(*) and BIGINT columns hold epoch milliseconds and counts, all far below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
      },
    });
    pool.on("error", () => undefined); // an idle client dropped by the server; the next query reconnects
    const db = new PostgresDatabase(pool, url);
    try {
      await pool.query("SELECT 1");
    } catch (cause) {
      await pool.end().catch(() => undefined);
      throw new KysoError("DB_OPEN", `Cannot connect to the registry database ${db.description}`, { cause });
    }
    return db;
  }

  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.session.all<T>(sql, params);
  }
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.session.get<T>(sql, params);
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.session.run(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.session.exec(sql);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      try {
        const result = await fn(new PgSession(client));
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      }
    } finally {
      client.release();
    }
  }

  async withMigrationLock<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      await tx.run("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK]);
      return fn(tx);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
