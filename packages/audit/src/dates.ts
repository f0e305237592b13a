import { KysoError, VIETNAM_OFFSET_MS, isoVietnamTime } from "@kyso/core";

/**
 * A `--since`/`--until` argument: `YYYY-MM-DD` is the start of that day in Vietnam (00:00 +07:00);
 * an ISO 8601 date-time with `Z` or an offset is that instant; one without an offset is read as
 * Vietnam time (people here do not write "+07:00").
 */
export function parseAuditDate(text: string, what = "date"): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const t = Date.UTC(y, m - 1, d);
    const back = new Date(t);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) throw new KysoError("USAGE", `--${what} ${text}: no such day`, { details: { params: { flag: `--${what}`, text }, form: "flagNoSuchDay" } });
    return new Date(t - VIETNAM_OFFSET_MS);
  }
  const dt = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (dt) {
    const zone = dt[3] ? (dt[3].toUpperCase() === "Z" ? "Z" : dt[3].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")) : "+07:00";
    const d = new Date(`${dt[1]}T${dt[2]}${zone}`);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new KysoError("USAGE", `--${what} ${text}: expected YYYY-MM-DD (a day in Vietnam) or an ISO 8601 date-time such as 2026-12-01T08:00:00+07:00`, {
    details: { params: { flag: `--${what}`, text }, form: "flagDate" },
  });
}

/** An entry's time for people: ISO 8601 in Vietnam time with milliseconds dropped, e.g. 2026-12-01T21:43:44+07:00. */
export function auditTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : isoVietnamTime(d);
}
