import { isAbsolute, join } from "node:path";
import type { Database } from "./database.js";
import { parseDbLocation } from "./location.js";
import { migrate, type MigrationSet } from "./migrations.js";

export interface OpenOptions {
  /** Folder a relative SQLite path is taken from. */
  cwd?: string;
  /** Migration sets to apply on open, in order. */
  migrations?: readonly MigrationSet[];
  /** The clock for the ledger's applied_at. */
  now?: () => Date;
  /** PostgreSQL pool size (default 4). */
  maxConnections?: number;
}

/**
 * Opens a database by location (`sqlite:PATH`, a path, or `postgres://...`) and applies the given
 * migration sets; closes it again if they fail.
 */
export async function openDatabase(spec: string, options: OpenOptions | string = {}): Promise<Database> {
  const o: OpenOptions = typeof options === "string" ? { cwd: options } : options;
  const loc = parseDbLocation(spec);
  let db: Database;
  if (loc.kind === "postgres") {
    const { openPostgres } = await import("./postgres.js");
    db = await openPostgres(loc.url, { maxConnections: o.maxConnections });
  } else {
    const { openSqlite } = await import("./sqlite.js");
    const path = loc.path === ":memory:" || isAbsolute(loc.path) ? loc.path : join(o.cwd ?? process.cwd(), loc.path);
    db = openSqlite(path);
  }
  if (o.migrations?.length) {
    try {
      await migrate(db, o.migrations, { now: o.now });
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
  }
  return db;
}
