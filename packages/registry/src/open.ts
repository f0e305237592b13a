import type { Clock } from "@kyso/core";
import { openDatabase } from "@kyso/db";
import { REGISTRY_MIGRATIONS } from "./migrations.js";
import { Registry } from "./registry.js";

/** Opens a registry (`sqlite:PATH`, a path, or `postgres://...`) and brings its schema up to date. */
export async function openRegistry(
  spec: string,
  options: { clock?: Clock; actor?: string; cwd?: string } = {},
): Promise<Registry> {
  const clock = options.clock;
  const db = await openDatabase(spec, { cwd: options.cwd, migrations: [REGISTRY_MIGRATIONS], now: clock && (() => clock.now()) });
  return new Registry(db, options);
}
