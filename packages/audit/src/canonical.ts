import { createHash } from "node:crypto";
import { KysoError } from "@kyso/core";
import type { AuditRow } from "./types.js";

/** The prev_hash of the first row: 64 zeros (no row before it). */
export const GENESIS_HASH = "0".repeat(64);

/** The label that starts every hashed record, so that a change of encoding is a new label. */
export const HASH_FORMAT = "kyso-audit/1";

/**
 * The JSON Canonicalization Scheme (RFC 8785) for plain JSON values: object members sorted by
 * their names' UTF-16 code units (§3.2.3), no whitespace, strings and numbers as ECMAScript's
 * JSON.stringify writes them (§3.2.2.2, §3.2.2.3). `undefined` members are left out, as in JSON.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new KysoError("AUDIT_EVENT", "audit details hold a number JSON cannot write (NaN or Infinity)");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort(); // default sort: by UTF-16 code units, as RFC 8785 §3.2.3 asks
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  throw new KysoError("AUDIT_EVENT", `audit details hold a ${typeof value}, which JSON cannot write`);
}

/**
 * A row's hash: SHA-256 (hex) of the UTF-8 of the RFC 8785 array
 *   ["kyso-audit/1", prev_hash, id, time, actor_kind, actor, actor_role, actor_scopes, action,
 *    target, source, outcome, status, details]
 * with each column as stored (details is the canonical JSON text itself, as a string). Any
 * program that writes that array the same way can check the chain without Kyso.
 */
export function rowHash(r: Omit<AuditRow, "hash">): string {
  const fields = [HASH_FORMAT, r.prev_hash, Number(r.id), r.time, r.actor_kind, r.actor, r.actor_role, r.actor_scopes, r.action, r.target, r.source, r.outcome, r.status === null ? null : Number(r.status), r.details];
  return createHash("sha256").update(canonicalJson(fields), "utf8").digest("hex");
}
