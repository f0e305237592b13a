import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { KysoError } from "@kyso/core";
import type { Io } from "./command.js";

/**
 * Defaults an officer sets once: from a config file (`--config FILE`, else
 * `$XDG_CONFIG_HOME/kyso/config.json`, else `~/.config/kyso/config.json`) and from `KYSO_*`
 * environment variables. Flags win over the environment, the environment over the file.
 *
 * ```json
 * { "pkcs11Lib": "/usr/lib/libeTPkcs11.so", "tokenLabel": "VGCA-01", "keyLabel": "officer",
 *   "reason": "Phê duyệt", "location": "Tuy Hòa", "outDir": "~/signed", "lang": "vi" }
 * ```
 * Relative paths in the file are relative to the file's folder. The PIN is never read from here.
 */
export const CONFIG_KEYS = {
  pkcs11Lib: { env: "KYSO_PKCS11_LIB", path: true },
  tokenLabel: { env: "KYSO_TOKEN_LABEL" },
  tokenSerial: { env: "KYSO_TOKEN_SERIAL" },
  keyLabel: { env: "KYSO_KEY_LABEL" },
  keyId: { env: "KYSO_KEY_ID" },
  reason: { env: "KYSO_REASON" },
  location: { env: "KYSO_LOCATION" },
  contact: { env: "KYSO_CONTACT" },
  outDir: { env: "KYSO_OUT_DIR", path: true },
  suffix: { env: "KYSO_SUFFIX" },
  chain: { env: "KYSO_CHAIN", path: true, list: true },
  concurrency: { env: "KYSO_CONCURRENCY", number: true },
  lang: { env: "KYSO_LANG" },
} as const satisfies Record<string, { env: string; path?: boolean; list?: boolean; number?: boolean }>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type KysoConfig = { [K in ConfigKey]?: (typeof CONFIG_KEYS)[K] extends { list: true } ? string[] : (typeof CONFIG_KEYS)[K] extends { number: true } ? number : string };

const kebab = (k: string): string => k.replace(/[A-Z0-9]+/g, (m) => `-${m.toLowerCase()}`).replace(/^-/, "");

export function defaultConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, ".config") : undefined);
  return base ? join(base, "kyso", "config.json") : undefined;
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return p.startsWith("~/") && env.HOME ? join(env.HOME, p.slice(2)) : p;
}

/** Reads the config file: a missing default file is no error, a missing `--config` file is. */
export function readConfigFile(explicit: string | undefined, io: Pick<Io, "env" | "cwd">): KysoConfig {
  const file = explicit ? resolve(io.cwd, explicit) : defaultConfigPath(io.env);
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new KysoError("USAGE", `Cannot read the config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new KysoError("USAGE", `The config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new KysoError("USAGE", `The config file ${file} must hold a JSON object`);
  const obj = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, (typeof CONFIG_KEYS)[ConfigKey]][]) {
    const v = obj[key] ?? obj[kebab(key)];
    if (v === undefined || v === null) continue;
    const fromDir = (p: string): string => {
      const e = expandHome(p, io.env);
      return isAbsolute(e) ? e : resolve(dirname(file), e);
    };
    if ("list" in spec) {
      const list = Array.isArray(v) ? v.map(String) : [String(v)];
      out[key] = list.map(fromDir);
    } else if ("number" in spec) {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new KysoError("USAGE", `${key} in ${file} must be a number`);
      out[key] = n;
    } else out[key] = "path" in spec ? fromDir(String(v)) : String(v);
  }
  for (const k of Object.keys(obj)) {
    if (/^pin$|password/i.test(k)) throw new KysoError("USAGE", `The config file ${file} must not hold a PIN or password (${k}); use KYSO_PIN, --pin-file or the prompt`);
  }
  return out as KysoConfig;
}

function fromEnv(env: NodeJS.ProcessEnv): KysoConfig {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, (typeof CONFIG_KEYS)[ConfigKey]][]) {
    const v = env[spec.env];
    if (v === undefined || v === "") continue;
    if ("list" in spec) out[key] = v.split(":").filter(Boolean);
    else if ("number" in spec) out[key] = Number(v);
    else out[key] = v;
  }
  return out as KysoConfig;
}

/** Pairs of flags where giving one means the default for the other must not apply. */
const EXCLUSIVE: [ConfigKey, ConfigKey][] = [
  ["tokenLabel", "tokenSerial"],
  ["keyLabel", "keyId"],
];

/**
 * Fills the flags the user did not give from the environment, then from the config file, in place
 * (both the camelCase and the kebab-case key, as yargs has them). Returns the merged config.
 */
export function applyConfig(args: Record<string, unknown>, io: Pick<Io, "env" | "cwd">): KysoConfig {
  const file = readConfigFile(args.config as string | undefined, io);
  const env = fromEnv(io.env);
  const merged: KysoConfig = { ...file, ...env };
  const given = (k: ConfigKey): boolean => args[k] !== undefined;
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    if (given(key)) continue;
    const partner = EXCLUSIVE.find(([a, b]) => a === key || b === key);
    if (partner) {
      const other = partner[0] === key ? partner[1] : partner[0];
      if (given(other)) continue;
      // Both from defaults: the environment's choice wins over the file's.
      if (merged[other] !== undefined && env[other] !== undefined && env[key] === undefined) continue;
    }
    if (args.p12 !== undefined && (key === "tokenLabel" || key === "tokenSerial" || key === "keyLabel" || key === "keyId")) continue;
    const v = merged[key];
    if (v === undefined) continue;
    args[key] = v;
    args[kebab(key)] = v;
  }
  return merged;
}
