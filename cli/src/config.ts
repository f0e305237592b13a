import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { KysoError } from "@kyso/core";
import type { Io } from "./command.js";
import { t } from "./messages/index.js";

/**
 * Defaults an officer sets once: from a config file (`--config FILE`, else
 * `$XDG_CONFIG_HOME/kyso/config.json`, else `~/.config/kyso/config.json`) and from `KYSO_*`
 * environment variables. Flags win over the environment, the environment over the file.
 *
 * ```json
 * { "pkcs11Lib": "/usr/lib/libeTPkcs11.so", "tokenLabel": "VGCA-01", "keyLabel": "officer",
 *   "reason": "Phê duyệt", "location": "Tuy Hòa", "outDir": "~/signed", "lang": "vi" }
 * ```
 * The file is checked against CONFIG_KEYS: an unknown key or a value of the wrong type is an
 * error naming the key and the file (exit 2), never silently ignored. Keys may also be written in
 * kebab case (`token-label`). Relative paths in the file are relative to the file's folder; `~/`
 * is the home folder. The PIN is never read from here. Every key is documented in cli/README.md.
 */

type KeyType = "string" | "path" | "paths" | "count" | "lang" | "urls" | "timezone" | "db" | "csc" | "agent";

interface KeySpec {
  env: string;
  type: KeyType;
  describe: string;
  example: unknown;
}

export const CONFIG_KEYS = {
  pkcs11Lib: { env: "KYSO_PKCS11_LIB", type: "path", describe: "PKCS#11 library of the token's middleware", example: "/usr/lib/x86_64-linux-gnu/libeTPkcs11.so" },
  tokenLabel: { env: "KYSO_TOKEN_LABEL", type: "string", describe: "Token to use, by its label", example: "VGCA-01" },
  tokenSerial: { env: "KYSO_TOKEN_SERIAL", type: "string", describe: "Token to use, by its serial (instead of tokenLabel)", example: "0A1B2C3D" },
  keyLabel: { env: "KYSO_KEY_LABEL", type: "string", describe: "Signing key on the token, by its label", example: "officer" },
  keyId: { env: "KYSO_KEY_ID", type: "string", describe: "Signing key by its CKA_ID in hex (instead of keyLabel)", example: "01" },
  reason: { env: "KYSO_REASON", type: "string", describe: "Reason written into signatures", example: "Phê duyệt" },
  location: { env: "KYSO_LOCATION", type: "string", describe: "Place written into signatures", example: "Tuy Hòa" },
  contact: { env: "KYSO_CONTACT", type: "string", describe: "Contact written into signatures", example: "vanthu@phuyen.gov.vn" },
  outDir: { env: "KYSO_OUT_DIR", type: "path", describe: "Folder for signed files (default: beside the input)", example: "~/signed" },
  suffix: { env: "KYSO_SUFFIX", type: "string", describe: "Suffix of signed files' names (default .signed)", example: ".signed" },
  chain: { env: "KYSO_CHAIN", type: "paths", describe: "CA certificates to embed with signatures (PEM/DER/P7B files)", example: ["chain/vgca.pem"] },
  concurrency: { env: "KYSO_CONCURRENCY", type: "count", describe: "Documents in flight while the token signs", example: 8 },
  lang: { env: "KYSO_LANG", type: "lang", describe: "Language of messages: vi or en (default from the locale)", example: "vi" },
  timezone: { env: "KYSO_TIMEZONE", type: "timezone", describe: "Zone of times shown to people: an IANA name or ±HH:MM (default Asia/Ho_Chi_Minh, +07:00)", example: "Asia/Ho_Chi_Minh" },
  trust: { env: "KYSO_TRUST", type: "paths", describe: "More trusted root certificates (files or folders), added to the Vietnam trust store", example: ["roots/"] },
  tsa: { env: "KYSO_TSA_URL", type: "urls", describe: "RFC 3161 time-stamp servers, tried in order", example: ["http://tsa.ca.gov.vn"] },
  db: { env: "KYSO_DB", type: "db", describe: "Registry database: sqlite:PATH, a file path, or postgres://USER@HOST/DB", example: "sqlite:~/kyso/registry.db" },
  csc: {
    env: "KYSO_CSC_URL",
    type: "csc",
    describe: "Remote signing service (CSC API): {url, credential, clientId, auth: client|browser}; KYSO_CSC_URL, KYSO_CSC_CREDENTIAL, KYSO_CSC_CLIENT_ID, KYSO_CSC_AUTH (the client secret never here)",
    example: { url: "https://ca.example.vn/csc/v2", credential: "officer-rsa", clientId: "kyso", auth: "browser" },
  },
  agent: {
    env: "KYSO_AGENT_ALLOW_ORIGINS",
    type: "agent",
    describe: "The local signing agent (kyso agent): {allowOrigins: [origin…], port, idleMinutes, originHosts: {origin: [host…]}, caFiles: [path…]}; KYSO_AGENT_ALLOW_ORIGINS lists origins (spaces or commas)",
    example: { allowOrigins: ["https://vanban.phuyen.gov.vn"], port: 8987, idleMinutes: 10, originHosts: { "https://vanban.phuyen.gov.vn": ["files.phuyen.gov.vn"] }, caFiles: ["/etc/kyso/province-ca.pem"] },
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
/** The `csc` key: the remote signing service `kyso sign --csc` uses by default. */
export interface CscSettings {
  url?: string;
  credential?: string;
  clientId?: string;
  auth?: "client" | "browser";
}

/** The `agent` key: what `kyso agent` serves and to whom. */
export interface AgentSettings {
  allowOrigins?: string[];
  port?: number;
  idleMinutes?: number;
  originHosts?: Record<string, string[]>;
  /** PEM files of extra trust anchors for the document servers' HTTPS (downloads and uploads). */
  caFiles?: string[];
}

type ValueOf<T extends KeyType> = T extends "paths" | "urls" ? string[] : T extends "count" ? number : T extends "lang" ? "vi" | "en" : T extends "csc" ? CscSettings : T extends "agent" ? AgentSettings : string;
export type KysoConfig = { [K in ConfigKey]?: ValueOf<(typeof CONFIG_KEYS)[K]["type"]> };

const KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[];
export const kebab = (k: string): string => k.replace(/[A-Z0-9]+/g, (m) => `-${m.toLowerCase()}`).replace(/^-/, "");
const camel = (k: string): string => k.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function defaultConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, ".config") : undefined);
  return base ? join(base, "kyso", "config.json") : undefined;
}

