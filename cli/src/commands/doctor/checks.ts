import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { describeError } from "@kyso/core";
import type { Translate } from "../../messages/index.js";
import { shownDay } from "../../time.js";

/**
 * What `kyso doctor` checks, one function per concern. Each returns a line that is OK or says
 * what is wrong and how to fix it. Nothing here logs in to a token, writes to the database or
 * sends more than one request to a revocation server. Heavy modules (graphene, the database
 * drivers, fontkit) are loaded only inside the check that needs them.
 */
export interface DoctorCheck {
  /** Stable identifier: pkcs11, tokens, trust, revocation, database, fonts. */
  id: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do when not OK. */
  fix?: string;
}

export interface DoctorContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The database to look at (--db, KYSO_DB, else the default location). */
  db?: string;
  /** A URL to probe instead of the bundled CAs' OCSP/CRL addresses (--check-url). */
  checkUrl?: string;
  /** Timeout of the revocation probe, ms. */
  timeoutMs: number;
  /** The catalogue in the run's language (doctor.*). */
  tr: Translate;
}

/** The PKCS#11 libraries to look at: KYSO_PKCS11_LIB first, then the known middleware installed. */
export async function pkcs11Libraries(env: NodeJS.ProcessEnv): Promise<{ configured?: string; found: { name: string; path: string }[] }> {
  const { findMiddleware } = await import("@kyso/signers");
  return { configured: env.KYSO_PKCS11_LIB || undefined, found: findMiddleware() };
}

export async function checkPkcs11(ctx: DoctorContext): Promise<DoctorCheck> {
  const { configured, found } = await pkcs11Libraries(ctx.env);
  const { tr } = ctx;
  const list = found.map((m) => `${m.name} (${m.path})`).join(", ");
  if (configured && !existsSync(configured))
    return { id: "pkcs11", ok: false, detail: tr("doctor.pkcs11.missing", { lib: configured }), fix: tr("doctor.pkcs11.missing.fix", { found: found.length ? tr("doctor.pkcs11.foundHere", { list }) : "" }) };
  if (!configured && found.length === 0) return { id: "pkcs11", ok: false, detail: tr("doctor.pkcs11.none"), fix: tr("doctor.pkcs11.none.fix") };
  return { id: "pkcs11", ok: true, detail: tr("doctor.pkcs11.ok", { configured: configured ? `KYSO_PKCS11_LIB=${configured}` : tr("doctor.pkcs11.notSet"), list: list || tr("doctor.pkcs11.noneKnown") }) };
}

/** Tokens present in every library found. Reads the token information only: no session, no login. */
export async function checkTokens(ctx: DoctorContext): Promise<DoctorCheck> {
  const { configured, found } = await pkcs11Libraries(ctx.env);
  const libs = [...new Set([...(configured && existsSync(configured) ? [configured] : []), ...found.map((m) => m.path)])];
  const { tr } = ctx;
  if (libs.length === 0) return { id: "tokens", ok: false, detail: tr("doctor.tokens.noLibrary"), fix: tr("doctor.tokens.noLibrary.fix") };
  const { listSlots } = await import("@kyso/signers");
  const tokens: string[] = [];
  const errors: string[] = [];
  for (const lib of libs) {
    try {
      // A slot whose token is not initialized (SoftHSM's free slot, a blank card) cannot sign.
      for (const s of listSlots(lib)) if (s.token?.initialized) tokens.push(tr("doctor.tokens.token", { label: s.token.label, serial: s.token.serial, manufacturer: s.token.manufacturer.trim() || "?", lib }));
    } catch (e) {
      errors.push(`${lib}: ${describeError(e)}`);
    }
  }
  if (tokens.length === 0)
    return {
      id: "tokens",
      ok: false,
      detail: tr("doctor.tokens.none", { errors: errors.length ? ` (${errors.join("; ")})` : "" }),
      fix: tr("doctor.tokens.none.fix"),
    };
  return { id: "tokens", ok: true, detail: tr("doctor.tokens.ok", { count: tokens.length, tokens: tokens.join("; "), errors: errors.length ? tr("doctor.tokens.notAnswering", { errors: errors.join("; ") }) : "" }) };
}

