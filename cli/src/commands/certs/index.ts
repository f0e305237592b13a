import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { inputErrorsExit1, registryOptions } from "../../registry-cli.js";
import { runImport } from "./import.js";
import { runList, runShow } from "./query.js";
import { runCorrect, runRenew, runRevoke, runSyncCrl } from "./change.js";
import { runReport } from "./report.js";
import { humanFor } from "./human.js";
import { t } from "../../messages/index.js";

const ACTIONS = ["import", "list", "show", "revoke", "renew", "correct", "sync-crl", "report"] as const;
const STATUSES = ["active", "revoked", "expired", "suspended"] as const;
const TYPES = ["personal", "organization"] as const;

const USAGE = `kyso certs <action> ...

  kyso certs import <files (PEM, DER, P7B)...> --holder NAME --unit CODE --type personal|organization
                    [--token-serial S] [--issued-at DATE] [--title T] [--identity-number N] [--email E]
  kyso certs import --csv FILE [--skip-invalid]
  kyso certs import --from-token --unit CODE [--holder NAME] [--pkcs11-lib PATH] [--token-label L]
  kyso certs list [--status S] [--unit CODE] [--expiring-within DAYS] [--json|--csv]
  kyso certs show <serial|fingerprint> [--json]
  kyso certs revoke <serial> --reason R [--date D]
  kyso certs renew <old serial> <new cert file> [--issued-at DATE] [--token-serial S]
  kyso certs correct <serial> [--holder NAME] [--unit CODE] [--type T] [--token-serial S]
  kyso certs sync-crl <CRL file or URL> [--issuer-cert FILE]
  kyso certs report [--from D] [--to D] [--unit CODE] [--json|--csv|--html FILE [--force]]

Serials are hexadecimal, in either case, with or without colons. Days are YYYY-MM-DD in Vietnam
(UTC+07:00). Import CSV header: holder,unit,type and file or certificate, optionally
token_serial,issued_at,title,identity_number,email (file relative to the CSV; certificate as base64
DER or PEM text). Exit status: 0 done, 1 some input rejected (nothing imported unless
--skip-invalid), 2 usage error.`;

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
        .usage(USAGE)
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
      const want = (n: number, what: string) => {
        if (rest.length !== n) throw new KysoError("USAGE", `kyso certs ${args.action} takes ${what}`);
      };
      const flagOnly = (name: "csv") => {
        if (typeof args[name] === "string" && args[name] !== "")
          throw new KysoError("USAGE", `kyso certs ${args.action} --${name} takes no value (got "${args[name]}")`);
        return args[name] !== undefined;
      };
      // Each action reads only the options listed for it above; yargs has checked their types.
      switch (args.action) {
        case "import":
          return runImport({ ...(args as object), human, files: rest } as never, io);
        case "list":
          want(0, "no positional arguments");
          return runList({ ...(args as object), human, csv: flagOnly("csv") } as never, io);
        case "show":
          want(1, "one serial or fingerprint");
          return runShow({ ...(args as object), human, serial: rest[0] } as never, io);
        case "revoke":
          want(1, "one serial or fingerprint");
          if (!args.reason) throw new KysoError("USAGE", "kyso certs revoke needs --reason");
          return runRevoke({ ...(args as object), human, serial: rest[0] } as never, io);
        case "renew":
          want(2, "<old serial> <new certificate file>");
          return runRenew({ ...(args as object), human, oldSerial: rest[0], file: rest[1] } as never, io);
        case "correct":
          want(1, "one serial or fingerprint");
          return runCorrect({ ...(args as object), human, serial: rest[0] } as never, io);
        case "sync-crl":
          want(1, "one CRL file or URL");
          return runSyncCrl({ ...(args as object), human, source: rest[0] } as never, io);
        case "report":
          want(0, "no positional arguments");
          return runReport({ ...(args as object), human, csv: flagOnly("csv") } as never, io);
        default:
          throw new KysoError("USAGE", `Unknown action "certs ${String(args.action)}"`);
      }
    }),
});