/** The config file in use: `--config` (relative to the working folder), else the default path. */
export function configPath(explicit: string | undefined, io: Pick<Io, "env" | "cwd">): string | undefined {
  return explicit ? resolve(io.cwd, explicit) : defaultConfigPath(io.env);
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return (p === "~" || p.startsWith("~/")) && env.HOME ? join(env.HOME, p.slice(2)) : p;
}

/** A fixed offset (`+07:00`, `Z`, `UTC`) or a zone the platform's time-zone data knows. */
export function isTimeZone(text: string): boolean {
  if (/^(Z|UTC|[+-](0\d|1[0-4]):[0-5]\d)$/.test(text)) return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: text });
    return true;
  } catch {
    return false;
  }
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function suggestion(key: string): string {
  const k = camel(key).toLowerCase();
  const best = KEYS.map((c) => ({ c, d: editDistance(k, c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(best.c.length / 3)) ? t("config.err.didYouMean", { key: best.c }) : "";
}

/** "must be a string (got 3)": the type in the words of the run's language (config.type.*). */
function mustBe(type: KeyType, v: unknown): { error: string } {
  return { error: t("config.err.mustBe", { type: t(`config.type.${type}`), value: JSON.stringify(v) }) };
}

const isOrigin = (v: unknown): boolean => {
  if (typeof v !== "string" || !URL.canParse(v)) return false;
  const u = new URL(v);
  return (u.protocol === "https:" || u.protocol === "http:") && (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash && !u.username && v.replace(/\/$/, "").toLowerCase() === u.origin;
};

function checkAgent(v: unknown, fromDir: (p: string) => string): { value: AgentSettings } | { error: string } {
  if (!v || typeof v !== "object" || Array.isArray(v)) return mustBe("agent", v);
  const out: AgentSettings = {};
  const problems: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null) continue;
    if (k === "allowOrigins") {
      const list = Array.isArray(x) ? x : [x];
      const bad = list.filter((o) => !isOrigin(o));
      if (bad.length) problems.push(t("config.err.agent.allowOrigins", { value: JSON.stringify(bad[0]) }));
      else out.allowOrigins = list as string[];
    } else if (k === "port") {
      if (typeof x === "number" && Number.isInteger(x) && x >= 1 && x <= 65535) out.port = x;
      else problems.push(t("config.err.agent.port", { value: JSON.stringify(x) }));
    } else if (k === "idleMinutes") {
      if (typeof x === "number" && x > 0 && x <= 24 * 60) out.idleMinutes = x;
      else problems.push(t("config.err.agent.idleMinutes", { value: JSON.stringify(x) }));
    } else if (k === "originHosts") {
      const ok = !!x && typeof x === "object" && !Array.isArray(x) && Object.entries(x as Record<string, unknown>).every(([o, hs]) => isOrigin(o) && Array.isArray(hs) && hs.every((h) => typeof h === "string" && /^[a-z0-9.-]+(:\d+)?$/i.test(h)));
      if (ok) out.originHosts = x as Record<string, string[]>;
      else problems.push(t("config.err.agent.originHosts"));
    } else if (k === "caFiles") {
      const list = Array.isArray(x) ? x : [x];
      if (list.length > 0 && list.every((f) => typeof f === "string" && f.trim() !== "")) out.caFiles = (list as string[]).map(fromDir);
      else problems.push(t("config.err.agent.caFiles", { value: JSON.stringify(x) }));
    } else problems.push(t("config.err.unknownSubkey", { key: k, keys: "allowOrigins, port, idleMinutes, originHosts, caFiles" }));
  }
  return problems.length ? { error: problems.join("; ") } : { value: out };
}

const CSC_SUBKEYS: Record<keyof CscSettings, (v: unknown) => boolean> = {
  url: (v) => typeof v === "string" && /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v),
  credential: (v) => typeof v === "string" && v.trim() !== "",
  clientId: (v) => typeof v === "string" && v.trim() !== "",
  auth: (v) => v === "client" || v === "browser",
};

function checkCsc(v: unknown): { value: CscSettings } | { error: string } {
  if (!v || typeof v !== "object" || Array.isArray(v)) return mustBe("csc", v);
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (/secret|password|pin|otp/i.test(k)) problems.push(t("config.err.csc.secret", { key: k }));
    else if (!(k in CSC_SUBKEYS)) problems.push(t("config.err.unknownSubkey", { key: k, keys: "url, credential, clientId, auth" }));
    else if (x !== null && !CSC_SUBKEYS[k as keyof CscSettings](x)) problems.push(t("config.err.csc.invalid", { key: k, value: JSON.stringify(x) }));
    else if (x !== null) out[k] = x;
  }
  return problems.length ? { error: problems.join("; ") } : { value: out as CscSettings };
}

