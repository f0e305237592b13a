import { en, type MessageKey } from "./en.js";
import { vi } from "./vi.js";

/**
 * The one message catalogue of `kyso`, per language (en.ts is the source of the keys, vi.ts must
 * have every one). The language of a run is chosen once by main.ts (resolveLang) and set with
 * setLang; `t` then speaks it. Code that has a language of its own (a `--lang` flag of a report)
 * takes `translator(lang)`.
 */
export type Lang = "en" | "vi";
export type { MessageKey };
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export const catalogues: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { en, vi };

const fill = (text: string, params: Params): string => text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));

let current: Lang = "en";

/** The language of this run (main.ts sets it before any command runs). */
export function setLang(lang: Lang): void {
  current = lang;
}

export function currentLang(): Lang {
  return current;
}

/** A message of this run's language, `{name}` placeholders filled from params. */
export function t(key: MessageKey, params: Params = {}): string {
  return fill(catalogues[current][key], params);
}

export function translator(lang: Lang): Translate {
  const cat = catalogues[lang];
  return (key, params = {}) => fill(cat[key], params);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** `vi`, `vi_VN.UTF-8`, `vi-VN` → vi; anything else (including C, POSIX, unset) → en. */
export function langOf(value: string | undefined): Lang | undefined {
  if (value === undefined || value === "") return undefined;
  return /^vi([_.@-]|$)/i.test(value) ? "vi" : "en";
}

/**
 * The language: `--lang`, else KYSO_LANG, else the config file's `lang`, else the locale
 * (LC_ALL, LC_MESSAGES, LANG, the first one set); English when none says Vietnamese.
 */
export function resolveLang(o: { flag?: string; env: NodeJS.ProcessEnv; config?: string }): Lang {
  const { flag, env, config } = o;
  const chosen = flag || env.KYSO_LANG || config;
  if (chosen) return langOf(chosen) ?? "en";
  return langOf(env.LC_ALL || env.LC_MESSAGES || env.LANG) ?? "en";
}

/** The first catalogue's entry point, kept for its callers: `--lang` (or the config's, merged into it), else the environment. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  return resolveLang({ flag, env });
}

/** yargs' own texts ("Options:", "Show help", ...) in `lang`, for yargs.updateStrings. */
export function yargsStrings(lang: Lang): Record<string, string | { one: string; other: string }> {
  const cat = catalogues[lang];
  const out: Record<string, string | { one: string; other: string }> = {};
  for (const key of Object.keys(cat) as MessageKey[]) {
    if (!key.startsWith("yargs.")) continue;
    const text = cat[key];
    const name = key.slice("yargs.".length);
    out[name] = PLURAL.has(name) ? { one: text, other: text } : text;
  }
  return out;
}

/** yargs' texts that take a {one, other} pair (yargs/locales/en.json); Vietnamese has one form. */
const PLURAL = new Set([
  "Not enough non-option arguments: got %s, need at least %s",
  "Too many non-option arguments: got %s, maximum of %s",
  "Missing argument value: %s",
  "Missing required argument: %s",
  "Unknown argument: %s",
  "Unknown command: %s",
]);
