import { KysoError, normalizeSerial, systemClock, type Clock } from "@kyso/core";
import { sql, type Database, type Db, type RawBuilder, type SqlValue } from "@kyso/db";
import type { CertificateFacts } from "./certificate.js";
import type { CrlFacts } from "./crl.js";
import { DAY_MS } from "./time.js";
import { subtree } from "./subtree.js";
import { buildReport, type ReportOptions } from "./report.js";
import {
  CERTIFICATE_STATUSES,
  CERTIFICATE_TYPES,
  REVOCATION_REASONS,
  TOKEN_STATUSES,
  UNIT_LEVELS,
  type CertificateRecord,
  type CertificateStatus,
  type CertificateType,
  type EventKind,
  type EventRecord,
  type RegistryReport,
  type ReportLevel,
  type RevocationReason,
  type TokenRecord,
  type TokenStatus,
  type Unit,
  type UnitLevel,
} from "./types.js";

/** Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const BATCH = 400;

export interface UnitInput {
  code: string;
  name: string;
  level: UnitLevel;
  parent?: string | null;
  /** Where the row came from, for errors: a file name or `line N`. */
  source?: string;
}

export interface HolderInput {
  name: string;
  title?: string | null;
  identityNumber?: string | null;
  email?: string | null;
}

export interface CertificateImport {
  facts: CertificateFacts;
  holder: HolderInput;
  unit: string;
  type: CertificateType;
  tokenSerial?: string | null;
  /** When the certificate was handed over; defaults to its notBefore. */
  issuedAt?: Date | null;
  /** Where it came from, for errors: a file name or `line N`. */
  source: string;
}

export interface Rejection {
  source: string;
  code: string;
  /** The reason in English (logs, --json). */
  reason: string;
  /** The facts the reason names (unit, serial, date ...), for a caller that says it in another language. */
  params?: Record<string, string | number>;
  /** Which of the code's reasons it is, when it has several (UNIT_PARENT: "unknown" or "cycle"). */
  form?: string;
}

export interface ImportResult {
  imported: { source: string; serial: string; issuer: string; fingerprint: string }[];
  rejected: Rejection[];
}

/** A token as read from the device: recorded (in stock) when an import from it imports something. */
export interface TokenDescription {
  serial: string;
  manufacturer?: string | null;
  model?: string | null;
}

/** Thrown inside an import's transaction to roll it back when nothing was imported; never escapes. */
class NothingImported extends Error {
  constructor(readonly result: ImportResult) {
    super("nothing imported");
  }
}

export interface ChangeOptions {
  /** Who did it, recorded in the event history. */
  actor?: string;
}

export interface ListOptions {
  status?: CertificateStatus;
  unit?: string;
  expiringWithinDays?: number;
  limit?: number;
}

export interface CrlSyncResult {
  issuer: string;
  entries: number;
  revoked: { serial: string; reason: string; revokedAt: string }[];
  alreadyRevoked: number;
  unknown: number;
}

interface CertRow {
  id: number;
  serial: string;
  issuer: string;
  fingerprint: string;
  subject: string;
  not_before: number;
  not_after: number;
  issued_at: number;
  key_algorithm: string;
  key_size: number;
  type: CertificateType;
  token_serial: string | null;
  holder_id: number;
  holder: string;
  unit_id: number;
  unit: string;
  unit_name: string;
  report_level: ReportLevel;
  status: "active" | "revoked" | "suspended";
  revoked_at: number | null;
  revocation_reason: string | null;
  replaces: string | null;
}

const CERT_SELECT = sql`SELECT c.id, c.serial, c.issuer, c.fingerprint, c.subject, c.not_before, c.not_after, c.issued_at,
  c.key_algorithm, c.key_size, c.type, c.token_serial, c.holder_id, h.name AS holder, c.unit_id, u.code AS unit,
  u.name AS unit_name, c.report_level, c.status, c.revoked_at, c.revocation_reason, r.serial AS replaces
FROM certificates c JOIN holders h ON h.id = c.holder_id JOIN units u ON u.id = c.unit_id
LEFT JOIN certificates r ON r.id = c.replaces_id`;


function iso(ms: number | null): string | null {
  return ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();
}

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `(a, b), (c, d)`: rows of bound values for a multi-row INSERT. */
function valueRows(rows: readonly (readonly SqlValue[])[]): RawBuilder<unknown> {
  return sql.join(rows.map((r) => sql`(${sql.join(r)})`));
}

/** `a, b, c`: bound values for `IN (...)`. */
function list(values: readonly SqlValue[]): RawBuilder<unknown> {
  return sql.join(values);
}

/** `CRLReason` given by a user, by its RFC 5280 name in any case, with or without dashes. */
export function parseRevocationReason(text: string): RevocationReason {
  const key = text.replace(/[-_\s]/g, "").toLowerCase();
  const found = REVOCATION_REASONS.find((r) => r !== "" && r.toLowerCase() === key);
  if (!found)
    throw new KysoError("USAGE", `Unknown revocation reason "${text}"; one of: ${REVOCATION_REASONS.filter((r) => r).join(", ")}`, {
      details: { params: { text, reasons: REVOCATION_REASONS.filter((r) => r).join(", ") }, form: "revocationReason" },
    });
  return found as RevocationReason;
}

export function effectiveStatus(stored: string, notAfter: number, now: number): CertificateStatus {
  return stored === "active" && Number(notAfter) <= now ? "expired" : (stored as CertificateStatus);
}

/**
 * The issuance registry: units, holders, tokens, certificates and their append-only history.
 * Every change runs in one transaction and writes its events in the same transaction.
 */
export class Registry {
  readonly clock: Clock;
  readonly defaultActor: string;