/** The trust store in force: bundled (pinned) and local certificates; any expired one is named. */
export async function checkTrust(ctx: DoctorContext): Promise<DoctorCheck> {
  const { tr } = ctx;
  const { loadTrustStore, localStoreDir } = await import("@kyso/trust");
  let entries;
  try {
    entries = loadTrustStore({ env: ctx.env });
  } catch (e) {
    return { id: "trust", ok: false, detail: describeError(e), fix: tr("doctor.trust.unreadable.fix") };
  }
  const now = Date.now();
  const anchors = entries.filter((e) => e.role === "anchor").length;
  const intermediates = entries.length - anchors;
  const local = entries.filter((e) => e.source === "local").length;
  const expired = entries.filter((e) => e.notAfter.getTime() < now);
  const counts = tr("doctor.trust.counts", { anchors, intermediates, local, dir: localStoreDir({ env: ctx.env }) });
  if (anchors === 0) return { id: "trust", ok: false, detail: tr("doctor.trust.noAnchor", { counts }), fix: tr("doctor.trust.noAnchor.fix") };
  if (expired.length > 0)
    return {
      id: "trust",
      ok: false,
      detail: tr("doctor.trust.expired", {
        counts,
        list: expired.map((e) => tr("doctor.trust.expiredOne", { subject: e.subject, source: e.source, date: shownDay(e.notAfter), sha: e.sha256.slice(0, 16) })).join("; "),
      }),
      fix: expired.some((e) => e.source === "local")
        ? tr("doctor.trust.expiredLocal.fix", { commands: expired.filter((e) => e.source === "local").map((e) => `kyso trust remove ${e.sha256.slice(0, 16)}`).join("; ") })
        : tr("doctor.trust.expiredBundled.fix"),
    };
  return { id: "trust", ok: true, detail: tr("doctor.trust.ok", { counts }) };
}

