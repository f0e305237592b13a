import { sql, type CompiledQuery, type Kysely, type QueryExecutorProvider, type QueryResult } from "kysely";
import type { Database, Db, Dialect, Query, Row } from "./database.js";

/** How one backend differs: how a write transaction starts, how a script runs, how migrations lock. */
export interface Backend {
  readonly dialect: Dialect;
  readonly description: string;
  /** The statement that opens a transaction holding the write lock. */
  readonly begin: string;
  /** Runs a multi-statement script on the connection `conn` is bound to. */
  execScript(conn: Kysely<any>, script: string, inTransaction: boolean): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Statements run first inside the migration transaction (PostgreSQL: the advisory lock). */
  readonly migrationLock: Query | undefined;
  /** After the pool or file is closed. */
  closed?(): void;
}

async function execute(kysely: Kysely<any>, query: Query): Promise<QueryResult<unknown>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  // A raw `sql` template compiles against the executor it is given; a query builder carries its
  // own compiler (same dialect). Either way the values stay parameters, bound by the driver.
  const compiled = (query as { compile(provider: QueryExecutorProvider): CompiledQuery }).compile(kysely);
  return kysely.executeQuery(compiled);
}

class Session implements Db {
  constructor(
    readonly kysely: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
    protected readonly backend: Backend,
    private readonly inTransaction: boolean,
  ) {}

  get dialect(): Dialect {
    return this.backend.dialect;
  }

  async all<T = Row>(query: Query): Promise<T[]> {
    return (await execute(this.kysely, query)).rows as T[];
  }

  async get<T = Row>(query: Query): Promise<T | undefined> {
    return (await this.all<T>(query))[0];
  }

  async run(query: Query): Promise<number> {
    return Number((await execute(this.kysely, query)).numAffectedRows ?? 0);
  }

  async exec(script: string): Promise<void> {
    await this.backend.execScript(this.kysely, script, this.inTransaction);
  }
}

/** The Database seam over a Kysely instance; the backend supplies what differs per dialect. */
export class KyselyDatabase extends Session implements Database {
  constructor(kysely: Kysely<any>, backend: Backend) { // eslint-disable-line @typescript-eslint/no-explicit-any
    super(kysely, backend, false);
  }

  get description(): string {
    return this.backend.description;
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    // One connection for the whole transaction: a pooled client in PostgreSQL, the one SQLite
    // connection (Kysely's mutex makes other queries wait) in SQLite. BEGIN is issued here rather
    // than through Kysely's transaction() so that SQLite can take the write lock up front
    // (BEGIN IMMEDIATE), which makes two writers queue instead of failing with SQLITE_BUSY.
    return this.kysely.connection().execute(async (conn) => {
      await sql.raw(this.backend.begin).execute(conn);
      try {
        const result = await fn(new Session(conn, this.backend, true));
        await sql.raw("COMMIT").execute(conn);
        return result;
      } catch (e) {
        await sql.raw("ROLLBACK").execute(conn).catch(() => undefined);
        throw e;
      }
    });
  }

  withMigrationLock<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const lock = this.backend.migrationLock;
    return this.transaction(async (tx) => {
      if (lock) await tx.all(lock);
      return fn(tx);
    });
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
    this.backend.closed?.();
  }
}
