/**
 * Times as people in Vietnam read them. Vietnam keeps UTC+07:00 all year (no daylight saving), so a
 * fixed offset is exact. One place for every package: signatures' appearances, the CLI, the reports.
 */
export const VIETNAM_OFFSET_MS = 7 * 3600_000;

function parts(d: Date): { y: string; mo: string; da: string; h: string; mi: string; s: string } {
  const t = new Date(d.getTime() + VIETNAM_OFFSET_MS);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return { y: p(t.getUTCFullYear(), 4), mo: p(t.getUTCMonth() + 1), da: p(t.getUTCDate()), h: p(t.getUTCHours()), mi: p(t.getUTCMinutes()), s: p(t.getUTCSeconds()) };
}

/** ISO 8601 in Vietnam time, e.g. 2025-01-15T09:30:00+07:00 (Decree 30/2020, Appendix I). */
export function isoVietnamTime(d: Date): string {
  const p = parts(d);
  return `${p.y}-${p.mo}-${p.da}T${p.h}:${p.mi}:${p.s}+07:00`;
}

/** Date and time as a Vietnamese clerk writes them on an arrival stamp: 15/01/2025 and 09:30. */
export function vietnamDateAndTime(d: Date): { date: string; time: string } {
  const p = parts(d);
  return { date: `${p.da}/${p.mo}/${p.y}`, time: `${p.h}:${p.mi}` };
}

/** `20:07:00 01/12/2026 (+07:00)`; invalid input is returned as given. */
export function vietnamTime(iso: string | Date, options: { seconds?: boolean; zone?: boolean } = {}): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(d);
  const clock = `${p.h}:${p.mi}${options.seconds === false ? "" : `:${p.s}`}`;
  return `${clock} ${p.da}/${p.mo}/${p.y}${options.zone === false ? "" : " (+07:00)"}`;
}
