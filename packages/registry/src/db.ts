import { KysoError } from "@kyso/core";

export type Dialect = "sqlite" | "postgres";
export type SqlValue = string | number | null | Uint8Array | boolean;
export type Row = Record<string, unknown>;

/**
 * The narrow seam between the registry and its storage. SQL is written once with `?` placeholders
 * in the subset both SQLite and PostgreSQL accept; the PostgreSQL backend renumbers them to `$n`.
 */
export interface Db {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Db {
  /**
   * Runs `fn` in a transaction that takes the write lock up front (SQLite `BEGIN IMMEDIATE`,
   * PostgreSQL `READ COMMITTED` with row locks), committing if it resolves and rolling back if it
   * throws.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Serialises schema changes between processes (an advisory lock in PostgreSQL). */
  withMigrationLock<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** A printable description without credentials. */
  readonly description: string;
}

/** Where a registry lives: `sqlite:PATH` (or a bare path) or a `postgres://` URL. */
export type DbLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

export function parseDbLocation(spec: string): DbLocation {
  if (/^postgres(ql)?:\/\//i.test(spec)) return { kind: "postgres", url: spec };
  if (spec.startsWith("sqlite:")) {
    const path = spec.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!path) throw new KysoError("USAGE", `No file in database location "${spec}" (expected sqlite:PATH)`);
    return { kind: "sqlite", path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new KysoError("USAGE", `Unsupported database location "${redactUrl(spec)}": use sqlite:PATH or postgres://...`);
  return { kind: "sqlite", path: spec };
}

/** A URL with its password replaced, safe to print. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
