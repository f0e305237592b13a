/** Formats a PDF date (ISO 32000-1 §7.9.4) in the given UTC offset: D:YYYYMMDDHHmmSS+07'00'. Vietnam is UTC+07:00. */
export function pdfDate(d: Date, offsetMinutes = 7 * 60): string {
  const local = new Date(d.getTime() + offsetMinutes * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const sign = offsetMinutes >= 0 ? "+" : "-";
  const abs = Math.abs(offsetMinutes);
  return (
    `D:${p(local.getUTCFullYear(), 4)}${p(local.getUTCMonth() + 1)}${p(local.getUTCDate())}` +
    `${p(local.getUTCHours())}${p(local.getUTCMinutes())}${p(local.getUTCSeconds())}` +
    `${sign}${p(Math.floor(abs / 60))}'${p(abs % 60)}'`
  );
}

/** Parses a PDF date; returns undefined when it is not one. */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(?:(\d{2})'?)?)?)?/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", se = "00", tz, th = "00", tm = "00"] = m;
  let t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
  if (tz === "+" || tz === "-") t -= (tz === "+" ? 1 : -1) * (+th * 60 + +tm) * 60_000;
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** ISO 8601 with an explicit offset, e.g. 2026-11-22T10:15:00+07:00 (Decree 30/2020 information lines). */
export function isoWithOffset(d: Date, offsetMinutes = 7 * 60): string {
  const local = new Date(d.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes >= 0 ? "+" : "-";
  const abs = Math.abs(offsetMinutes);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${local.toISOString().slice(0, 19)}${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
}
