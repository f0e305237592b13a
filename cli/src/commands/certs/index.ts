import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { inputErrorsExit1, registryOptions } from "../../registry-cli.js";
import { runImport } from "./import.js";
import { runList, runShow } from "./query.js";
import { runCorrect, runRenew, runRevoke, runSyncCrl } from "./change.js";
import { runReport } from "./report.js";
import { humanFor } from "./human.js";
import { t, type MessageKey } from "../../messages/index.js";

const ACTIONS = ["import", "list", "show", "revoke", "renew", "correct", "sync-crl", "report"] as const;
const STATUSES = ["active", "revoked", "expired", "suspended"] as const;
const TYPES = ["personal", "organization"] as const;

interface CertsArgs {
  action: (typeof ACTIONS)[number];
  args?: string[];
  csv?: string;
  [k: string]: unknown;
}

/*
 * One positional action rather than yargs subcommands: main.ts calls the top-level command's run()
 * (which is what receives io), and a yargs subcommand's handler would replace that call.
 */
export const certsCommand = defineCommand<CertsArgs>({
  command: "certs <action> [args..]",
  describe: "certs.describe",
  builder: (y) =>
    registryOptions(
      y
        .usage(t("certs.usage"))
        .positional("action", { choices: ACTIONS, describe: t("certs.opt.action") })
        .positional("args", { type: "string", array: true, describe: t("certs.opt.args") })
        .option("holder", { type: "string", describe: t("certs.opt.holder") })
        .option("unit", { type: "string", describe: t("certs.opt.unit") })
        .option("type", { choices: TYPES, describe: t("certs.opt.type") })
        .option("token-serial", { type: "string", describe: t("certs.opt.token-serial") })
        .option("issued-at", { type: "string", describe: t("certs.opt.issued-at") })
        .option("title", { type: "string", describe: t("certs.opt.title") })
        .option("identity-number", { type: "string", describe: t("certs.opt.identity-number") })
        .option("email", { type: "string", describe: t("certs.opt.email") })
        .option("csv", { type: "string", describe: t("certs.opt.csv") })
        .option("from-token", { type: "boolean", describe: t("certs.opt.from-token") })
        .option("pkcs11-lib", { type: "string", describe: t("certs.opt.pkcs11-lib") })
        .option("token-label", { type: "string", describe: t("certs.opt.token-label") })
        .option("skip-invalid", { type: "boolean", describe: t("certs.opt.skip-invalid") })
        .option("status", { choices: STATUSES, describe: t("certs.opt.status") })
        .option("expiring-within", { type: "number", describe: t("certs.opt.expiring-within") })
        .option("reason", { type: "string", describe: t("certs.opt.reason") })
        .option("date", { type: "string", describe: t("certs.opt.date") })
        .option("issuer-cert", { type: "string", describe: t("certs.opt.issuer-cert") })
        .option("from", { type: "string", describe: t("certs.opt.from") })
        .option("to", { type: "string", describe: t("certs.opt.to") })
        .option("html", { type: "string", describe: t("certs.opt.html") })
        .option("force", { type: "boolean", describe: t("certs.opt.force") })
        .option("lang", { choices: ["vi", "en"] as const, describe: t("certs.opt.lang") })
        .option("timezone", { type: "string", describe: t("certs.opt.timezone") })
        .option("json", { type: "boolean", describe: t("certs.opt.json") })
        .example(t("certs.example.q1.cmd"), t("certs.example.q1.text"))
        .example(t("certs.example.q2.cmd"), t("certs.example.q2.text"))
        .example(t("certs.example.1.cmd"), t("certs.example.1.text"))
        .example(t("certs.example.2.cmd"), t("certs.example.2.text"))
        .example(t("certs.example.3.cmd"), t("certs.example.3.text"))
        .example(t("certs.example.4.cmd"), t("certs.example.4.text"))
        .example(t("certs.example.5.cmd"), t("certs.example.5.text"))
        .example(t("certs.example.6.cmd"), t("certs.example.6.text"))
        .example(t("certs.example.7.cmd"), t("certs.example.7.text"))
        .example(t("certs.example.8.cmd"), t("certs.example.8.text"))
        .example(t("certs.example.9.cmd"), t("certs.example.9.text")),
    ) as unknown as Argv<CertsArgs>,
  run: async (args, io) =>
    inputErrorsExit1(io, async () => {
      // certs import --token-serial names the certificate's token, not the one to sign with: only
      // these settings come from the config file and KYSO_* variables.
      const human = await humanFor(args as Record<string, unknown>, io, ["db", "lang", "timezone", "pkcs11Lib", "tokenLabel"]);
      const rest = (args.args ?? []).map(String);
      const want = (n: number, what?: MessageKey) => {
        if (rest.length !== n)
          throw new KysoError("USAGE", what ? t("err.takes", { command: "certs", action: args.action, what: t(what) }) : t("err.takesNone", { command: "certs", action: args.action }));
      };
      const flagOnly = (name: "csv") => {
        if (typeof args[name] === "string" && args[name] !== "")
          throw new KysoError("USAGE", t("err.flagTakesNoValue", { command: "certs", action: args.action, name, value: String(args[name]) }));
        return args[name] !== undefined;
      };
      // Each action reads only the options listed for it above; yargs has checked their types.
      switch (args.action) {
        case "import":
          return runImport({ ...(args as object), human, files: rest } as never, io);
        case "list":
          want(0);
          return runList({ ...(args as object), human, csv: flagOnly("csv") } as never, io);
        case "show":
          want(1, "certs.takes.serial");
          return runShow({ ...(args as object), human, serial: rest[0] } as never, io);
        case "revoke":
          want(1, "certs.takes.serial");
          if (!args.reason) throw new KysoError("USAGE", t("certs.err.revokeReason"));
          return runRevoke({ ...(args as object), human, serial: rest[0] } as never, io);
        case "renew":
          want(2, "certs.takes.renew");
          return runRenew({ ...(args as object), human, oldSerial: rest[0], file: rest[1] } as never, io);
        case "correct":
          want(1, "certs.takes.serial");
          return runCorrect({ ...(args as object), human, serial: rest[0] } as never, io);
        case "sync-crl":
          want(1, "certs.takes.crl");
          return runSyncCrl({ ...(args as object), human, source: rest[0] } as never, io);
        case "report":
          want(0);
          return runReport({ ...(args as object), human, csv: flagOnly("csv") } as never, io);
        default:
          throw new KysoError("USAGE", t("err.unknownAction", { command: "certs", action: String(args.action) }));
      }
    }),
});
