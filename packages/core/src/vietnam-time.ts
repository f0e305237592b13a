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

/** The languages times are written in: `20:07:00 01/12/2026 (+07:00)` (vi), `2026-12-01 20:07:00 +07:00` (en). */
export type TimeLang = "vi" | "en";

export interface TimeOptions {
  /** The language's format (default vi). */
  lang?: TimeLang;
  /** The zone: an IANA name, `Z`/`UTC` or `±HH:MM`; default Vietnam time (UTC+07:00 all year). */
  zone?: string;
  /** Without the seconds (default with). */
  seconds?: boolean;
  /** The day only: `01/12/2026` (vi), `2026-12-01` (en). */
  dayOnly?: boolean;
}

/** The offset of `zone` from UTC at `d`, in minutes; undefined for a zone Intl does not know. */
export function zoneOffsetMinutes(d: Date, zone: string | undefined): number | undefined {
  if (!zone || zone === "Asia/Ho_Chi_Minh" || zone === "Asia/Saigon") return 7 * 60;
  if (/^(Z|UTC)$/i.test(zone)) return 0;
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (fixed) return (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  try {
    const name = new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  } catch {
    return undefined;
  }
}

/**
 * A time as people read it, in Vietnam time (or `zone`) and the language's format:
 * `20:07:00 01/12/2026 (+07:00)` in Vietnamese, `2026-12-01 20:07:00 +07:00` in English. Machine
 * output (JSON, CSV) keeps ISO 8601 (isoVietnamTime); invalid input is returned as given.
 */
export function formatTime(iso: string | Date, options: TimeOptions = {}): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const offset = zoneOffsetMinutes(d, options.zone) ?? 7 * 60;
  const t = new Date(d.getTime() + offset * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const [y, mo, da] = [p(t.getUTCFullYear(), 4), p(t.getUTCMonth() + 1), p(t.getUTCDate())];
  const en = options.lang === "en";
  if (options.dayOnly) return en ? `${y}-${mo}-${da}` : `${da}/${mo}/${y}`;
  const clock = `${p(t.getUTCHours())}:${p(t.getUTCMinutes())}${options.seconds === false ? "" : `:${p(t.getUTCSeconds())}`}`;
  const off = `${offset < 0 ? "-" : "+"}${p(Math.floor(Math.abs(offset) / 60))}:${p(Math.abs(offset) % 60)}`;
  return en ? `${y}-${mo}-${da} ${clock} ${off}` : `${clock} ${da}/${mo}/${y} (${off})`;
}
