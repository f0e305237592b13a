import type { Compilable, Kysely, RawBuilder } from "kysely";

export type Dialect = "sqlite" | "postgres";
/** What a query may bind. Booleans are written as 0/1: SQLite has no boolean type. */
export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, unknown>;

/**
 * A query for the seam: Kysely's `sql` tagged template (values become bound parameters, `?` in
 * SQLite and `$n` in PostgreSQL, compiled by Kysely for the dialect) or any Kysely query builder
 * (`db.kysely.selectFrom(...)`). There is no way to pass a bare SQL string with values.
 */
export type Query = RawBuilder<unknown> | Compilable<unknown>;

/** One connection's view: the whole database, or the inside of a transaction. */
export interface Db {
  readonly dialect: Dialect;
  /** Kysely bound to this connection (inside a transaction: to the transaction), for the typed query builder. */
  readonly kysely: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  all<T = Row>(query: Query): Promise<T[]>;
  get<T = Row>(query: Query): Promise<T | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  run(query: Query): Promise<number>;
  /** Runs a script of several statements without parameters (migrations, maintenance). */
  exec(script: string): Promise<void>;
}

export interface Database extends Db {
  /**
   * Runs `fn` in a transaction that takes the write lock up front (SQLite `BEGIN IMMEDIATE`,
   * PostgreSQL `READ COMMITTED` with row locks), committing if it resolves and rolling back if it
   * throws. Inside, use only `tx`: in SQLite the one connection is held by the transaction, so a
   * query on the Database itself would wait for the transaction to end.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Serialises schema changes between processes (an advisory lock in PostgreSQL). */
  withMigrationLock<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** A printable description without credentials. */
  readonly description: string;
}