/** Checks one value against its key's type; returns it normalised, or an error text. */
function checkValue(type: KeyType, v: unknown, fromDir: (p: string) => string): { value: unknown } | { error: string } {
  const bad = mustBe(type, v);
  const isText = (x: unknown): x is string => typeof x === "string" && x.trim() !== "";
  switch (type) {
    case "string":
      return typeof v === "string" ? { value: v } : bad;
    case "path":
      return isText(v) ? { value: fromDir(v) } : bad;
    case "paths": {
      const list = Array.isArray(v) ? v : [v];
      return list.length > 0 && list.every(isText) ? { value: list.map(fromDir) } : bad;
    }
    case "count":
      return typeof v === "number" && Number.isInteger(v) && v >= 1 ? { value: v } : bad;
    case "lang":
      return v === "vi" || v === "en" ? { value: v } : bad;
    case "timezone":
      return isText(v) && isTimeZone(v) ? { value: v } : bad;
    case "urls": {
      const list = Array.isArray(v) ? v : [v];
      const ok = list.length > 0 && list.every((u) => isText(u) && /^https?:\/\/[^\s]+$/i.test(u) && URL.canParse(u));
      return ok ? { value: list } : bad;
    }
    case "csc":
      return checkCsc(v);
    case "agent":
      return checkAgent(v, fromDir);
    case "db": {
      if (!isText(v)) return bad;
      if (/^postgres(ql)?:\/\//i.test(v)) return { value: v };
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return bad;
      return { value: `sqlite:${fromDir(v.replace(/^sqlite:/i, ""))}` };
    }
  }
}

/**
 * Reads and checks the config file: a missing default file is no error, a missing `--config`
 * file is. Every problem is listed at once, each naming the key and the file (CONFIG_INVALID, exit 2).
 */
export function readConfigFile(explicit: string | undefined, io: Pick<Io, "env" | "cwd">): KysoConfig {
  const file = configPath(explicit, io);
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new KysoError("USAGE", t("config.err.unreadable", { file, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message }));
  }
  return parseConfig(text, file, io.env);
}

