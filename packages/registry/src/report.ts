import type { Clock } from "@kyso/core";
import { sql, type Db } from "@kyso/db";
import { subtree } from "./subtree.js";
import { DAY_MS, formatDay, formatMonth, parseDateArgument, startOfYear } from "./time.js";
import { REPORT_LEVELS, TOKEN_STATUSES, type RegistryReport, type ReportLevel, type TokenStatus } from "./types.js";

export interface ReportOptions {
  /** First day of the period (a Vietnamese calendar day); default 1 January of the current year. */
  from?: Date;
  /** Last day of the period, inclusive; default today. */
  to?: Date;
  /** Only this unit and the units below it. */
  unit?: string;
}

function zeroLevels(): Record<ReportLevel, number> {
  return { province: 0, district: 0, commune: 0 };
}

/** The period a report covers, as [start, end) in epoch milliseconds. */
export function reportPeriod(clock: Clock, options: ReportOptions): { start: number; end: number; from: string; to: string } {
  const now = clock.now();
  const from = formatDay(options.from ?? startOfYear(now));
  const to = formatDay(options.to ?? now);
  return { start: parseDateArgument(from).getTime(), end: parseDateArgument(to).getTime() + DAY_MS, from, to };
}

/**
 * The figures administrators report: certificates issued in the period (issue date from the
 * import's --issued-at, else notBefore) by level and unit, cumulative totals up to the period's
 * end, active certificates expiring in the next 30/60/90 days (from now), revocations in the
 * period by reason, and tokens by status now.
 */
export async function buildReport(db: Db, clock: Clock, options: ReportOptions): Promise<RegistryReport> {
  const { start, end, from, to } = reportPeriod(clock, options);
  const now = clock.now().getTime();
  const prefix = options.unit ? subtree(options.unit) : sql``;
  const scope = options.unit ? sql`AND c.unit_id IN (SELECT id FROM subtree)` : sql``;

  // Aggregate on the index first, name the units after: joining before grouping costs a lookup per row.
  const issuedByUnit = await db.all<{ level: ReportLevel; code: string; n: number }>(
    sql`${prefix} SELECT g.level, u.code, g.n FROM (SELECT c.report_level AS level, c.unit_id, COUNT(*) AS n FROM certificates c
       WHERE c.issued_at >= ${start} AND c.issued_at < ${end} ${scope} GROUP BY c.report_level, c.unit_id) g
     JOIN units u ON u.id = g.unit_id ORDER BY u.code`,
  );
  const issued = { total: 0, byLevel: zeroLevels(), byUnit: {} as Record<string, number> };
  for (const r of issuedByUnit) {
    const n = Number(r.n);
    issued.total += n;
    issued.byLevel[r.level] += n;
    issued.byUnit[r.code] = (issued.byUnit[r.code] ?? 0) + n;
  }

  const cumulativeRows = await db.all<{ level: ReportLevel; n: number }>(
    sql`${prefix} SELECT c.report_level AS level, COUNT(*) AS n FROM certificates c WHERE c.issued_at < ${end} ${scope} GROUP BY c.report_level`,
  );
  const cumulative = { total: 0, byLevel: zeroLevels() };
  for (const r of cumulativeRows) {
    cumulative.total += Number(r.n);
    cumulative.byLevel[r.level] += Number(r.n);
  }

  const exp = await db.get<{ d30: number | null; d60: number | null; d90: number | null }>(
    sql`${prefix} SELECT SUM(CASE WHEN c.not_after <= ${now + 30 * DAY_MS} THEN 1 ELSE 0 END) AS d30, SUM(CASE WHEN c.not_after <= ${now + 60 * DAY_MS} THEN 1 ELSE 0 END) AS d60,
       COUNT(*) AS d90 FROM certificates c WHERE c.status = 'active' AND c.not_after > ${now} AND c.not_after <= ${now + 90 * DAY_MS} ${scope}`,
  );

  const revokedRows = await db.all<{ reason: string | null; n: number }>(
    sql`${prefix} SELECT c.revocation_reason AS reason, COUNT(*) AS n FROM certificates c
     WHERE c.revoked_at >= ${start} AND c.revoked_at < ${end} ${scope} GROUP BY c.revocation_reason ORDER BY c.revocation_reason`,
  );
  const revoked = { total: 0, byReason: {} as Record<string, number> };
  for (const r of revokedRows) {
    revoked.total += Number(r.n);
    revoked.byReason[r.reason ?? "unspecified"] = (revoked.byReason[r.reason ?? "unspecified"] ?? 0) + Number(r.n);
  }

  const tokenRows = await db.all<{ status: TokenStatus; n: number }>(
    options.unit
      ? sql`${subtree(options.unit)} SELECT t.status, COUNT(*) AS n FROM tokens t JOIN holders h ON h.id = t.holder_id WHERE h.unit_id IN (SELECT id FROM subtree) GROUP BY t.status`
      : sql`SELECT t.status, COUNT(*) AS n FROM tokens t GROUP BY t.status`,
  );
  const tokens = Object.fromEntries(TOKEN_STATUSES.map((s) => [s, 0])) as Record<TokenStatus, number>;
  for (const r of tokenRows) tokens[r.status] = Number(r.n);

  return {
    from,
    to,
    unit: options.unit ?? null,
    generatedAt: new Date(now).toISOString(),
    issued,
    cumulative,
    expiring: { "30": Number(exp?.d30 ?? 0), "60": Number(exp?.d60 ?? 0), "90": Number(exp?.d90 ?? 0) },
    revoked,
    tokens,
  };
}

/** Certificates issued per Vietnamese calendar month and level in the report's period (for charts). */
export async function issuedByMonth(db: Db, clock: Clock, options: ReportOptions): Promise<{ month: string; byLevel: Record<ReportLevel, number> }[]> {
  const { start, end } = reportPeriod(clock, options);
  const prefix = options.unit ? subtree(options.unit) : sql``;
  const scope = options.unit ? sql`AND c.unit_id IN (SELECT id FROM subtree)` : sql``;
  const rows = await db.all<{ issued_at: number; level: ReportLevel }>(
    sql`${prefix} SELECT c.issued_at, c.report_level AS level FROM certificates c WHERE c.issued_at >= ${start} AND c.issued_at < ${end} ${scope}`,
  );
  const months = new Map<string, Record<ReportLevel, number>>();
  // Every month of the period appears, empty ones too, so the chart's axis is continuous.
  for (let m = formatMonth(new Date(start)); m <= formatMonth(new Date(end - 1)); ) {
    months.set(m, zeroLevels());
    const [y, mo] = m.split("-").map(Number);
    m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, "0")}`;
  }
  for (const r of rows) {
    const bucket = months.get(formatMonth(new Date(Number(r.issued_at))));
    if (bucket) bucket[r.level]++;
  }
  return [...months.entries()].map(([month, byLevel]) => ({ month, byLevel }));
}

export { REPORT_LEVELS };
