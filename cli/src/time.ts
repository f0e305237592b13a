import { formatTime, type TimeOptions } from "@kyso/core";
import { currentLang } from "./messages/index.js";

/**
 * Times shown to people (issue 13): in Vietnam time, or the zone of this run (--timezone,
 * KYSO_TIMEZONE, the config file's `timezone`; main.ts sets it), in the run's language's format:
 * `20:07:00 01/12/2026 (+07:00)` (vi), `2026-12-01 20:07:00 +07:00` (en). `--json` and CSV keep
 * ISO 8601.
 */
let zone: string | undefined;

export function setZone(z: string | undefined): void {
  zone = z;
}

export function currentZone(): string | undefined {
  return zone;
}

/** A time (ISO 8601 text or Date) as this run shows it; `-` for none. */
export function shownTime(iso: string | Date | null | undefined, options: Omit<TimeOptions, "zone"> = {}): string {
  if (iso === null || iso === undefined || iso === "") return "-";
  return formatTime(iso, { lang: currentLang(), zone, ...options });
}

/** A day as this run shows it: `01/12/2026` (vi), `2026-12-01` (en). */
export const shownDay = (iso: string | Date | null | undefined): string => shownTime(iso, { dayOnly: true });
