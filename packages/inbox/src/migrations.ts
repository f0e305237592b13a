import { BLOB, ID, perDialect, type MigrationSet } from "@kyso/db";

/**
 * The inbox's schema (namespace "inbox" of @kyso/db's migration runner). Migration 1 is the one
 * release 0.1 numbered 3 in its single list (`legacyVersion`): a database made by that release
 * keeps its tables and rows. Applied migrations are never edited: a change is a new migration.
 */
export const INBOX_MIGRATIONS: MigrationSet = {
  namespace: "inbox",
  migrations: [
    {
      version: 1,
      legacyVersion: 3,
      name: "inbox: packages received from the axis, attachments, reports, events",
      // One row per distinct package (UNIQUE sha256): two instances receiving the same package at
      // once both insert with ON CONFLICT DO NOTHING and read back the one row. Nothing is deleted;
      // registering and returning are events. The package and its attachments are kept as received.
      up: perDialect(
        (d) => `
CREATE TABLE inbox_packages (
  id ${ID[d]},
  sha256 TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('edxml', 'pdf')),
  received_at BIGINT NOT NULL,
  sender_id TEXT,
  sender_name TEXT,
  document_id TEXT,
  code_number TEXT,
  code_notation TEXT,
  subject TEXT,
  promulgation_date TEXT,
  attachment_count INTEGER NOT NULL,
  indication TEXT NOT NULL,
  sub_indication TEXT,
  status TEXT NOT NULL CHECK (status IN ('received', 'registered', 'returned')),
  arrival_number TEXT,
  size BIGINT NOT NULL,
  body ${BLOB[d]} NOT NULL
);
CREATE INDEX inbox_packages_received ON inbox_packages(received_at, id);
CREATE INDEX inbox_packages_sender ON inbox_packages(sender_id, received_at);
CREATE INDEX inbox_packages_indication ON inbox_packages(indication, received_at);

CREATE TABLE inbox_attachments (
  package_id BIGINT NOT NULL REFERENCES inbox_packages(id),
  n INTEGER NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  indication TEXT,
  bytes ${BLOB[d]} NOT NULL,
  PRIMARY KEY (package_id, n)
);

CREATE TABLE inbox_reports (
  package_id BIGINT PRIMARY KEY REFERENCES inbox_packages(id),
  report TEXT NOT NULL
);

CREATE TABLE inbox_events (
  id ${ID[d]},
  package_id BIGINT NOT NULL REFERENCES inbox_packages(id),
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('received', 'registered', 'returned')),
  details TEXT NOT NULL
);
CREATE INDEX inbox_events_package ON inbox_events(package_id, id);
`,
      ),
    },
    {
      version: 2,
      name: "inbox: de-duplication by signed content",
      // The digest of what a package's XML signature covers (@kyso/edxml signedContentDigest): a
      // re-encoded copy of a package (other bytes, the same signed content) is the same package.
      // NULL for bare PDFs and for packages whose signature did not verify (NULLs never collide).
      up: `ALTER TABLE inbox_packages ADD COLUMN signed_digest TEXT;
CREATE UNIQUE INDEX inbox_packages_signed ON inbox_packages(signed_digest);`,
    },
  ],
};

/** The inbox's tables as Kysely sees them (columns as read back: BIGINT is a number). */
export interface InboxTables {
  inbox_packages: {
    id: number;
    sha256: string;
    kind: "edxml" | "pdf";
    received_at: number;
    sender_id: string | null;
    sender_name: string | null;
    document_id: string | null;
    code_number: string | null;
    code_notation: string | null;
    subject: string | null;
    promulgation_date: string | null;
    attachment_count: number;
    indication: string;
    sub_indication: string | null;
    status: "received" | "registered" | "returned";
    arrival_number: string | null;
    size: number;
    body: Uint8Array;
    signed_digest: string | null;
  };
  inbox_attachments: {
    package_id: number;
    n: number;
    name: string;
    content_type: string;
    size: number;
    sha256: string;
    indication: string | null;
    bytes: Uint8Array;
  };
  inbox_reports: { package_id: number; report: string };
  inbox_events: { id: number; package_id: number; at: number; actor: string; kind: "received" | "registered" | "returned"; details: string };
}
