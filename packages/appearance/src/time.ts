/** Vietnam's time zone, UTC+07:00, with no daylight saving time. */
const VN_OFFSET_MINUTES = 7 * 60;

function vnParts(d: Date): { y: string; mo: string; da: string; h: string; mi: string; s: string } {
  const t = new Date(d.getTime() + VN_OFFSET_MINUTES * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return { y: p(t.getUTCFullYear(), 4), mo: p(t.getUTCMonth() + 1), da: p(t.getUTCDate()), h: p(t.getUTCHours()), mi: p(t.getUTCMinutes()), s: p(t.getUTCSeconds()) };
}

/** The signing time as ISO 8601 in Vietnam time, e.g. 2025-01-15T09:30:00+07:00 (Decree 30/2020, Appendix I). */
export function isoVietnamTime(d: Date): string {
  const p = vnParts(d);
  return `${p.y}-${p.mo}-${p.da}T${p.h}:${p.mi}:${p.s}+07:00`;
}

/** Date and time as a Vietnamese clerk writes them on an arrival stamp: 15/01/2025 and 09:30. */
export function vietnamDateAndTime(d: Date): { date: string; time: string } {
  const p = vnParts(d);
  return { date: `${p.da}/${p.mo}/${p.y}`, time: `${p.h}:${p.mi}` };
}
