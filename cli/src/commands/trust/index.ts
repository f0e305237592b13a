import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand, type Io } from "../../command.js";
import { signerOptions } from "../../signer-options.js";
import { runAdd, runList, runRemove, runShow } from "./store-actions.js";
import { runExport, runImport } from "./tsl-actions.js";
import { currentLang, t, type MessageKey } from "../../messages/index.js";
import { errorText } from "../../messages/errors.js";

const ACTIONS = ["list", "show", "add", "remove", "export", "import"] as const;

interface TrustArgs {
  action: (typeof ACTIONS)[number];
  args?: string[];
  [k: string]: unknown;
}

/** Refusals of this command (a bad certificate, a list that does not verify, ...) exit 1. */
const REFUSED = /^(TRUST_|TSL_)|^(FILE_UNREADABLE|OUTPUT_EXISTS)$/;

async function refusalsExit1(io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof KysoError && REFUSED.test(e.code)) {
      io.stderr.write(`kyso: ${errorText(e, currentLang())} [${e.code}]\n`);
      return 1;
    }
    throw e;
  }
}

export const trustCommand = defineCommand<TrustArgs>({
  command: "trust <action> [args..]",
  describe: "trust.describe",
  builder: (y) =>
    signerOptions(
      y
        .usage(t("trust.usage"))
        .positional("action", { choices: ACTIONS, describe: t("trust.opt.action") })
        .positional("args", { type: "string", array: true, describe: t("trust.opt.args") })
        .option("json", { type: "boolean", describe: t("trust.opt.json") })
        .option("default-trust", { type: "boolean", default: true, describe: t("trust.opt.default-trust") })
        .option("role", { choices: ["anchor", "intermediate"] as const, describe: t("trust.opt.role") })
        .option("tsl", { type: "string", describe: t("trust.opt.tsl") })
        .option("tsl-signer", { type: "string", describe: t("trust.opt.tsl-signer") })
        .option("scheme-operator", { type: "string", describe: t("trust.opt.scheme-operator") })
        .option("sequence", { type: "number", describe: t("trust.opt.sequence") })
        .option("next-update", { type: "string", describe: t("trust.opt.next-update") })
        .option("force", { type: "boolean", describe: t("trust.opt.force") })
        .example(t("trust.example.1.cmd"), t("trust.example.1.text"))
        .example(t("trust.example.2.cmd"), t("trust.example.2.text"))
        .example(t("trust.example.3.cmd"), t("trust.example.3.text"))
        .example(t("trust.example.4.cmd"), t("trust.example.4.text")),
    ) as unknown as Argv<TrustArgs>,
  run: async (args, io) =>
    refusalsExit1(io, async () => {
      const rest = (args.args ?? []).map(String);
      const want = (n: number, what?: MessageKey) => {
        if (rest.length !== n)
          throw new KysoError("USAGE", what ? t("err.takes", { command: "trust", action: args.action, what: t(what) }) : t("err.takesNone", { command: "trust", action: args.action }));
      };
      const a = args as unknown as Record<string, never>;
      switch (args.action) {
        case "list":
          want(0);
          return runList(a, io);
        case "show":
          want(1, "trust.takes.show");
          return runShow({ ...a, target: rest[0] }, io);
        case "add":
          if (rest.length === 0) throw new KysoError("USAGE", t("trust.err.addFiles"));
          return runAdd({ ...a, files: rest }, io);
        case "remove":
          want(1, "trust.takes.prefix");
          return runRemove({ ...a, prefix: rest[0] }, io);
        case "export":
          want(0);
          if (!args.tsl) throw new KysoError("USAGE", t("trust.err.exportTsl"));
          return runExport({ ...a, tsl: String(args.tsl) }, io);
        case "import":
          want(0);
          if (!args.tsl || !args.tslSigner) throw new KysoError("USAGE", t("trust.err.importNeeds"));
          return runImport({ ...a, tsl: String(args.tsl), tslSigner: String(args.tslSigner) }, io);
        default:
          throw new KysoError("USAGE", t("err.unknownAction", { command: "trust", action: String(args.action) }));
      }
    }),
});