/** The bundled CAs' OCSP and CRL addresses, OCSP first. */
export async function bundledRevocationUrls(): Promise<string[]> {
  const [{ bundledTrust }, { parseCertificateDer }] = await Promise.all([import("@kyso/trust"), import("@kyso/cms")]);
  const certs = bundledTrust().map((e) => parseCertificateDer(e.der));
  const urls = [...certs.flatMap((c) => c.ocspUrls), ...certs.flatMap((c) => c.crlUrls)];
  return [...new Set(urls.filter((u) => /^https?:\/\//i.test(u)))];
}

/**
 * One GET to one revocation address with a short timeout. Any HTTP answer below 500 shows the
 * server is reachable (an OCSP responder answers a bare GET with 4xx or 405; RFC 6960 §A.1).
 */
export async function checkRevocation(ctx: DoctorContext): Promise<DoctorCheck> {
  const { tr } = ctx;
  const url = ctx.checkUrl ?? (await bundledRevocationUrls())[0];
  if (!url) return { id: "revocation", ok: false, detail: tr("doctor.revocation.noUrl"), fix: tr("doctor.revocation.noUrl.fix") };
  try {
    const res = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(ctx.timeoutMs) });
    await res.body?.cancel();
    if (res.status >= 500) return { id: "revocation", ok: false, detail: tr("doctor.revocation.serverError", { url, status: res.status }), fix: tr("doctor.revocation.serverError.fix") };
    return { id: "revocation", ok: true, detail: tr("doctor.revocation.ok", { url, status: res.status }) };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === "TimeoutError" ? tr("doctor.revocation.timeout", { ms: ctx.timeoutMs }) : (err.cause?.code ?? err.message);
    const host = (() => {
      try {
        const u = new URL(url);
        return `${u.hostname}:${u.port || (u.protocol === "https:" ? 443 : 80)}`;
      } catch {
        return url;
      }
    })();
    return {
      id: "revocation",
      ok: false,
      detail: tr("doctor.revocation.unreachable", { url, why }),
      fix: tr("doctor.revocation.unreachable.fix", { host }),
    };
  }
}

/**
 * The database: opened read-only (SQLite) or without migrating (PostgreSQL), and its applied
 * migrations compared with those this kyso knows. A database not created yet is fine.
 */
export async function checkDatabase(ctx: DoctorContext): Promise<DoctorCheck> {
  const { tr } = ctx;
  const { defaultDbSpec, parseDbLocation, redactUrl } = await import("@kyso/db");
  const spec = ctx.db ?? ctx.env.KYSO_DB ?? defaultDbSpec(ctx.env);
  const loc = parseDbLocation(spec);
  const shown = loc.kind === "postgres" ? redactUrl(loc.url) : loc.path;
  let applied: { namespace: string; version: number }[];
  try {
    if (loc.kind === "sqlite") {
      const path = loc.path === ":memory:" || isAbsolute(loc.path) ? loc.path : join(ctx.cwd, loc.path);
      if (path !== ":memory:" && !existsSync(path)) return { id: "database", ok: true, detail: tr("doctor.database.notCreated", { path }) };
      applied = await sqliteMigrations(path);
    } else {
      applied = await postgresMigrations(spec);
    }
  } catch (e) {
    return { id: "database", ok: false, detail: `${shown}: ${describeError(e)}`, fix: tr("doctor.database.error.fix") };
  }
  const known = await knownMigrations();
  const behind: string[] = [];
  const ahead: string[] = [];
  const parts: string[] = [];
  for (const [ns, versions] of known) {
    const have = new Set(applied.filter((a) => a.namespace === ns).map((a) => a.version));
    if (have.size === 0) continue; // this part is not used in this database (yet)
    const missing = versions.filter((v) => !have.has(v));
    const newest = Math.max(...have);
    if (newest > Math.max(...versions)) ahead.push(`${ns} ${newest} > ${Math.max(...versions)}`);
    else if (missing.length) behind.push(tr("doctor.database.missing", { ns, versions: missing.join(", ") }));
    parts.push(`${ns} v${newest}`);
  }
  if (ahead.length) return { id: "database", ok: false, detail: tr("doctor.database.newer", { db: shown, list: ahead.join(", ") }), fix: tr("doctor.database.newer.fix") };
  if (behind.length) return { id: "database", ok: false, detail: tr("doctor.database.behind", { db: shown, list: behind.join(", ") }), fix: tr("doctor.database.behind.fix") };
  return { id: "database", ok: true, detail: parts.length ? tr("doctor.database.upToDate", { db: shown, list: parts.join(", ") }) : tr("doctor.database.empty", { db: shown }) };
}

async function knownMigrations(): Promise<Map<string, number[]>> {
  const [registry, inbox, accounts, audit] = await Promise.all([import("@kyso/registry"), import("@kyso/inbox"), import("@kyso/accounts"), import("@kyso/audit")]);
  const sets = [registry.REGISTRY_MIGRATIONS, inbox.INBOX_MIGRATIONS, accounts.ACCOUNTS_MIGRATIONS, audit.AUDIT_MIGRATIONS];
  return new Map(sets.map((s) => [s.namespace, s.migrations.map((m) => m.version)]));
}

async function sqliteMigrations(path: string): Promise<{ namespace: string; version: number }[]> {
  const { default: Driver } = await import("better-sqlite3");
  // Read-only (better-sqlite3 SQLITE_OPEN_READONLY): the doctor never creates or changes a file.
  const db = new Driver(path, { readonly: true, fileMustExist: true });
  try {
    const has = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kyso_migrations'").get();
    if (!has) return [];
    return (db.prepare("SELECT namespace, version FROM kyso_migrations").all() as { namespace: string; version: number }[]).map((r) => ({ namespace: r.namespace, version: Number(r.version) }));
  } finally {
    db.close();
  }
}

async function postgresMigrations(spec: string): Promise<{ namespace: string; version: number }[]> {
  const { openDatabase, sql } = await import("@kyso/db");
  const db = await openDatabase(spec, { maxConnections: 1 });
  try {
    const t = await db.all<{ t: string | null }>(sql`SELECT to_regclass('kyso_migrations')::text AS t`);
    if (!t[0]?.t) return [];
    const rows = await db.all<{ namespace: string; version: number | string }>(sql`SELECT namespace, version FROM kyso_migrations`);
    return rows.map((r) => ({ namespace: r.namespace, version: Number(r.version) }));
  } finally {
    await db.close();
  }
}

/** Liberation Serif (visible signatures) and Liberation Sans (printable reports), with Vietnamese letters. */
export async function checkFonts(ctx: DoctorContext): Promise<DoctorCheck> {
  const { tr } = ctx;
  const found: string[] = [];
  const problems: string[] = [];
  try {
    const { loadSerifFont } = await import("@kyso/appearance");
    const font = loadSerifFont(undefined, ctx.env);
    // U+1EA1 (ạ) and U+1EF9 (ỹ): the precomposed Vietnamese letters the appearance writes (NFC).
    const missing = [0x1ea1, 0x1ef9].filter((cp) => font.glyphForCodePoint(cp).id === 0);
    if (missing.length) problems.push(tr("doctor.fonts.noVietnamese", { font: font.fullName }));
    else found.push(tr("doctor.fonts.appearances", { font: font.fullName }));
  } catch (e) {
    problems.push(describeError(e));
  }
  try {
    const { findReportFonts } = await import("@kyso/verify/reports");
    const f = findReportFonts(undefined, ctx.env);
    found.push(tr("doctor.fonts.reports", { font: f.regular }));
  } catch (e) {
    problems.push(describeError(e));
  }
  if (problems.length)
    return { id: "fonts", ok: false, detail: problems.join("; "), fix: tr("doctor.fonts.fix") };
  return { id: "fonts", ok: true, detail: found.join("; ") };
}

/** The checks in order; each one's title is the catalogue's doctor.title.<id>. */
export const CHECKS: { id: "pkcs11" | "tokens" | "trust" | "revocation" | "database" | "fonts"; run: (ctx: DoctorContext) => Promise<DoctorCheck> }[] = [
  { id: "pkcs11", run: checkPkcs11 },
  { id: "tokens", run: checkTokens },
  { id: "trust", run: checkTrust },
  { id: "revocation", run: checkRevocation },
  { id: "database", run: checkDatabase },
  { id: "fonts", run: checkFonts },
];
