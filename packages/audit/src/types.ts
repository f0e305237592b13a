/**
 * Who acted. The service takes it from the authenticated principal (`res.locals.principal`),
 * never from a request header; commands run on the machine use `{ kind: "system", name: $USER }`.
 */
export interface Principal {
  kind: "user" | "api-key" | "anonymous" | "system";
  name: string;
  /** A user's role (clerk, admin, auditor). */
  role?: string;
  /** An API key's scopes (inbox:write, verify, registry:read). */
  scopes?: readonly string[];
}

export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", name: "anonymous" });

/** ok: done; denied: refused for want of rights (401/403); failed: anything else that did not happen. */
export type AuditOutcome = "ok" | "denied" | "failed";

/** What one appends: the chain fields (id, time, hashes) are added by the trail. */
export interface AuditEvent {
  actor: Principal;
  /** Dotted verb, e.g. inbox.receive, inbox.register, inbox.return, inbox.read, attachment.download, verify, registry.read, user.add, login.ok, login.failed. */
  action: string;
  /** What it was done to: a package id, a file's SHA-256, a user name. */
  target?: string | null;
  /** Where from: the client's address, or "cli" for a command on the machine. */
  source?: string | null;
  outcome: AuditOutcome;
  /** The HTTP status answered, when there is one. */
  status?: number | null;
  /** Plain JSON facts (never a document's content, never a password). */
  details?: Record<string, unknown>;
}

/** One row of the `audit` table as read back. */
export interface AuditEntry {
  id: number;
  /** ISO 8601 UTC with milliseconds, exactly as hashed. */
  time: string;
  actor: Principal;
  action: string;
  target: string | null;
  source: string | null;
  outcome: AuditOutcome;
  status: number | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The `audit` table's columns (as stored; `details` canonical JSON text, `actor_scopes` space-separated). */
export interface AuditRow {
  id: number;
  time: string;
  actor_kind: string;
  actor: string;
  actor_role: string | null;
  actor_scopes: string | null;
  action: string;
  target: string | null;
  source: string | null;
  outcome: string;
  status: number | null;
  details: string;
  prev_hash: string;
  hash: string;
}
