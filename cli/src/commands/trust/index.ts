import type { Argv } from "yargs";
import { KysoError, describeError } from "@kyso/core";
import { defineCommand, type Io } from "../../command.js";
import { signerOptions } from "../../signer-options.js";
import { runAdd, runList, runRemove, runShow } from "./store-actions.js";
import { runExport, runImport } from "./tsl-actions.js";
import { t } from "../../messages/index.js";

const ACTIONS = ["list", "show", "add", "remove", "export", "import"] as const;

const USAGE = `kyso trust <action> ...

  kyso trust list [--json] [--no-default-trust]
  kyso trust show <sha256-prefix|certificate file> [--json]
  kyso trust add <certificate files (PEM or DER)...> [--role anchor|intermediate]
  kyso trust remove <sha256-prefix>
  kyso trust export --tsl FILE [--scheme-operator NAME] [--sequence N] [--next-update DATE] [--force]
                    (--p12 FILE | --token-label L --key-label K [--pin-file F]) [--no-default-trust]
  kyso trust import --tsl FILE --tsl-signer CERT

The trust store is the Vietnamese roots and intermediates bundled with Kyso (Government CA G1 and
G2, the Vietnam National Root CA and their intermediates) plus a local store in
$XDG_DATA_HOME/kyso/trust (else ~/.local/share/kyso/trust) for a province's own additions. Roots
are trust anchors; intermediates only help build certification paths. "add" makes a self-signed
certificate an anchor and any other an intermediate unless --role says otherwise. "export" writes
the store as an ETSI TS 119 612 trusted list signed with XMLDSig; "import" adds a list's
certificates only if its signature verifies with the given certificate. Exit status: 0 done,
1 refused or invalid input, 2 usage, token or PIN error.`;

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
      io.stderr.write(`kyso: ${describeError(e)} [${e.code}]\n`);
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
        .usage(USAGE)
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
      const want = (n: number, what: string) => {
        if (rest.length !== n) throw new KysoError("USAGE", `kyso trust ${args.action} takes ${what}`);
      };
      const a = args as unknown as Record<string, never>;
      switch (args.action) {
        case "list":
          want(0, "no positional arguments");
          return runList(a, io);
        case "show":
          want(1, "one SHA-256 prefix or certificate file");
          return runShow({ ...a, target: rest[0] }, io);
        case "add":
          if (rest.length === 0) throw new KysoError("USAGE", "kyso trust add takes one or more certificate files");
          return runAdd({ ...a, files: rest }, io);
        case "remove":
          want(1, "one SHA-256 prefix");
          return runRemove({ ...a, prefix: rest[0] }, io);
        case "export":
          want(0, "no positional arguments");
          if (!args.tsl) throw new KysoError("USAGE", "kyso trust export needs --tsl FILE");
          return runExport({ ...a, tsl: String(args.tsl) }, io);
        case "import":
          want(0, "no positional arguments");
          if (!args.tsl || !args.tslSigner) throw new KysoError("USAGE", "kyso trust import needs --tsl FILE and --tsl-signer CERT");
          return runImport({ ...a, tsl: String(args.tsl), tslSigner: String(args.tslSigner) }, io);
        default:
          throw new KysoError("USAGE", `Unknown action "trust ${String(args.action)}"`);
      }
    }),
});
