import yargs from "yargs";
import { KysoError } from "@kyso/core";
import type { Io } from "./command.js";
import { loadCommands } from "./commands/index.js";
import { isTimeZone, readConfigFile, type KysoConfig } from "./config.js";
import { errorText } from "./messages/errors.js";
import { isMessageKey, resolveLang, setLang, t, yargsStrings, type Lang } from "./messages/index.js";
import { setZone } from "./time.js";

/** The value of `--NAME VALUE` or `--NAME=VALUE` in argv, read before yargs parses (the help it prints depends on it). */
function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}

/**
 * The language of this run (--lang, KYSO_LANG, the config file, the locale) and the zone of the
 * times it shows (--timezone, KYSO_TIMEZONE, the config file; none: Vietnam time). A broken config
 * file or zone is the command's error to report.
 */
export function settingsOfRun(argv: readonly string[], io: Pick<Io, "env" | "cwd">): { lang: Lang; zone?: string } {
  const flag = flagValue(argv, "lang");
  let config: KysoConfig | undefined;
  const file = (): KysoConfig => {
    if (config === undefined) {
      try {
        config = readConfigFile(flagValue(argv, "config"), io);
      } catch {
        config = {};
      }
    }
    return config;
  };
  const lang = resolveLang({ flag, env: io.env, config: !flag && !io.env.KYSO_LANG ? file().lang : undefined });
  const zone = flagValue(argv, "timezone") || io.env.KYSO_TIMEZONE || (file().timezone as string | undefined);
  return { lang, ...(zone && isTimeZone(zone) ? { zone } : {}) };
}

/** The language of this run. */
export function langOfRun(argv: readonly string[], io: Pick<Io, "env" | "cwd">): Lang {
  return settingsOfRun(argv, io).lang;
}

/** Parses argv, runs one command and returns its exit code. Never calls process.exit. */
export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    const { kysoVersion } = await import("./commands/version/index.js");
    io.stdout.write(`${kysoVersion()}\n`);
    return 0;
  }
  let exitCode = 0;
  let ran = false;
  const run = settingsOfRun(argv, io);
  const lang = run.lang;
  setLang(lang);
  setZone(run.zone);
  const parser = yargs(argv)
    .scriptName("kyso")
    // yargs' own texts ("Options:", "Show help", its errors) from the catalogue; a locale of its
    // own per language, so that one run's strings never leak into the next (tests run in-process).
    .locale(lang)
    .updateStrings((lang === "vi" ? yargsStrings("vi") : {}) as Record<string, string>)
    .strict()
    .demandCommand(1, t("main.demandCommand"))
    .help("help", t("yargs.Show help"))
    .alias("h", "help")
    .version(false)
    // Defaults for flags: flags > KYSO_* environment > this file (cli/src/config.ts, applyConfig).
    .option("config", { type: "string", global: true, describe: t("main.opt.config") })
    .option("lang", { type: "string", global: true, describe: t("main.opt.lang") })
    .epilogue(t("main.epilogue"))
    .wrap(Math.min(110, (io.stdout as { columns?: number }).columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new KysoError("USAGE", `${msg}\n\n${t("main.usageHint")}`);
    });
  // yargs renders (and caches) the whole help text of a command every time it runs one, so that it
  // could print it after a failure; kyso never does, and the rendering costs ~40 ms of start-up.
  const internals = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internals?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
  for (const c of await loadCommands(argv)) {
    parser.command({
      command: c.command,
      describe: isMessageKey(c.describe) ? t(c.describe) : c.describe,
      builder: c.builder,
      handler: async (args) => {
        ran = true;
        exitCode = await c.run(args, io);
      },
    });
  }
  try {
    await parser.parseAsync();
    return ran ? exitCode : 0;
  } catch (e) {
    io.stderr.write(`kyso: ${errorText(e, lang)}\n`);
    if (e instanceof KysoError) return e.code === "USAGE" || e.code.startsWith("P11_") || e.code.startsWith("PIN") ? 2 : exitCodeFor(e);
    return 2;
  }
}

function exitCodeFor(e: KysoError): number {
  return (e.details?.exitCode as number | undefined) ?? 2;
}
