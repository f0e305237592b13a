import { BLOB, ID, perDialect, type MigrationSet } from "@kyso/db";

/**
 * The issuance registry's schema (namespace "registry" of @kyso/db's migration runner). Most SQL
 * is accepted by both backends; where the dialects differ a migration gives one text per dialect.
 * Times are epoch milliseconds (BIGINT), so that ordering and ranges mean the same in SQLite and
 * PostgreSQL whatever the collation. Applied migrations are never edited: a change is a new
 * migration. `legacyVersion` is the number each had in release 0.1's single list.
 */
export const REGISTRY_MIGRATIONS: MigrationSet = {
  namespace: "registry",
  migrations: [
    {
      version: 1,
      legacyVersion: 1,
      name: "units, holders, tokens, certificates, events",
      up: perDialect(
        (d) => `
CREATE TABLE units (
  id ${ID[d]},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'department')),
  -- the level a unit counts under in reports: a department counts at its parent's level
  report_level TEXT NOT NULL CHECK (report_level IN ('province', 'district', 'commune')),
  parent_id BIGINT REFERENCES units(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE holders (
  id ${ID[d]},
  kind TEXT NOT NULL CHECK (kind IN ('officer', 'organization')),
  name TEXT NOT NULL,
  title TEXT,
  identity_number TEXT,
  email TEXT,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  created_at BIGINT NOT NULL,
  UNIQUE (kind, unit_id, name)
);

CREATE TABLE tokens (
  id ${ID[d]},
  serial TEXT NOT NULL UNIQUE,
  manufacturer TEXT,
  model TEXT,
  status TEXT NOT NULL CHECK (status IN ('in_stock', 'issued', 'returned', 'lost', 'locked', 'destroyed')),
  holder_id BIGINT REFERENCES holders(id),
  updated_at BIGINT NOT NULL
);

CREATE TABLE certificates (
  id ${ID[d]},
  issuer TEXT NOT NULL,
  serial TEXT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL,
  not_before BIGINT NOT NULL,
  not_after BIGINT NOT NULL,
  issued_at BIGINT NOT NULL,
  key_algorithm TEXT NOT NULL,
  key_size INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('personal', 'organization')),
  token_serial TEXT,
  holder_id BIGINT NOT NULL REFERENCES holders(id),
  unit_id BIGINT NOT NULL REFERENCES units(id),
  report_level TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'suspended')),
  revoked_at BIGINT,
  revocation_reason TEXT,
  replaces_id BIGINT REFERENCES certificates(id),
  der ${BLOB[d]} NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (issuer, serial)
);
CREATE INDEX certificates_serial ON certificates(serial);
CREATE INDEX certificates_unit ON certificates(unit_id);
CREATE INDEX certificates_issued ON certificates(issued_at);
CREATE INDEX certificates_not_after ON certificates(status, not_after);
CREATE INDEX certificates_revoked ON certificates(revoked_at);

CREATE TABLE events (
  id ${ID[d]},
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  certificate_id BIGINT REFERENCES certificates(id),
  token_id BIGINT REFERENCES tokens(id),
  unit_id BIGINT REFERENCES units(id),
  details TEXT NOT NULL
);
CREATE INDEX events_certificate ON events(certificate_id);
CREATE INDEX events_token ON events(token_id);
`,
      ),
    },
    {
      version: 2,
      legacyVersion: 2,
      name: "covering indexes for reports",
      // Reports count by level and unit over issue dates: with these the counts come from the
      // indexes alone (SQLite skip-scans report_level), never from the rows with their DER.
      up: `
DROP INDEX certificates_issued;
DROP INDEX certificates_unit;
CREATE INDEX certificates_level_issued ON certificates(report_level, issued_at, unit_id);
CREATE INDEX certificates_unit_issued ON certificates(unit_id, issued_at, report_level);
CREATE INDEX tokens_status ON tokens(status);
`,
    },
  ],
};
