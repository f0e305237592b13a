import { existsSync, mkdirSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Argv } from "yargs";
import { KysoError, writeFileAtomic } from "@kyso/core";
import { defineCommand, type Io } from "../../command.js";
import { CONFIG_KEYS, configFromEnv, configPath, parseConfig, readConfigFile, type ConfigKey } from "../../config.js";
import { pickLang } from "../../i18n.js";
import { t } from "../../messages/index.js";

interface ConfigArgs {
  action: "path" | "show" | "init";
  config?: string;
  set?: string[];
  force?: boolean;
  json?: boolean;
}

const KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[];

function requirePath(args: ConfigArgs, io: Io): string {
  const file = configPath(args.config, io);
  if (!file) throw new KysoError("USAGE", t("config.err.noLocation"));
  return file;
}

/** Where the settings come from, key by key: the KYSO_* variable, else the file, else unset. */
function show(args: ConfigArgs, io: Io): number {
  const file = requirePath(args, io);
  const exists = existsSync(file);
  const fromFile = readConfigFile(args.config, io);
  const fromEnv = configFromEnv(io.env);
  const settings = Object.fromEntries(
    KEYS.map((k) => {
      const source = fromEnv[k] !== undefined ? "env" : fromFile[k] !== undefined ? "file" : "unset";
      return [k, { value: fromEnv[k] ?? fromFile[k] ?? null, source, env: CONFIG_KEYS[k].env }];
    }),
  );
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ file, exists, settings }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${t("config.out.showHeading", { file, missing: exists ? "" : t("config.out.missing") })}\n`);
  const width = Math.max(...KEYS.map((k) => k.length));
  for (const k of KEYS) {
    const s = settings[k];
    const value = s.value === null ? "-" : Array.isArray(s.value) ? s.value.join(", ") : typeof s.value === "object" ? JSON.stringify(s.value) : String(s.value);
    const from = s.source === "env" ? `(${s.env})` : s.source === "file" ? t("config.out.fromFile") : "";
    io.stdout.write(`${k.padEnd(width)}  ${value}${from ? `  ${from}` : ""}\n`);
  }
  return 0;
}

/** `--set key=value`: the value as JSON when it parses (numbers, lists), else as a string. */
function parseSet(item: string): [string, unknown] {
  const eq = item.indexOf("=");
  if (eq <= 0) throw new KysoError("USAGE", t("config.err.setFormat", { item }));
  const key = item.slice(0, eq).trim();
  const text = item.slice(eq + 1);
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === "number" || Array.isArray(v)) return [key, v];
  } catch {
    // a plain string
  }
  return [key, text];
}

/**
 * Writes a starting config file: the language and zone (from the locale, default Vietnam time),
 * every setting given by a KYSO_* variable now, and `--set KEY=VALUE` items. The result is checked
 * against the schema before it is written; an existing file is replaced only with --force.
 */
async function init(args: ConfigArgs, io: Io): Promise<number> {
  const file = requirePath(args, io);
  const out: Record<string, unknown> = { lang: pickLang(undefined, io.env), timezone: "Asia/Ho_Chi_Minh" };
  const env = configFromEnv(io.env);
  for (const k of KEYS) {
    const v = env[k];
    if (v === undefined) continue;
    const type: string = CONFIG_KEYS[k].type;
    // Paths in the environment are relative to the working folder; in the file, to the file's.
    const abs = (p: string) => (isAbsolute(p) || p.startsWith("~/") ? p : resolve(io.cwd, p));
    out[k] = type === "path" ? abs(v as string) : type === "paths" ? (v as string[]).map(abs) : v;
  }
  for (const item of args.set ?? []) {
    const [key, value] = parseSet(item);
    const name = key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    out[name in CONFIG_KEYS ? name : key] = value;
  }
  const text = `${JSON.stringify(out, null, 2)}\n`;
  parseConfig(text, file, io.env); // the same check every command makes; names the bad key
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, async (fh) => void (await fh.writeFile(text, "utf8")), { overwrite: !!args.force });
  io.stdout.write(`${t("config.out.wrote", { file })}\n`);
  return 0;
}

export const configCommand = defineCommand<ConfigArgs>({
  command: "config <action>",
  describe: "config.describe",
  builder: (y) =>
    y
      .usage(t("config.usage", { keys: KEYS.join(", ") }))
      .positional("action", { choices: ["path", "show", "init"] as const, describe: t("config.opt.action") })
      .option("set", { type: "string", array: true, describe: t("config.opt.set") })
      .option("force", { type: "boolean", describe: t("config.opt.force") })
      .option("json", { type: "boolean", describe: t("config.opt.json") })
      .example(t("config.example.1.cmd"), t("config.example.1.text"))
      .example(t("config.example.2.cmd"), t("config.example.2.text"))
      .example(t("config.example.3.cmd"), t("config.example.3.text")) as unknown as Argv<ConfigArgs>,
  run: async (args, io) => {
    if (args.action === "path") {
      const file = requirePath(args, io);
      if (args.json) io.stdout.write(`${JSON.stringify({ file, exists: existsSync(file) })}\n`);
      else io.stdout.write(`${file}\n`);
      return 0;
    }
    if (args.action === "show") return show(args, io);
    if (args.action === "init") return init(args, io);
    throw new KysoError("USAGE", t("err.unknownActionOf", { command: "config", action: String(args.action), actions: "path, show, init" }));
  },
});
