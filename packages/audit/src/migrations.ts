import { perDialect, type MigrationSet } from "@kyso/db";

/**
 * The audit's schema (namespace "audit" of @kyso/db's migration runner): one append-only table.
 * `id` is given by the appender (the previous row's id + 1, under the append lock), so ids have no
 * gaps and a missing id is a deleted row. `prev_hash` is UNIQUE: two rows can never claim the same
 * predecessor, so even a writer that skipped the lock could not fork the chain. Triggers refuse
 * UPDATE and DELETE (and TRUNCATE in PostgreSQL): changing a row needs the owner's rights to drop
 * them first, and then the chain shows it (`verifyAuditChain`). Applied migrations are never edited.
 */
export const AUDIT_MIGRATIONS: MigrationSet = {
  namespace: "audit",
  migrations: [
    {
      version: 1,
      name: "audit: the hash-chained trail of who did what",
      up: perDialect(
        (d) => `
CREATE TABLE audit (
  id BIGINT PRIMARY KEY,
  time TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_role TEXT,
  actor_scopes TEXT,
  action TEXT NOT NULL,
  target TEXT,
  source TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  status INTEGER,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_time ON audit(time);
${
  d === "sqlite"
    ? `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit rows are never changed'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;`
    : `CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit rows are never changed or deleted';
END
$$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`
}
`,
      ),
    },
  ],
};
