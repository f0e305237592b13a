import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { writeJson, writeTable } from "../../registry-cli.js";
import { dbOption, withAccounts } from "../users/accounts-cli.js";
import { tableTime } from "../users/index.js";
import { t } from "../../messages/index.js";

const SCOPES = ["inbox:write", "verify", "registry:read"] as const;
const ACTIONS = ["create", "list", "revoke"] as const;

interface ApiKeysArgs {
  action: (typeof ACTIONS)[number];
  name?: string;
  scope?: (typeof SCOPES)[number][];
  db?: string;
  json?: boolean;
}

export const apiKeysCommand = defineCommand<ApiKeysArgs>({
  command: "api-keys <action> [name]",
  describe: "api-keys.describe",
  builder: (y) =>
    y
      .usage(t("api-keys.usage"))
      .positional("action", { choices: ACTIONS, describe: t("api-keys.opt.action") })
      .positional("name", { type: "string", describe: t("api-keys.opt.name") })
      .option("scope", { choices: SCOPES, array: true, describe: t("api-keys.opt.scope") })
      .option("db", dbOption)
      .option("json", { type: "boolean", describe: t("api-keys.opt.json") })
      .example(t("api-keys.example.1.cmd"), t("api-keys.example.1.text")) as unknown as Argv<ApiKeysArgs>,
  run: async (args, io) => {
    switch (args.action) {
      case "create": {
        if (!args.name) throw new KysoError("USAGE", t("api-keys.err.createName"));
        if (!args.scope?.length) throw new KysoError("USAGE", t("api-keys.err.createScope", { scopes: SCOPES.join(", ") }));
        return withAccounts(args.db, io, async (a, audit) => {
          const k = await a.createApiKey(args.name!, args.scope!);
          await audit("api-key.create", k.name, { scopes: k.scopes });
          // The key alone on stdout (KEY=$(kyso api-keys create ...)); it cannot be shown again.
          io.stdout.write(`${k.key}\n`);
          io.stderr.write(`${t("api-keys.out.created", { name: k.name, scopes: k.scopes.join(", ") })}\n`);
          return 0;
        });
      }
      case "list":
        return withAccounts(args.db, io, async (a) => {
          const keys = await a.listApiKeys();
          if (args.json) writeJson(io, keys);
          else
            writeTable(
              io,
              t("api-keys.list.header").split(","),
              keys.map((k) => [
                k.name,
                k.scopes.join(","),
                `${k.prefix}…`,
                k.revokedAt ? t("api-keys.state.revoked", { date: tableTime(k.revokedAt) }) : t("api-keys.state.active"),
                tableTime(k.createdAt),
                k.lastUsedAt ? tableTime(k.lastUsedAt) : "-",
              ]),
            );
          return 0;
        });
      case "revoke":
        if (!args.name) throw new KysoError("USAGE", t("api-keys.err.revokeName"));
        return withAccounts(args.db, io, async (a, audit) => {
          await a.revokeApiKey(args.name!);
          await audit("api-key.revoke", args.name!);
          io.stdout.write(`${t("api-keys.out.revoked", { name: args.name! })}\n`);
          return 0;
        });
      default:
        throw new KysoError("USAGE", t("err.unknownActionOf", { command: "api-keys", action: String(args.action), actions: ACTIONS.join(", ") }));
    }
  },
});
