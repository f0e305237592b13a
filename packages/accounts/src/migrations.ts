import { ID, perDialect, type MigrationSet } from "@kyso/db";

/**
 * The accounts' schema (namespace "accounts" of @kyso/db's migration runner): users with scrypt
 * password hashes, server-side sessions, API keys and failed-attempt counters. Every secret is
 * stored as a hash: a session token or an API key as the SHA-256 of 32 random bytes, a password
 * as scrypt. Applied migrations are never edited: a change is a new migration.
 */
export const ACCOUNTS_MIGRATIONS: MigrationSet = {
  namespace: "accounts",
  migrations: [
    {
      version: 1,
      name: "accounts: users, sessions, api keys, failed attempts",
      up: perDialect(
        (d) => `
CREATE TABLE accounts_users (
  id ${ID[d]},
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('clerk', 'admin', 'auditor')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  password_changed_at BIGINT NOT NULL
);

CREATE TABLE accounts_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES accounts_users(id),
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX accounts_sessions_user ON accounts_sessions(user_id);

CREATE TABLE accounts_api_keys (
  id ${ID[d]},
  name TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_used_at BIGINT
);

CREATE TABLE accounts_failures (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  locked_until BIGINT NOT NULL DEFAULT 0,
  lockouts INTEGER NOT NULL DEFAULT 0
);
`,
      ),
    },
  ],
};
