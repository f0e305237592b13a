import { homedir } from "node:os";
import { join } from "node:path";
import type { Clock } from "@kyso/core";
import { parseDbLocation, type Database } from "./db.js";
import { migrate } from "./migrations.js";
import { Registry } from "./registry.js";

/**
 * The default registry: `sqlite:$XDG_DATA_HOME/kyso/registry.db`, falling back to
 * `~/.local/share/kyso/registry.db` (XDG Base Directory Specification).
 */
export function defaultDbSpec(env: NodeJS.ProcessEnv = process.env): string {
  const dataHome = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith("/") ? env.XDG_DATA_HOME : join(env.HOME || homedir(), ".local", "share");
  return `sqlite:${join(dataHome, "kyso", "registry.db")}`;
}

/** Opens a database by location (`sqlite:PATH`, a path, or `postgres://...`) without migrating it. */
export async function openDatabase(spec: string, cwd: string = process.cwd()): Promise<Database> {
  const loc = parseDbLocation(spec);
  if (loc.kind === "postgres") {
    const { PostgresDatabase } = await import("./postgres.js");
    return PostgresDatabase.open(loc.url);
  }
  const { SqliteDatabase } = await import("./sqlite.js");
  const path = loc.path === ":memory:" || loc.path.startsWith("/") ? loc.path : join(cwd, loc.path);
  return new SqliteDatabase(path);
}

/** Opens a registry and brings its schema up to date. */
export async function openRegistry(
  spec: string,
  options: { clock?: Clock; actor?: string; cwd?: string } = {},
): Promise<Registry> {
  const db = await openDatabase(spec, options.cwd);
  const registry = new Registry(db, options);
  try {
    await migrate(db, () => registry.clock.now());
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return registry;
}