/** Parses and checks the text of a config file (see readConfigFile). */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv): KysoConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new KysoError("CONFIG_INVALID", t("config.err.json", { file, detail: (e as Error).message }), { details: { exitCode: 2 } });
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new KysoError("CONFIG_INVALID", t("config.err.notObject", { file }), { details: { exitCode: 2 } });
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (/^pin$|password/i.test(k)) throw new KysoError("USAGE", t("config.err.secret", { file, key: k }));
  }
  const fromDir = (p: string): string => {
    const e = expandHome(p, env);
    return isAbsolute(e) ? e : resolve(dirname(file), e);
  };
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(obj)) {
    const name = camel(key) as ConfigKey;
    const spec = (CONFIG_KEYS as Record<string, KeySpec>)[name];
    if (!spec || (key !== name && key !== kebab(name))) {
      problems.push(`${t("config.err.unknownKey", { key })}${suggestion(key)}`);
      continue;
    }
    if (name in out) {
      problems.push(t("config.err.repeats", { key, name }));
      continue;
    }
    if (v === null) continue;
    const checked = checkValue(spec.type, v, fromDir);
    if ("error" in checked) problems.push(`"${key}" ${checked.error}`);
    else out[name] = checked.value;
  }
  if (problems.length > 0)
    throw new KysoError(
      "CONFIG_INVALID",
      t("config.err.invalid", { file, problems: problems.map((p) => `  ${p}`).join("\n") }),
      { details: { exitCode: 2, file, problems } },
    );
  return out as KysoConfig;
}

/** The settings given by KYSO_* variables (lists: `:` between paths, spaces or commas between URLs). */
export function configFromEnv(env: NodeJS.ProcessEnv): KysoConfig {
  const out: Record<string, unknown> = {};
  const csc: CscSettings = {};
  if (env.KYSO_CSC_URL) csc.url = env.KYSO_CSC_URL;
  if (env.KYSO_CSC_CREDENTIAL) csc.credential = env.KYSO_CSC_CREDENTIAL;
  if (env.KYSO_CSC_CLIENT_ID) csc.clientId = env.KYSO_CSC_CLIENT_ID;
  if (env.KYSO_CSC_AUTH === "client" || env.KYSO_CSC_AUTH === "browser") csc.auth = env.KYSO_CSC_AUTH;
  if (Object.keys(csc).length > 0) out.csc = csc;
  for (const key of KEYS) {
    const spec: KeySpec = CONFIG_KEYS[key];
    if (spec.type === "csc") continue;
    const v = env[spec.env];
    if (spec.type === "agent") {
      if (v) out.agent = { allowOrigins: v.split(/[\s,]+/).filter(Boolean) };
      continue;
    }
    if (v === undefined || v === "") continue;
    if (spec.type === "paths") out[key] = v.split(":").filter(Boolean);
    else if (spec.type === "urls") out[key] = v.split(/[\s,]+/).filter(Boolean);
    else if (spec.type === "count") out[key] = Number(v);
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
 * (both the camelCase and the kebab-case key, as yargs has them). An empty list (a repeatable
 * flag's default) counts as not given. `keys` limits which settings apply: a command whose flag
 * of the same name means something else (certs import --token-serial) leaves that key out.
 * Returns the merged config (all keys, whatever `keys` says).
 */
/** The agent's settings: the environment's origins over the file's, the rest from the file. */
export function agentSettings(args: Record<string, unknown>, io: Pick<Io, "env" | "cwd">): AgentSettings {
  const file = readConfigFile(args.config as string | undefined, io).agent ?? {};
  const env = configFromEnv(io.env).agent ?? {};
  return { ...file, ...env };
}

export function applyConfig(args: Record<string, unknown>, io: Pick<Io, "env" | "cwd">, options: { keys?: readonly ConfigKey[] } = {}): KysoConfig {
  const file = readConfigFile(args.config as string | undefined, io);
  const env = configFromEnv(io.env);
  const merged: KysoConfig = { ...file, ...env };
  // The remote signing service: each part from the environment, else from the file, below its flag.
  if (file.csc || env.csc) merged.csc = { ...file.csc, ...env.csc };
  const given = (k: ConfigKey): boolean => args[k] !== undefined && !(Array.isArray(args[k]) && (args[k] as unknown[]).length === 0);
  // A token or PKCS#12 flag on the command line wins over a default remote service.
  const localSigner = ["p12", "pkcs11Lib", "tokenLabel", "tokenSerial", "keyLabel", "keyId"].some((k) => args[k] !== undefined);
  for (const key of options.keys ?? KEYS) {
    if (key === "csc") {
      const c = { ...merged.csc };
      if (localSigner) delete c.url;
      const flags: [keyof CscSettings, string][] = [["url", "csc"], ["credential", "cscCredential"], ["clientId", "cscClientId"], ["auth", "cscAuth"]];
      for (const [sub, flag] of flags) {
        if (args[flag] !== undefined || c[sub] === undefined) continue;
        args[flag] = c[sub];
        args[kebab(flag)] = c[sub];
      }
      continue;
    }
    // The agent's settings are read by `kyso agent` itself (agentSettings), not as one flag.
    if (key === "agent") continue;
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
