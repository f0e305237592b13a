import { KysoError } from "@kyso/core";
import { canonicalJson } from "./canonical.js";
import type { AuditEntry, AuditEvent, AuditOutcome, AuditRow, Principal } from "./types.js";

const KINDS: readonly Principal["kind"][] = ["user", "api-key", "anonymous", "system"];
const OUTCOMES: readonly AuditOutcome[] = ["ok", "denied", "failed"];
const ACTION = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
/** Largest details object, as canonical JSON (facts, not documents). */
const MAX_DETAILS = 16 * 1024;

function bad(message: string): KysoError {
  return new KysoError("AUDIT_EVENT", message);
}

function text(value: string | null | undefined, what: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw bad(`audit ${what} must be text`);
  if (value.length > max) throw bad(`audit ${what} is longer than ${max} characters`);
  return value;
}

/** The columns of an event, checked, without the chain fields (id, time, prev_hash, hash). */
export type EventColumns = Omit<AuditRow, "id" | "time" | "prev_hash" | "hash">;

/** Checks an event and turns it into columns; a malformed event is refused before it is queued. */
export function eventColumns(e: AuditEvent): EventColumns {
  const a = e.actor;
  if (!a || !KINDS.includes(a.kind)) throw bad(`audit actor kind must be one of ${KINDS.join(", ")}`);
  if (typeof a.name !== "string" || a.name.length === 0 || a.name.length > 200) throw bad("audit actor name must be 1..200 characters");
  if (typeof e.action !== "string" || e.action.length > 64 || !ACTION.test(e.action)) throw bad(`audit action "${String(e.action)}" is not a dotted lower-case name`);
  if (!OUTCOMES.includes(e.outcome)) throw bad(`audit outcome must be one of ${OUTCOMES.join(", ")}`);
  const status = e.status ?? null;
  if (status !== null && !(Number.isInteger(status) && status >= 100 && status <= 599)) throw bad("audit status must be an HTTP status (100..599)");
  const scopes = a.scopes?.length ? a.scopes.join(" ") : null; // space-separated, as OAuth writes scopes (RFC 6749 §3.3)
  const details = canonicalJson(e.details ?? {});
  if (!details.startsWith("{")) throw bad("audit details must be a JSON object");
  if (details.length > MAX_DETAILS) throw bad(`audit details are larger than ${MAX_DETAILS} characters`);
  return {
    actor_kind: a.kind,
    actor: a.name,
    actor_role: text(a.role, "actor role", 64),
    actor_scopes: text(scopes, "actor scopes", 500),
    action: e.action,
    target: text(e.target, "target", 500),
    source: text(e.source, "source", 200),
    outcome: e.outcome,
    status,
    details,
  };
}

/** A stored row as an entry (numbers as numbers whatever the driver gives back). */
export function entryOf(r: AuditRow): AuditEntry {
  const actor: Principal = { kind: r.actor_kind as Principal["kind"], name: r.actor };
  if (r.actor_role !== null) actor.role = r.actor_role;
  if (r.actor_scopes !== null) actor.scopes = r.actor_scopes.split(" ");
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    details = { unparsable: r.details };
  }
  return {
    id: Number(r.id),
    time: r.time,
    actor,
    action: r.action,
    target: r.target,
    source: r.source,
    outcome: r.outcome as AuditOutcome,
    status: r.status === null ? null : Number(r.status),
    details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
