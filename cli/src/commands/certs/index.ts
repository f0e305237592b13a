import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { inputErrorsExit1, registryOptions } from "../../registry-cli.js";
import { runImport } from "./import.js";
import { runList, runShow } from "./query.js";
import { runCorrect, runRenew, runRevoke, runSyncCrl } from "./change.js";
import { runReport } from "./report.js";
import { humanFor } from "./human.js";

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
  describe: "Issuance registry of certificates: import, list, show, revoke, renew, CRL sync, reports",
  builder: (y) =>
    registryOptions(
      y
        .usage(USAGE)
        .positional("action", { choices: ACTIONS, describe: "What to do" })
        .positional("args", { type: "string", array: true, describe: "Files, a serial, or <old serial> <new file>, by action" })
        .option("holder", { type: "string", describe: "import, correct: officer's full name, or the organization for a seal certificate" })
        .option("unit", { type: "string", describe: "import, correct: the holder's unit code; list, report: this unit and those below" })
        .option("type", { choices: TYPES, describe: "import, correct: personal (an officer) or organization (a seal)" })
        .option("token-serial", { type: "string", describe: "import, renew, correct: serial of the USB token holding the key" })
        .option("issued-at", { type: "string", describe: "import, renew: day of issue (default the certificate's notBefore)" })
        .option("title", { type: "string", describe: "import: officer's title" })
        .option("identity-number", { type: "string", describe: "import: identity number (default the subject's UID, e.g. CCCD:...)" })
        .option("email", { type: "string", describe: "import: holder's e-mail" })
        .option("csv", { type: "string", describe: "import: bulk CSV FILE; list, report: print CSV (no value)" })
        .option("from-token", { type: "boolean", describe: "import: read the certificates on the inserted PKCS#11 token (no PIN)" })
        .option("pkcs11-lib", { type: "string", describe: "import --from-token: PKCS#11 library (default $KYSO_PKCS11_LIB)" })
        .option("token-label", { type: "string", describe: "import --from-token: which token, when several are present" })
        .option("skip-invalid", { type: "boolean", describe: "import: import the valid items, list the rejected (exit 1)" })
        .option("status", { choices: STATUSES, describe: "list: only this status (expired = active but past notAfter)" })
        .option("expiring-within", { type: "number", describe: "list: only active certificates expiring within DAYS" })
        .option("reason", { type: "string", describe: "revoke: RFC 5280 reason (keyCompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, ...)" })
        .option("date", { type: "string", describe: "revoke: day or ISO time of revocation (default now)" })
        .option("issuer-cert", { type: "string", describe: "sync-crl: check the CRL's signature with this CA certificate" })
        .option("from", { type: "string", describe: "report: first day (default 1 January this year)" })
        .option("to", { type: "string", describe: "report: last day, inclusive (default today)" })
        .option("html", { type: "string", describe: "report: write a self-contained HTML page with charts to FILE" })
        .option("force", { type: "boolean", describe: "report --html: replace an existing file" })
        .option("lang", { choices: ["vi", "en"] as const, describe: "Language of the output and the HTML report (default $KYSO_LANG, the config file, the locale)" })
        .option("timezone", { type: "string", describe: "Zone of the times shown (default $KYSO_TIMEZONE, the config file, else +07:00)" })
        .option("json", { type: "boolean", describe: "Print JSON" })
        .example('$0 certs import an.pem --holder "Nguyễn Văn An" --unit PY-STP --type personal --token-serial 5B0A1C', "one officer's certificate")
        .example('$0 certs import seal.p7b --holder "UBND tỉnh Phú Yên" --unit PY --type organization', "a seal certificate from a PKCS#7 bundle")
        .example("$0 certs import --csv issued-2026.csv", "all rows or none; rejected rows are listed as line N")
        .example("$0 certs import --from-token --unit PY-TH", "what is on the inserted token")
        .example("$0 certs list --expiring-within 30 --unit PY-TH", "who needs a renewal this month")
        .example("$0 certs show 25:B8:3E:FD:B6:90:A4:18:22:29:CB:3A:1D:71:EC:DD", "details and history")
        .example("$0 certs revoke 51e1d3b5c4e32f8f6955d90776270423 --reason keyCompromise --date 2026-03-02", "")
        .example("$0 certs renew 25b83efdb690a4182229cb3a1d71ecdd an-2027.pem", "")
        .example("$0 certs sync-crl http://ca.example.vn/crl/intermediate.crl", "")
        .example("$0 certs report --from 2026-01-01 --to 2026-12-31 --json", "figures for the year")
        .example("$0 certs report --unit PY-TH --html tuy-hoa-2026.html", "a page to open or print"),
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
