import { Kysely, PostgresDialect, sql } from "kysely";
import { KysoError } from "@kyso/core";
import { redactUrl } from "./location.js";
import { KyselyDatabase } from "./session.js";

/** The advisory lock key under which migrations run ("kyso" as an integer). */
const MIGRATION_LOCK = 0x6b79736f;

/** PostgreSQL through a `pg` pool behind Kysely's PostgresDialect; every transaction has a connection of its own. */
export async function openPostgres(url: string, options: { maxConnections?: number } = {}): Promise<KyselyDatabase> {
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    // COUNT(*) and BIGINT columns hold epoch milliseconds and counts, all far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  pool.on("error", () => undefined); // an idle client dropped by the server; the next query reconnects
  const description = redactUrl(url);
  const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
  const db = new KyselyDatabase(kysely, {
    dialect: "postgres",
    description,
    begin: "BEGIN",
    migrationLock: sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`,
    async execScript(conn, script) {
      // Without parameters pg sends the simple query protocol, which accepts several statements.
      await sql.raw(script).execute(conn);
    },
  });
  try {
    await db.get(sql`SELECT 1`);
  } catch (cause) {
    await kysely.destroy().catch(() => undefined);
    throw new KysoError("DB_OPEN", `Cannot connect to the database ${description}`, { cause });
  }
  return db;
}
