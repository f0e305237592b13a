import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import type { TokenRecord } from "@kyso/registry";
import { defineCommand, type Io } from "../../command.js";
import { inputErrorsExit1, registryOptions, withRegistry, writeJson, writeTable, type RegistryArgs } from "../../registry-cli.js";

const STATUSES = ["in_stock", "issued", "returned", "lost", "locked", "destroyed"] as const;
const CHANGES = ["issue", "return", "lost", "lock", "unlock", "destroy", "pin-reset"] as const;

interface TokensArgs extends RegistryArgs {
  serial?: string;
  manufacturer?: string;
  model?: string;
  status?: (typeof STATUSES)[number];
  holder?: string;
  unit?: string;
  note?: string;
  json?: boolean;
}

function printToken(io: Io, t: TokenRecord): void {
  io.stdout.write(`${t.serial}: ${t.status}${t.holder ? `, ${t.holder} (${t.unit})` : ""}${t.manufacturer ? `, ${t.manufacturer}` : ""}${t.model ? ` ${t.model}` : ""}\n`);
}

async function run(action: string, args: TokensArgs, io: Io): Promise<number> {
  return withRegistry(args, io, async (r) => {
    if (action === "add") {
      const t = await r.addToken({ serial: args.serial!, manufacturer: args.manufacturer, model: args.model });
      if (args.json) writeJson(io, t);
      else printToken(io, t);
      return 0;
    }
    if (action === "list") {
      const list = await r.listTokens({ status: args.status });
      if (args.json) writeJson(io, list);
      else writeTable(io, ["SERIAL", "STATUS", "HOLDER", "UNIT", "MODEL"], list.map((t) => [t.serial, t.status, t.holder ?? "-", t.unit ?? "-", [t.manufacturer, t.model].filter(Boolean).join(" ") || "-"]));
      return 0;
    }
    if (action === "show") {
      const found = await r.getToken(args.serial!);
      if (!found) throw new KysoError("TOKEN_NOT_FOUND", `No token ${args.serial} in the registry`);
      if (args.json) writeJson(io, { ...found.token, history: found.history });
      else {
        printToken(io, found.token);
        for (const e of found.history) io.stdout.write(`  ${e.at}  ${e.kind.padEnd(15)} by ${e.actor}  ${JSON.stringify(e.details)}\n`);
      }
      return 0;
    }
    if ((CHANGES as readonly string[]).includes(action)) {
      const t = await r.changeToken(args.serial!, action as (typeof CHANGES)[number], {
        holder: args.holder ? { name: args.holder } : undefined,
        unit: args.unit,
        note: args.note,
      });
      if (args.json) writeJson(io, t);
      else printToken(io, t);
      return 0;
    }
    throw new KysoError("USAGE", `Unknown subcommand "tokens ${action}"`);
  });
}

/*
 * One positional action rather than yargs subcommands: main.ts calls the top-level command's run()
 * (which is what receives io), and a yargs subcommand's handler would replace that call.
 */
export const tokensCommand = defineCommand<TokensArgs & { action: string }>({
  command: "tokens <action> [serial]",
  describe: "USB e-Tokens: stock, issue, return, lost, lock, PIN reset, destroy (every change kept in the history)",
  builder: (y) =>
    registryOptions(
      y
        .usage(
          [
            "kyso tokens <action> ...",
            "",
            "  kyso tokens add <serial> [--manufacturer M] [--model M]     take a token into stock",
            "  kyso tokens list [--status S] [--json]",
            "  kyso tokens show <serial> [--json]                          the token and its history",
            "  kyso tokens issue <serial> --holder NAME --unit CODE         hand it to an officer",
            "  kyso tokens return|lost|lock|unlock|pin-reset|destroy <serial> [--note TEXT]",
            "",
            "Statuses: in_stock, issued, returned, lost, locked, destroyed. A PIN reset unlocks a locked token.",
          ].join("\n"),
        )
        .positional("action", { choices: ["add", "list", "show", ...CHANGES] as const, describe: "What to do" })
        .positional("serial", { type: "string", describe: "Token serial, as the token reports it" })
        .option("manufacturer", { type: "string", describe: "add: manufacturer" })
        .option("model", { type: "string", describe: "add: model" })
        .option("status", { choices: STATUSES, describe: "list: only this status" })
        .option("holder", { type: "string", describe: "issue: officer's full name" })
        .option("unit", { type: "string", describe: "issue: officer's unit code" })
        .option("note", { type: "string", describe: "Free text for the history" })
        .option("json", { type: "boolean", describe: "Print JSON" })
        .example('$0 tokens add 0A1B2C3D --manufacturer Feitian --model ePass2003', "")
        .example('$0 tokens issue 0A1B2C3D --holder "Trần Thị Bình" --unit PY-STP', "")
        .example('$0 tokens lost 0A1B2C3D --note "reported by phone"', "")
        .example("$0 tokens list --status locked", ""),
    ) as unknown as Argv<TokensArgs & { action: string }>,
  run: async (args, io) =>
    inputErrorsExit1(io, async () => {
      if (args.action !== "list" && !args.serial) throw new KysoError("USAGE", `kyso tokens ${args.action} needs <serial>`);
      if (args.action === "issue" && (!args.holder || !args.unit)) throw new KysoError("USAGE", "kyso tokens issue needs --holder and --unit");
      return run(args.action, args, io);
    }),
});
