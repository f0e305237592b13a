import { KysoError } from "@kyso/core";

/** Vietnam keeps UTC+07:00 all year; report periods and day arguments are Vietnamese calendar days. */
export const VIETNAM_OFFSET_MS = 7 * 3600_000;
export const DAY_MS = 86_400_000;

/**
 * A day or a time given by a user: `YYYY-MM-DD` is the start of that day in Vietnam, anything
 * with a time must be ISO 8601 with its offset.
 */
export function parseDateArgument(text: string, what = "date"): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (day) {
    const ms = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) - VIETNAM_OFFSET_MS;
    const d = new Date(ms);
    if (formatDay(d) !== text.trim()) throw new KysoError("USAGE", `Invalid ${what} "${text}" (no such day)`, { details: { params: { what, text }, form: "noSuchDay" } });
    return d;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim())) {
    const d = new Date(text.trim());
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new KysoError("USAGE", `Invalid ${what} "${text}": use YYYY-MM-DD (a day in Vietnam) or ISO 8601 with an offset`, { details: { params: { what, text }, form: "date" } });
}

/** The Vietnamese calendar day of an instant, `YYYY-MM-DD`. */
export function formatDay(d: Date): string {
  return new Date(d.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Vietnamese calendar month of an instant, `YYYY-MM`. */
export function formatMonth(d: Date): string {
  return formatDay(d).slice(0, 7);
}

/** Start of the Vietnamese day containing `d`. */
export function startOfDay(d: Date): Date {
  return parseDateArgument(formatDay(d));
}

/** Start of the Vietnamese year containing `d`. */
export function startOfYear(d: Date): Date {
  return parseDateArgument(`${formatDay(d).slice(0, 4)}-01-01`);
}
