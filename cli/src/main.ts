import yargs from "yargs";
import { KysoError, describeError } from "@kyso/core";
import type { Io } from "./command.js";
import { loadCommands } from "./commands/index.js";

/** Parses argv, runs one command and returns its exit code. Never calls process.exit. */
export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    const { kysoVersion } = await import("./commands/version/index.js");
    io.stdout.write(`${kysoVersion()}\n`);
    return 0;
  }
  let exitCode = 0;
  let ran = false;
  const parser = yargs(argv)
    .scriptName("kyso")
    .strict()
    .demandCommand(1, "Name a command, for example: kyso sign --help")
    .help()
    .alias("h", "help")
    .version(false)
    // Defaults for flags: flags > KYSO_* environment > this file (cli/src/config.ts, applyConfig).
    .option("config", { type: "string", global: true, describe: "Config file with defaults (default $XDG_CONFIG_HOME/kyso/config.json)" })
    .epilogue("Defaults come from the flags, then KYSO_* variables (KYSO_PKCS11_LIB, KYSO_TOKEN_LABEL, KYSO_KEY_LABEL, KYSO_REASON, KYSO_LOCATION, KYSO_OUT_DIR, KYSO_LANG ...), then the config file.")
    .wrap(Math.min(110, (io.stdout as { columns?: number }).columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new KysoError("USAGE", `${msg}\n\nRun "kyso --help" or "kyso <command> --help" for usage.`);
    });
  // yargs renders (and caches) the whole help text of a command every time it runs one, so that it
  // could print it after a failure; kyso never does, and the rendering costs ~40 ms of start-up.
  const internals = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internals?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
  for (const c of await loadCommands(argv)) {
    parser.command({
      command: c.command,
      describe: c.describe,
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
    io.stderr.write(`kyso: ${describeError(e)}\n`);
    if (e instanceof KysoError) return e.code === "USAGE" || e.code.startsWith("P11_") || e.code.startsWith("PIN") ? 2 : exitCodeFor(e);
    return 2;
  }
}

function exitCodeFor(e: KysoError): number {
  return (e.details?.exitCode as number | undefined) ?? 2;
}
