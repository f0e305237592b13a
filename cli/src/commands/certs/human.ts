import { KysoError, formatTime } from "@kyso/core";
import type { EventRecord, RegistryLang } from "@kyso/registry";
import type { Io } from "../../command.js";
import { applyConfig, isTimeZone, type ConfigKey } from "../../config.js";
import { isMessageKey, pickLang, translator, type Translate } from "../../messages/index.js";


/**
 * How the registry commands (units, certs, tokens) speak to a person: the language (--lang, then
 * KYSO_LANG, the config file, the locale), the zone times are shown in (--timezone, KYSO_TIMEZONE,
 * the config file; default Vietnam, +07:00), and the registry's codes as words. JSON and CSV
 * output keep the codes and ISO 8601 times.
 */
export interface Human {
  lang: RegistryLang;
  /** A time as people read it: `20:07:00 01/12/2026 (+07:00)` (vi), `2026-12-01 20:07:00 +07:00` (en). */
  time(iso: string | null | undefined): string;
  /** A day: `01/12/2026` (vi), `2026-12-01` (en). */
  day(iso: string | null | undefined): string;
  tokenStatus(code: string): string;
  certificateStatus(code: string): string;
  reason(code: string | null | undefined): string;
  level(code: string): string;
  /** One history line: `20:07:00 01/12/2026 (+07:00)  thu hồi  bởi an  lý do: lộ khóa bí mật, ...`. */
  event(e: EventRecord): string;
  /** A catalogue text in this run's language. */
  tr: Translate;
}

/** The config keys the registry commands take from the environment and the config file. */
export const REGISTRY_CONFIG_KEYS: readonly ConfigKey[] = ["db", "lang", "timezone"];

/** Applies the config file and KYSO_* defaults for `keys`, then builds the Human for this run. */
export async function humanFor(args: Record<string, unknown>, io: Io, keys: readonly ConfigKey[] = REGISTRY_CONFIG_KEYS): Promise<Human> {
  applyConfig(args, io, { keys });
  const lang: RegistryLang = pickLang(args.lang as string | undefined, io.env);
  const tr = translator(lang);
  const zone = args.timezone as string | undefined;
  if (zone !== undefined && !isTimeZone(zone)) throw new KysoError("USAGE", tr("registry.badTimeZone", { zone }));
  // A registry code as a word of the catalogue (registry.status.in_stock, registry.reason.keyCompromise, ...); an unknown code as itself.
  const label = (kind: "status" | "reason" | "level" | "event", code: string | null | undefined): string => {
    if (code === null || code === undefined) return "";
    const key = `registry.${kind}.${code}`;
    return isMessageKey(key) ? tr(key) : code;
  };
  const time = (iso: string | null | undefined, withClock: boolean): string => {
    if (!iso) return "-";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return formatTime(d, { lang, zone, dayOnly: !withClock });
  };
  // An event's details by name: how each value reads (default: as it is); the names are registry.field.*.
  const field: Record<string, ((v: unknown) => string) | null> = {
    reason: (v) => label("reason", String(v)),
    date: (v) => time(String(v), true),
    crlThisUpdate: (v) => time(String(v), true),
    from: (v) => label("status", String(v)),
    to: (v) => label("status", String(v)),
    certificates: (v) => tr(v === "revoked" ? "registry.certificates.revoked" : "registry.certificates.kept"),
    certificateSerials: null,
    note: null,
    holder: null,
    unit: null,
    serial: null,
    source: null,
    tokenSerial: null,
  };
  const value = (v: unknown): string => (Array.isArray(v) ? v.join(", ") : v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));
  const event = (e: EventRecord): string => {
    const details = Object.entries(e.details)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => {
        const name = `registry.field.${k}`;
        return k in field && isMessageKey(name) ? `${tr(name)}: ${(field[k] ?? value)(v)}` : `${k}: ${value(v)}`;
      })
      .join("; ");
    return `${time(e.at, true)}  ${label("event", e.kind)}  ${tr("registry.by")} ${e.actor}${details ? `  (${details})` : ""}`;
  };
  return {
    lang,
    event,
    time: (iso) => time(iso, true),
    day: (iso) => time(iso, false),
    tokenStatus: (c) => label("status", c),
    certificateStatus: (c) => label("status", c),
    reason: (c) => label("reason", c),
    level: (c) => label("level", c),
    tr,
  };
}
