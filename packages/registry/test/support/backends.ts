import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * The registry's storage backends under test. Every test gets a database of its own: a new SQLite
 * file, or a new PostgreSQL database created through KYSO_TEST_PG_URL (scripts/postgres.sh).
 */
export interface Backend {
  name: "sqlite" | "postgres";
  /** Why the backend cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  /** A fresh, empty database; its location for --db / openRegistry. */
  fresh(): Promise<string>;
  /** Drops every database made by fresh(). */
  cleanup(): Promise<void>;
}

export const sqliteBackend: Backend = (() => {
  const dirs: string[] = [];
  return {
    name: "sqlite" as const,
    unavailable: () => undefined,
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), "kyso-registry-"));
      dirs.push(dir);
      return `sqlite:${join(dir, "registry.db")}`;
    },
    async cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
})();

export const postgresBackend: Backend = (() => {
  const made: string[] = [];
  const admin = () => process.env.KYSO_TEST_PG_URL!;
  async function adminQuery(sql: string): Promise<void> {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: admin() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
  return {
    name: "postgres" as const,
    unavailable: () => (process.env.KYSO_TEST_PG_URL ? undefined : "KYSO_TEST_PG_URL is not set (source scripts/postgres.sh)"),
    async fresh() {
      const name = `kyso_t_${randomBytes(6).toString("hex")}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      made.push(name);
      const url = new URL(admin());
      url.pathname = `/${name}`;
      return url.toString();
    },
    async cleanup() {
      for (const name of made.splice(0)) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    },
  };
})();

export const backends: Backend[] = [sqliteBackend, postgresBackend];

/**
 * Mocha set-up for one backend: skips with the reason when it is unavailable, except under CI,
 * where an unavailable backend is a failure (a CI run that silently skips PostgreSQL proves nothing).
 */
export function requireBackend(ctx: Mocha.Context, backend: Backend): void {
  const why = backend.unavailable();
  if (!why) return;
  if (process.env.CI) throw new Error(`${backend.name} backend required under CI: ${why}`);
  ctx.skip();
}