  constructor(
    readonly db: Database,
    options: { clock?: Clock; actor?: string } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.defaultActor = options.actor ?? "unknown";
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private async event(
    tx: Db,
    kind: EventKind,
    actor: string | undefined,
    refs: { certificateId?: number | null; tokenId?: number | null; unitId?: number | null },
    details: Record<string, unknown>,
  ): Promise<void> {
    await tx.run(sql`INSERT INTO events (at, actor, kind, certificate_id, token_id, unit_id, details) VALUES (${this.now()}, ${actor ?? this.defaultActor}, ${kind}, ${refs.certificateId ?? null}, ${refs.tokenId ?? null}, ${refs.unitId ?? null}, ${JSON.stringify(details)})`);
  }

  // ---------------------------------------------------------------- units

  /**
   * Adds units all or nothing. Parents may come later in the list or already be in the registry.
   * Throws IMPORT_REJECTED with every rejection (`details.rejected`) when any row is bad.
   */
  async addUnits(units: readonly UnitInput[], options: ChangeOptions = {}): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rejected: Rejection[] = [];
      const byCode = new Map<string, UnitInput>();
      for (const u of units) {
        const src = u.source ?? u.code;
        if (!/^[A-Za-z0-9._-]{1,35}$/.test(u.code)) {
          rejected.push({ source: src, code: "UNIT_CODE", reason: `invalid unit code "${u.code}" (letters, digits, . _ -, at most 35)`, params: { unit: u.code } });
          continue;
        }
        if (!u.name.trim()) rejected.push({ source: src, code: "UNIT_NAME", reason: `unit ${u.code} has no name`, params: { unit: u.code } });
        if (!UNIT_LEVELS.includes(u.level))
          rejected.push({ source: src, code: "UNIT_LEVEL", reason: `unknown level "${u.level}" (${UNIT_LEVELS.join(", ")})`, params: { level: u.level, levels: UNIT_LEVELS.join(", ") } });
        const twin = byCode.get(u.code);
        if (twin) rejected.push({ source: src, code: "UNIT_DUPLICATE", reason: `unit ${u.code} appears twice (also ${twin.source ?? "above"})`, params: { unit: u.code, other: twin.source ?? "" } });
        else byCode.set(u.code, u);
      }
      const existing = new Map<string, { id: number; report_level: ReportLevel }>();
      const wanted = [...new Set([...byCode.keys(), ...units.map((u) => u.parent).filter((p): p is string => !!p)])];
      for (const part of chunks(wanted)) {
        const rows = await tx.all<{ id: number; code: string; report_level: ReportLevel }>(
          sql`SELECT id, code, report_level FROM units WHERE code IN (${list(part)})`,
        );
        for (const r of rows) existing.set(r.code, { id: Number(r.id), report_level: r.report_level });
      }
      for (const u of byCode.values())
        if (existing.has(u.code)) rejected.push({ source: u.source ?? u.code, code: "UNIT_EXISTS", reason: `unit ${u.code} is already in the registry`, params: { unit: u.code } });
      // Insert parents before children, one depth at a time. A parent is either already in the
      // registry or another row of this list.
      const known = new Map(existing);
      const fresh = [...byCode.values()].filter((u) => !existing.has(u.code));
      const depth = new Map<string, number>();
      const depthOf = (u: UnitInput, path: Set<string>): number => {
        const cached = depth.get(u.code);
        if (cached !== undefined) return cached;
        let d = 0;
        if (u.parent && !known.has(u.parent)) {
          const parent = byCode.get(u.parent);
          const params = { unit: u.code, parent: u.parent };
          if (!parent) throw new KysoError("UNIT_PARENT", `unit ${u.code}: unknown parent unit ${u.parent}`, { details: { params, form: "unknown" } });
          if (path.has(parent.code)) throw new KysoError("UNIT_PARENT", `unit ${u.code}: its parents form a cycle through ${u.parent}`, { details: { params, form: "cycle" } });
          d = depthOf(parent, new Set([...path, u.code])) + 1;
        }
        depth.set(u.code, d);
        return d;
      };
      const depthBatches: UnitInput[][] = [];
      for (const u of fresh) {
        try {
          const d = depthOf(u, new Set([u.code]));
          (depthBatches[d] ??= []).push(u);
        } catch (e) {
          if (!(e instanceof KysoError)) throw e;
          rejected.push({ source: u.source ?? u.code, code: e.code, reason: e.message, ...(e.details as Pick<Rejection, "params" | "form"> | undefined) });
        }
      }
      if (rejected.length > 0) throw rejectedError("unit", rejected);
      let count = 0;
      for (const batch of depthBatches) {
        for (const part of chunks(batch ?? [])) {
          const values: SqlValue[][] = [];
          for (const u of part) {
            const parent = u.parent ? known.get(u.parent)! : undefined;
            const reportLevel: ReportLevel = u.level === "department" ? (parent?.report_level ?? "province") : u.level;
            values.push([u.code, u.name.trim(), u.level, reportLevel, parent?.id ?? null, this.now()]);
          }
          const rows = await tx.all<{ id: number; code: string; report_level: ReportLevel }>(
            sql`INSERT INTO units (code, name, level, report_level, parent_id, created_at) VALUES ${valueRows(values)} RETURNING id, code, report_level`,
          );
          for (const r of rows) known.set(r.code, { id: Number(r.id), report_level: r.report_level });
          const ev = rows.map((r): SqlValue[] => [this.now(), options.actor ?? this.defaultActor, "unit_added", Number(r.id), JSON.stringify({ code: r.code })]);
          await tx.run(sql`INSERT INTO events (at, actor, kind, unit_id, details) VALUES ${valueRows(ev)}`);
          count += rows.length;
        }
      }
      return count;
    });
  }

  async listUnits(): Promise<Unit[]> {
    const rows = await this.db.all<{ code: string; name: string; level: UnitLevel; report_level: ReportLevel; parent: string | null }>(
      sql`SELECT u.code, u.name, u.level, u.report_level, p.code AS parent FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.code`,
    );
    return rows.map((r) => ({ code: r.code, name: r.name, level: r.level, reportLevel: r.report_level, parent: r.parent ?? null }));
  }

  async getUnit(code: string): Promise<Unit | undefined> {
    const r = await this.db.get<{ code: string; name: string; level: UnitLevel; report_level: ReportLevel; parent: string | null }>(
      sql`SELECT u.code, u.name, u.level, u.report_level, p.code AS parent FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.code = ${code}`,
    );
    return r && { code: r.code, name: r.name, level: r.level, reportLevel: r.report_level, parent: r.parent ?? null };
  }

  private async requireUnit(code: string): Promise<void> {
    if (!(await this.getUnit(code))) throw new KysoError("UNKNOWN_UNIT", `Unknown unit ${code} (add it with "kyso units add")`, { details: { params: { unit: code }, form: "hint" } });
  }

  // --------------------------------------------------------- certificates

  /**
   * Records certificates as issued, all or nothing: any bad item (unknown unit, expired, CA
   * certificate, already present, twice in the list) makes it throw IMPORT_REJECTED listing every
   * rejection, unless `skipInvalid`, which imports the rest and returns the rejections.
   * Concurrent imports of the same certificates never duplicate: UNIQUE(issuer, serial) decides
   * and the loser reports the certificate as already present. `dryRun` checks and writes nothing.
   * An import that imports nothing writes nothing (no holder, token or event); `token`, the device
   * the certificates were read from, is recorded in the same transaction only when one is imported.
   */
  async importCertificates(
    items: readonly CertificateImport[],
    options: ChangeOptions & { skipInvalid?: boolean; dryRun?: boolean; replaces?: { id: number; serial: string }; token?: TokenDescription } = {},
  ): Promise<ImportResult> {
    try {
      return await this.importInTransaction(items, options);
    } catch (e) {
      // An import that imports nothing changes nothing: its holders, tokens and events roll back.
      if (e instanceof NothingImported) return e.result;
      throw e;
    }
  }

  private async importInTransaction(
    items: readonly CertificateImport[],
    options: ChangeOptions & { skipInvalid?: boolean; dryRun?: boolean; replaces?: { id: number; serial: string }; token?: TokenDescription },
  ): Promise<ImportResult> {
    const now = this.now();
    const actor = options.actor ?? this.defaultActor;
    return this.db.transaction(async (tx) => {
      const rejected: Rejection[] = [];
      const accepted: CertificateImport[] = [];
      const seen = new Map<string, string>();
      for (const it of items) {
        const f = it.facts;
        const reject = (code: string, reason: string, params: Record<string, string | number> = {}, form?: string) =>
          rejected.push({ source: it.source, code, reason, params, ...(form ? { form } : {}) });
        if (!CERTIFICATE_TYPES.includes(it.type)) reject("USAGE", `unknown certificate type "${it.type}" (personal or organization)`, { type: it.type }, "certificateType");
        else if (!it.holder.name.trim()) reject("HOLDER_MISSING", "no holder name");
        else if (f.isCa) reject("CERT_IS_CA", `certificate ${f.serial} (${f.subject}) is a CA certificate, not one issued to a holder`, { serial: f.serial, subject: f.subject });
        else if (f.notAfter.getTime() <= now)
          reject("CERT_EXPIRED", `certificate ${f.serial} (${f.subject}) expired on ${f.notAfter.toISOString()}; an expired certificate cannot be imported as new`, {
            serial: f.serial,
            subject: f.subject,
            date: f.notAfter.toISOString(),
          });
        else if (seen.has(`${f.issuer}\u0000${f.serial}`))
          reject("CERT_DUPLICATE", `certificate ${f.serial} appears twice in this import (also ${seen.get(`${f.issuer}\u0000${f.serial}`)})`, { serial: f.serial, other: seen.get(`${f.issuer}\u0000${f.serial}`)! });
        else {
          seen.set(`${f.issuer}\u0000${f.serial}`, it.source);
          accepted.push(it);
        }
      }
      // Units.
      const units = new Map<string, { id: number; report_level: ReportLevel }>();
      const codes = [...new Set(accepted.map((a) => a.unit))];
      for (const part of chunks(codes)) {
        const rows = await tx.all<{ id: number; code: string; report_level: ReportLevel }>(
          sql`SELECT id, code, report_level FROM units WHERE code IN (${list(part)})`,
        );
        for (const r of rows) units.set(r.code, { id: Number(r.id), report_level: r.report_level });
      }
      // Already present.
      const present = new Set<string>();
      const serials = [...new Set(accepted.map((a) => a.facts.serial))];
      for (const part of chunks(serials)) {
        const rows = await tx.all<{ issuer: string; serial: string }>(
          sql`SELECT issuer, serial FROM certificates WHERE serial IN (${list(part)})`,
        );
        for (const r of rows) present.add(`${r.issuer}\u0000${r.serial}`);
      }
      let valid = accepted.filter((it) => {
        if (!units.has(it.unit)) {
          rejected.push({ source: it.source, code: "UNKNOWN_UNIT", reason: `unknown unit ${it.unit}`, params: { unit: it.unit } });
          return false;
        }
        if (present.has(`${it.facts.issuer}\u0000${it.facts.serial}`)) {
          rejected.push({ source: it.source, code: "CERT_PRESENT", reason: alreadyPresent(it.facts), params: { serial: it.facts.serial, issuer: it.facts.issuer } });
          return false;
        }
        return true;
      });
      if (rejected.length > 0 && !options.skipInvalid) throw rejectedError("certificate", rejected);
      if (options.dryRun) return { imported: [], rejected };

      if (options.token && valid.length > 0) await this.describeTokenIn(tx, options.token, actor);
      const holderIds = await this.holderIds(tx, valid, units, now);
      await this.issueTokens(tx, valid, units, holderIds, actor, now);

      // Same order in every importer, so that two concurrent PostgreSQL imports wait on each
      // other's rows instead of deadlocking.
      valid = [...valid].sort((a, b) => (a.facts.issuer + a.facts.serial < b.facts.issuer + b.facts.serial ? -1 : 1));
      const imported: ImportResult["imported"] = [];
      for (const part of chunks(valid, 250)) {
        const values: SqlValue[][] = [];
        for (const it of part) {
          const f = it.facts;
          const unit = units.get(it.unit)!;
          values.push([
            f.issuer, f.serial, f.fingerprint, f.subject, f.notBefore.getTime(), f.notAfter.getTime(),
            (it.issuedAt ?? f.notBefore).getTime(), f.keyAlgorithm, f.keySize, it.type, it.tokenSerial ?? null,
            holderIds.get(holderKey(it, unit.id))!, unit.id, unit.report_level, "active", options.replaces?.id ?? null, f.der, now,
          ]);
        }
        const rows = await tx.all<{ id: number; issuer: string; serial: string }>(
          sql`INSERT INTO certificates (issuer, serial, fingerprint, subject, not_before, not_after, issued_at, key_algorithm, key_size, type,
             token_serial, holder_id, unit_id, report_level, status, replaces_id, der, created_at)
           VALUES ${valueRows(values)} ON CONFLICT DO NOTHING RETURNING id, issuer, serial`,
        );
        const ids = new Map(rows.map((r) => [`${r.issuer}\u0000${r.serial}`, Number(r.id)]));
        const ev: SqlValue[][] = [];
        for (const it of part) {
          const id = ids.get(`${it.facts.issuer}\u0000${it.facts.serial}`);
          if (id === undefined) {
            // Another importer committed it between our check and our insert.
            rejected.push({ source: it.source, code: "CERT_PRESENT", reason: alreadyPresent(it.facts), params: { serial: it.facts.serial, issuer: it.facts.issuer } });
            continue;
          }
          imported.push({ source: it.source, serial: it.facts.serial, issuer: it.facts.issuer, fingerprint: it.facts.fingerprint });
          ev.push([now, actor, options.replaces ? "renewed" : "issued", id, units.get(it.unit)!.id, JSON.stringify(issueDetails(it, options.replaces?.serial))]);
        }
        if (ev.length > 0) await tx.run(sql`INSERT INTO events (at, actor, kind, certificate_id, unit_id, details) VALUES ${valueRows(ev)}`);
      }
      if (options.replaces && imported.length > 0)
        await this.event(tx, "renewed", actor, { certificateId: options.replaces.id }, { renewedBy: imported[0].serial, issuer: imported[0].issuer });
      if (rejected.length > 0 && !options.skipInvalid) throw rejectedError("certificate", rejected);
      if (imported.length === 0) throw new NothingImported({ imported, rejected });
      return { imported, rejected };
    });
  }

  private async holderIds(
    tx: Db,
    items: readonly CertificateImport[],
    units: Map<string, { id: number }>,
    now: number,
  ): Promise<Map<string, number>> {
    const wanted = new Map<string, { kind: string; unitId: number; it: CertificateImport }>();
    for (const it of items) {
      const unitId = units.get(it.unit)!.id;
      const key = holderKey(it, unitId);
      if (!wanted.has(key)) wanted.set(key, { kind: holderKind(it.type), unitId, it });
    }
    const all = [...wanted.values()];
    for (const part of chunks(all)) {
      const values: SqlValue[][] = [];
      for (const w of part) {
        const h = w.it.holder;
        const identity = h.identityNumber ?? (w.it.type === "personal" ? w.it.facts.subjectUid : undefined) ?? null;
        values.push([w.kind, h.name.trim(), h.title ?? null, identity, h.email ?? null, w.unitId, now]);
      }
      await tx.run(
        sql`INSERT INTO holders (kind, name, title, identity_number, email, unit_id, created_at) VALUES ${valueRows(values)} ON CONFLICT DO NOTHING`,
      );
    }
    const ids = new Map<string, number>();
    const names = [...new Set(all.map((w) => w.it.holder.name.trim()))];
    for (const part of chunks(names)) {
      const rows = await tx.all<{ id: number; kind: string; unit_id: number; name: string }>(
        sql`SELECT id, kind, unit_id, name FROM holders WHERE name IN (${list(part)})`,
      );
      for (const r of rows) ids.set(`${r.kind}\u0000${Number(r.unit_id)}\u0000${r.name}`, Number(r.id));
    }
    return ids;
  }

  /** Tokens named on imported certificates: created as issued to the holder, or issued if in stock. */
  private async issueTokens(
    tx: Db,
    items: readonly CertificateImport[],
    units: Map<string, { id: number }>,
    holderIds: Map<string, number>,
    actor: string,
    now: number,
  ): Promise<void> {
    const tokens = new Map<string, number>();
    for (const it of items) if (it.tokenSerial) tokens.set(it.tokenSerial, holderIds.get(holderKey(it, units.get(it.unit)!.id))!);
    const list = [...tokens.entries()];
    for (const part of chunks(list)) {
      const values = part.map(([serial, holder]): SqlValue[] => [serial, "issued", holder, now]);
      const created = await tx.all<{ id: number; serial: string; holder_id: number }>(
        sql`INSERT INTO tokens (serial, status, holder_id, updated_at) VALUES ${valueRows(values)} ON CONFLICT DO NOTHING RETURNING id, serial, holder_id`,
      );
      const ev = created.map((t): SqlValue[] => [now, actor, "token_issued", Number(t.id), JSON.stringify({ serial: t.serial, holderId: Number(t.holder_id), source: "certificate import" })]);
      if (ev.length > 0) await tx.run(sql`INSERT INTO events (at, actor, kind, token_id, details) VALUES ${valueRows(ev)}`);
      const fresh = new Set(created.map((c) => c.serial));
      for (const [serial, holder] of part) {
        if (fresh.has(serial)) continue;
        const t = await tx.get<{ id: number; status: TokenStatus }>(sql`SELECT id, status FROM tokens WHERE serial = ${serial}`);
        if (t && (t.status === "in_stock" || t.status === "returned")) {
          await tx.run(sql`UPDATE tokens SET status = 'issued', holder_id = ${holder}, updated_at = ${now} WHERE id = ${t.id}`);
          await this.event(tx, "token_issued", actor, { tokenId: Number(t.id) }, { serial, holderId: holder, source: "certificate import" });
        }
      }
    }
  }

  /** Certificates by serial (any issuer) or SHA-256 fingerprint. */
  async findCertificates(serialOrFingerprint: string): Promise<CertificateRecord[]> {
    return (await this.findRows(this.db, serialOrFingerprint)).map((r) => this.toRecord(r));
  }

  private async findRows(db: Db, serialOrFingerprint: string): Promise<CertRow[]> {
    let key: string;
    try {
      key = normalizeSerial(serialOrFingerprint);
    } catch (cause) {
      throw new KysoError("USAGE", `"${serialOrFingerprint}" is neither a hexadecimal serial nor a SHA-256 fingerprint`, { cause });
    }
    const fp = serialOrFingerprint.replace(/[\s:]/g, "").toLowerCase();
    return db.all<CertRow>(sql`${CERT_SELECT} WHERE c.serial = ${key} OR c.fingerprint = ${fp} ORDER BY c.issued_at`);
  }

  /** Exactly one certificate, or a clear error when none or several match. */
  private async findOne(db: Db, serialOrFingerprint: string): Promise<CertRow> {
    const rows = await this.findRows(db, serialOrFingerprint);
    if (rows.length === 0) throw new KysoError("CERT_NOT_FOUND", `No certificate with serial or fingerprint ${serialOrFingerprint} in the registry`, { details: { params: { serial: serialOrFingerprint } } });
    if (rows.length > 1)
      throw new KysoError(
        "CERT_AMBIGUOUS",
        `Serial ${serialOrFingerprint} matches ${rows.length} certificates from different issuers; give the SHA-256 fingerprint instead (${rows.map((r) => r.fingerprint).join(", ")})`,
        { details: { params: { serial: serialOrFingerprint, count: rows.length, fingerprints: rows.map((r) => r.fingerprint).join(", ") } } },
      );
    return rows[0];
  }

  private toRecord(r: CertRow): CertificateRecord {
    return {
      serial: r.serial,
      issuer: r.issuer,
      fingerprint: r.fingerprint,
      subject: r.subject,
      notBefore: iso(r.not_before)!,
      notAfter: iso(r.not_after)!,
      issuedAt: iso(r.issued_at)!,
      keyAlgorithm: r.key_algorithm,
      keySize: Number(r.key_size),
      type: r.type,
      tokenSerial: r.token_serial,
      holder: r.holder,
      unit: r.unit,
      unitName: r.unit_name,
      level: r.report_level,
      status: effectiveStatus(r.status, r.not_after, this.now()),
      revokedAt: iso(r.revoked_at),
      revocationReason: r.revocation_reason,
      replaces: r.replaces ?? null,
    };
  }

  async listCertificates(options: ListOptions = {}): Promise<CertificateRecord[]> {
    const now = this.now();
    const where: RawBuilder<unknown>[] = [];
    let prefix = sql``;
    if (options.unit) {
      await this.requireUnit(options.unit);
      prefix = subtree(options.unit);
      where.push(sql`c.unit_id IN (SELECT id FROM subtree)`);
    }
    if (options.status) {
      if (!CERTIFICATE_STATUSES.includes(options.status))
        throw new KysoError("USAGE", `Unknown status "${options.status}" (${CERTIFICATE_STATUSES.join(", ")})`);
      if (options.status === "active") where.push(sql`c.status = 'active' AND c.not_after > ${now}`);
      else if (options.status === "expired") where.push(sql`c.status = 'active' AND c.not_after <= ${now}`);
      else where.push(sql`c.status = ${options.status}`);
    }
    if (options.expiringWithinDays !== undefined)
      where.push(sql`c.status = 'active' AND c.not_after > ${now} AND c.not_after <= ${now + options.expiringWithinDays * DAY_MS}`);
    const filter = where.length ? sql` WHERE ${sql.join(where, sql` AND `)}` : sql``;
    const limit = options.limit ? sql` LIMIT ${Math.floor(options.limit)}` : sql``;
    return (await this.db.all<CertRow>(sql`${prefix} ${CERT_SELECT}${filter} ORDER BY c.not_after, c.id${limit}`)).map((r) => this.toRecord(r));
  }

  async certificateHistory(serialOrFingerprint: string): Promise<EventRecord[]> {
    const c = await this.findOne(this.db, serialOrFingerprint);
    return c.token_serial
      ? this.events(sql`e.certificate_id = ${c.id} OR t.serial = ${c.token_serial}`)
      : this.events(sql`e.certificate_id = ${c.id}`);
  }

  private async events(where: RawBuilder<unknown>): Promise<EventRecord[]> {
    const rows = await this.db.all<{ at: number; actor: string; kind: EventKind; cert: string | null; token: string | null; unit: string | null; details: string }>(
      sql`SELECT e.at, e.actor, e.kind, c.serial AS cert, t.serial AS token, u.code AS unit, e.details
       FROM events e LEFT JOIN certificates c ON c.id = e.certificate_id LEFT JOIN tokens t ON t.id = e.token_id
       LEFT JOIN units u ON u.id = e.unit_id WHERE ${where} ORDER BY e.id`,
    );
    return rows.map((r) => ({
      at: iso(r.at)!,
      actor: r.actor,
      kind: r.kind,
      certificate: r.cert,
      token: r.token,
      unit: r.unit,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  /** Revokes (or, for certificateHold, suspends) a certificate. */
  async revoke(
    serialOrFingerprint: string,
    reason: RevocationReason,
    options: ChangeOptions & { date?: Date } = {},
  ): Promise<CertificateRecord> {
    return this.db.transaction(async (tx) => {
      const c = await this.findOne(tx, serialOrFingerprint);
      if (c.status === "revoked")
        throw new KysoError("CERT_ALREADY_REVOKED", `Certificate ${c.serial} was already revoked on ${iso(c.revoked_at)} (${c.revocation_reason})`, {
          details: { params: { serial: c.serial, date: iso(c.revoked_at) ?? "", reason: c.revocation_reason ?? "" } },
        });
      const at = (options.date ?? this.clock.now()).getTime();
      const status = reason === "certificateHold" ? "suspended" : "revoked";
      await tx.run(sql`UPDATE certificates SET status = ${status}, revoked_at = ${at}, revocation_reason = ${reason} WHERE id = ${c.id}`);
      await this.event(tx, status === "revoked" ? "revoked" : "suspended", options.actor, { certificateId: c.id, unitId: c.unit_id }, {
        reason,
        date: iso(at),
      });
      return this.toRecord((await this.findRows(tx, c.fingerprint))[0]);
    });
  }

  /**
   * Records `renewal` as the successor of the certificate `oldSerial`: same holder, unit, type and
   * token unless given. The old certificate keeps its status until it expires or is revoked.
   */
  async renew(
    oldSerialOrFingerprint: string,
    renewal: CertificateFacts,
    options: ChangeOptions & { source?: string; issuedAt?: Date; tokenSerial?: string | null } = {},
  ): Promise<ImportResult> {
    const old = await this.findOne(this.db, oldSerialOrFingerprint);
    if (renewal.serial === old.serial && renewal.issuer === old.issuer)
      throw new KysoError("CERT_PRESENT", `The new certificate is certificate ${old.serial} itself`);
    const holder = await this.db.get<{ name: string; title: string | null; identity_number: string | null; email: string | null }>(
      sql`SELECT name, title, identity_number, email FROM holders WHERE id = ${old.holder_id}`,
    );
    return this.importCertificates(
      [
        {
          facts: renewal,
          holder: { name: holder!.name, title: holder!.title, identityNumber: holder!.identity_number, email: holder!.email },
          unit: old.unit,
          type: old.type,
          tokenSerial: options.tokenSerial === undefined ? old.token_serial : options.tokenSerial,
          issuedAt: options.issuedAt ?? null,
          source: options.source ?? "renewal",
        },
      ],
      { actor: options.actor, replaces: { id: old.id, serial: old.serial } },
    );
  }

  /** Corrects the holder, unit, type or token recorded for a certificate; the history keeps both. */
  async correct(
    serialOrFingerprint: string,
    change: { holder?: HolderInput; unit?: string; type?: CertificateType; tokenSerial?: string | null },
    options: ChangeOptions = {},
  ): Promise<CertificateRecord> {
    return this.db.transaction(async (tx) => {
      const c = await this.findOne(tx, serialOrFingerprint);
      const before = { holder: c.holder, unit: c.unit, type: c.type, tokenSerial: c.token_serial };
      let unitId = c.unit_id;
      let level = c.report_level;
      if (change.unit !== undefined) {
        const u = await tx.get<{ id: number; report_level: ReportLevel }>(sql`SELECT id, report_level FROM units WHERE code = ${change.unit}`);
        if (!u) throw new KysoError("UNKNOWN_UNIT", `Unknown unit ${change.unit}`, { details: { params: { unit: change.unit } } });
        unitId = Number(u.id);
        level = u.report_level;
      }
      const type = change.type ?? c.type;
      if (!CERTIFICATE_TYPES.includes(type)) throw new KysoError("USAGE", `unknown certificate type "${type}"`);
      let holderId = c.holder_id;
      if (change.holder || change.unit !== undefined || change.type !== undefined) {
        const name = change.holder?.name ?? c.holder;
        await tx.run(
          sql`INSERT INTO holders (kind, name, title, identity_number, email, unit_id, created_at) VALUES (${holderKind(type)}, ${name}, ${change.holder?.title ?? null}, ${change.holder?.identityNumber ?? null}, ${change.holder?.email ?? null}, ${unitId}, ${this.now()}) ON CONFLICT DO NOTHING`,
        );
        const h = await tx.get<{ id: number }>(sql`SELECT id FROM holders WHERE kind = ${holderKind(type)} AND unit_id = ${unitId} AND name = ${name}`);
        holderId = Number(h!.id);
      }
      const tokenSerial = change.tokenSerial === undefined ? c.token_serial : change.tokenSerial;
      await tx.run(sql`UPDATE certificates SET holder_id = ${holderId}, unit_id = ${unitId}, report_level = ${level}, type = ${type}, token_serial = ${tokenSerial} WHERE id = ${c.id}`);
      const after = { holder: change.holder?.name ?? c.holder, unit: change.unit ?? c.unit, type, tokenSerial };
      await this.event(tx, "corrected", options.actor, { certificateId: c.id, unitId }, { before, after });
      return this.toRecord((await this.findRows(tx, c.fingerprint))[0]);
    });
  }

  /**
   * Marks the certificates a CRL lists as revoked (suspended for certificateHold), with the CRL's
   * revocation date and reason. Certificates are matched by the CRL issuer's name and the serial
   * (RFC 5280 §5: a serial is unique per issuer). The caller checks the CRL's signature.
   */
  async syncCrl(crl: CrlFacts, options: ChangeOptions = {}): Promise<CrlSyncResult> {
    return this.db.transaction(async (tx) => {
      const result: CrlSyncResult = { issuer: crl.issuer, entries: crl.entries.length, revoked: [], alreadyRevoked: 0, unknown: 0 };
      const bySerial = new Map(crl.entries.map((e) => [e.serial, e]));
      const found = new Map<string, { id: number; unit_id: number; status: string }>();
      for (const part of chunks([...bySerial.keys()])) {
        const rows = await tx.all<{ id: number; serial: string; unit_id: number; status: string }>(
          sql`SELECT id, serial, unit_id, status FROM certificates WHERE issuer = ${crl.issuer} AND serial IN (${list(part)})`,
        );
        for (const r of rows) found.set(r.serial, r);
      }
      for (const e of crl.entries) {
        const c = found.get(e.serial);
        if (!c) {
          result.unknown++;
          continue;
        }
        if (c.status === "revoked" || (c.status === "suspended" && e.reason === "certificateHold")) {
          result.alreadyRevoked++;
          continue;
        }
        const status = e.reason === "certificateHold" ? "suspended" : "revoked";
        await tx.run(sql`UPDATE certificates SET status = ${status}, revoked_at = ${e.revocationDate.getTime()}, revocation_reason = ${e.reason} WHERE id = ${c.id}`);
        await this.event(tx, status, options.actor, { certificateId: Number(c.id), unitId: Number(c.unit_id) }, {
          reason: e.reason,
          date: e.revocationDate.toISOString(),
          source: "crl",
          crlThisUpdate: crl.thisUpdate.toISOString(),
        });
        result.revoked.push({ serial: e.serial, reason: e.reason, revokedAt: e.revocationDate.toISOString() });
      }
      return result;
    });
  }

  // --------------------------------------------------------------- tokens

  async addToken(token: { serial: string; manufacturer?: string | null; model?: string | null }, options: ChangeOptions = {}): Promise<TokenRecord> {
    return this.db.transaction(async (tx) => {
      const ids = await tx.all<{ id: number }>(
        sql`INSERT INTO tokens (serial, manufacturer, model, status, updated_at) VALUES (${token.serial}, ${token.manufacturer ?? null}, ${token.model ?? null}, 'in_stock', ${this.now()}) ON CONFLICT DO NOTHING RETURNING id`,
      );
      if (ids.length === 0) throw new KysoError("TOKEN_PRESENT", `Token ${token.serial} is already in the registry`, { details: { params: { serial: token.serial } } });
      await this.event(tx, "token_added", options.actor, { tokenId: Number(ids[0].id) }, { serial: token.serial, manufacturer: token.manufacturer, model: token.model });
      return (await this.tokenRows(tx, sql`t.id = ${Number(ids[0].id)}`))[0];
    });
  }

  /** Records a token's manufacturer and model if unknown (after reading it), creating it in stock if absent. */
  async describeToken(token: TokenDescription, options: ChangeOptions = {}): Promise<void> {
    await this.db.transaction((tx) => this.describeTokenIn(tx, token, options.actor));
  }

  private async describeTokenIn(tx: Db, token: TokenDescription, actor: string | undefined): Promise<void> {
    const created = await tx.all<{ id: number }>(
      sql`INSERT INTO tokens (serial, manufacturer, model, status, updated_at) VALUES (${token.serial}, ${token.manufacturer ?? null}, ${token.model ?? null}, 'in_stock', ${this.now()}) ON CONFLICT DO NOTHING RETURNING id`,
    );
    if (created.length > 0)
      await this.event(tx, "token_added", actor, { tokenId: Number(created[0].id) }, { serial: token.serial, manufacturer: token.manufacturer, model: token.model });
    else
      await tx.run(sql`UPDATE tokens SET manufacturer = COALESCE(manufacturer, ${token.manufacturer ?? null}), model = COALESCE(model, ${token.model ?? null}) WHERE serial = ${token.serial}`);
  }

  /**
   * Moves a token through its life: issue (to a holder), return, lost, lock, unlock, destroy, and
   * PIN reset (recorded, status unchanged). Refuses moves that make no sense (a destroyed token
   * is never issued again).
   */
  async changeToken(
    serial: string,
    action: "issue" | "return" | "lost" | "lock" | "unlock" | "destroy" | "pin-reset",
    options: ChangeOptions & { holder?: HolderInput; unit?: string; note?: string } = {},
  ): Promise<TokenRecord> {
    return this.db.transaction((tx) => this.changeTokenIn(tx, serial, action, options, {}));
  }

  /**
   * The certificates recorded on a token that a relying party may still accept: active and not
   * expired, or suspended (certificateHold). These are what a lost or destroyed token puts at risk.
   */
  async certificatesOnToken(serial: string): Promise<CertificateRecord[]> {
    return (await this.liveOnToken(this.db, serial)).map((r) => this.toRecord(r));
  }

  private liveOnToken(db: Db, serial: string): Promise<CertRow[]> {
    return db.all<CertRow>(
      sql`${CERT_SELECT} WHERE c.token_serial = ${serial} AND ((c.status = 'active' AND c.not_after > ${this.now()}) OR c.status = 'suspended') ORDER BY c.not_after, c.id`,
    );
  }

  /**
   * Records a token as lost or destroyed and, in the same transaction, either revokes the
   * certificates still live on it (`certificates: "revoke"`: keyCompromise for a lost token, whose
   * key may be in other hands; cessationOfOperation for a destroyed one; RFC 5280 §5.3.1) or keeps
   * them, the decision and the serials written into the token's event either way.
   */
  async retireToken(
    serial: string,
    action: "lost" | "destroy",
    options: ChangeOptions & { note?: string; certificates: "revoke" | "keep" },
  ): Promise<{ token: TokenRecord; revoked: CertificateRecord[]; kept: CertificateRecord[] }> {
    return this.db.transaction(async (tx) => {
      const live = await this.liveOnToken(tx, serial);
      const serials = live.map((c) => c.serial);
      const decision = live.length === 0 ? {} : { certificates: options.certificates === "revoke" ? "revoked" : "kept", certificateSerials: serials };
      const token = await this.changeTokenIn(tx, serial, action, options, decision);
      if (options.certificates === "keep" || live.length === 0) return { token, revoked: [], kept: live.map((c) => this.toRecord(c)) };
      const reason: RevocationReason = action === "lost" ? "keyCompromise" : "cessationOfOperation";
      const at = this.now();
      const revoked: CertificateRecord[] = [];
      for (const c of live) {
        await tx.run(sql`UPDATE certificates SET status = 'revoked', revoked_at = ${at}, revocation_reason = ${reason} WHERE id = ${c.id}`);
        await this.event(tx, "revoked", options.actor, { certificateId: Number(c.id), unitId: Number(c.unit_id) }, {
          reason,
          date: iso(at),
          source: action === "lost" ? "token lost" : "token destroyed",
          token: serial,
        });
        revoked.push(this.toRecord((await this.findRows(tx, c.fingerprint))[0]));
      }
      return { token, revoked, kept: [] };
    });
  }

  private async changeTokenIn(
    tx: Db,
    serial: string,
    action: "issue" | "return" | "lost" | "lock" | "unlock" | "destroy" | "pin-reset",
    options: ChangeOptions & { holder?: HolderInput; unit?: string; note?: string },
    extra: Record<string, unknown>,
  ): Promise<TokenRecord> {
    const t = await tx.get<{ id: number; status: TokenStatus; holder_id: number | null }>(sql`SELECT id, status, holder_id FROM tokens WHERE serial = ${serial}`);
    if (!t) throw new KysoError("TOKEN_NOT_FOUND", `No token ${serial} in the registry (add it with "kyso tokens add")`, { details: { params: { serial } } });
    const allowed: Record<typeof action, TokenStatus[]> = {
      issue: ["in_stock", "returned"],
      return: ["issued", "locked"],
      lost: ["issued", "locked", "in_stock", "returned"],
      lock: ["issued"],
      unlock: ["locked"],
      destroy: ["in_stock", "returned", "locked", "lost", "issued"],
      "pin-reset": ["issued", "locked"],
    };
    if (!allowed[action].includes(t.status))
      throw new KysoError("TOKEN_STATE", `Token ${serial} is ${t.status}; cannot ${action} it (possible from: ${allowed[action].join(", ")})`, {
        details: { params: { serial, status: t.status, action, allowed: allowed[action].join(", ") } },
      });
    let holderId = t.holder_id === null ? null : Number(t.holder_id);
    const next: Record<typeof action, TokenStatus> = {
      issue: "issued",
      return: "returned",
      lost: "lost",
      lock: "locked",
      unlock: "issued",
      destroy: "destroyed",
      "pin-reset": t.status === "locked" ? "issued" : t.status,
    };
    if (action === "issue") {
      if (!options.holder || !options.unit) throw new KysoError("USAGE", "Issuing a token needs --holder and --unit");
      const u = await tx.get<{ id: number }>(sql`SELECT id FROM units WHERE code = ${options.unit}`);
      if (!u) throw new KysoError("UNKNOWN_UNIT", `Unknown unit ${options.unit}`, { details: { params: { unit: options.unit } } });
      await tx.run(
        sql`INSERT INTO holders (kind, name, title, identity_number, email, unit_id, created_at) VALUES ('officer', ${options.holder.name}, ${options.holder.title ?? null}, ${options.holder.identityNumber ?? null}, ${options.holder.email ?? null}, ${Number(u.id)}, ${this.now()}) ON CONFLICT DO NOTHING`,
      );
      const h = await tx.get<{ id: number }>(sql`SELECT id FROM holders WHERE kind = 'officer' AND unit_id = ${Number(u.id)} AND name = ${options.holder.name}`);
      holderId = Number(h!.id);
    }
    if (action === "return") holderId = null;
    await tx.run(sql`UPDATE tokens SET status = ${next[action]}, holder_id = ${holderId}, updated_at = ${this.now()} WHERE id = ${t.id}`);
    const kind: Record<typeof action, EventKind> = {
      issue: "token_issued",
      return: "token_returned",
      lost: "token_lost",
      lock: "token_locked",
      unlock: "token_unlocked",
      destroy: "token_destroyed",
      "pin-reset": "pin_reset",
    };
    await this.event(tx, kind[action], options.actor, { tokenId: Number(t.id) }, {
      serial,
      from: t.status,
      to: next[action],
      ...(options.holder ? { holder: options.holder.name, unit: options.unit } : {}),
      ...(options.note ? { note: options.note } : {}),
      ...extra,
    });
    return (await this.tokenRows(tx, sql`t.id = ${Number(t.id)}`))[0];
  }

  async listTokens(options: { status?: TokenStatus } = {}): Promise<TokenRecord[]> {
    if (options.status && !TOKEN_STATUSES.includes(options.status))
      throw new KysoError("USAGE", `Unknown token status "${options.status}" (${TOKEN_STATUSES.join(", ")})`);
    return this.tokenRows(this.db, options.status ? sql`t.status = ${options.status}` : sql`1 = 1`);
  }

  async getToken(serial: string): Promise<{ token: TokenRecord; history: EventRecord[] } | undefined> {
    const [token] = await this.tokenRows(this.db, sql`t.serial = ${serial}`);
    if (!token) return undefined;
    return { token, history: await this.events(sql`t.serial = ${serial}`) };
  }

  private async tokenRows(db: Db, where: RawBuilder<unknown>): Promise<TokenRecord[]> {
    const rows = await db.all<{ serial: string; manufacturer: string | null; model: string | null; status: TokenStatus; holder: string | null; unit: string | null; updated_at: number }>(
      sql`SELECT t.serial, t.manufacturer, t.model, t.status, h.name AS holder, u.code AS unit, t.updated_at
       FROM tokens t LEFT JOIN holders h ON h.id = t.holder_id LEFT JOIN units u ON u.id = h.unit_id WHERE ${where} ORDER BY t.serial`,
    );
    return rows.map((r) => ({ serial: r.serial, manufacturer: r.manufacturer, model: r.model, status: r.status, holder: r.holder, unit: r.unit, updatedAt: iso(r.updated_at)! }));
  }

  // --------------------------------------------------------------- report

  async report(options: ReportOptions = {}): Promise<RegistryReport> {
    if (options.unit) await this.requireUnit(options.unit);
    return buildReport(this.db, this.clock, options);
  }
}

function holderKind(type: CertificateType): "officer" | "organization" {
  return type === "organization" ? "organization" : "officer";
}

function holderKey(it: CertificateImport, unitId: number): string {
  return `${holderKind(it.type)}\u0000${unitId}\u0000${it.holder.name.trim()}`;
}

function alreadyPresent(f: CertificateFacts): string {
  return `certificate ${f.serial} from ${f.issuer} is already present in the registry`;
}

function issueDetails(it: CertificateImport, replaces?: string): Record<string, unknown> {
  return {
    serial: it.facts.serial,
    holder: it.holder.name,
    unit: it.unit,
    type: it.type,
    tokenSerial: it.tokenSerial ?? null,
    source: it.source,
    ...(replaces ? { replaces } : {}),
  };
}

function rejectedError(what: string, rejected: Rejection[]): KysoError {
  const first = rejected.slice(0, 20).map((r) => `  ${r.source}: ${r.reason}`);
  const more = rejected.length > 20 ? [`  ... and ${rejected.length - 20} more`] : [];
  return new KysoError(
    "IMPORT_REJECTED",
    `Nothing imported: ${rejected.length} ${what}${rejected.length === 1 ? "" : "s"} rejected\n${[...first, ...more].join("\n")}`,
    { details: { rejected, exitCode: 1 } },
  );
}
