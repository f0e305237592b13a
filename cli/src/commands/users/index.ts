import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { writeJson, writeTable } from "../../registry-cli.js";
import { dbOption, obtainPassword, withAccounts } from "./accounts-cli.js";
import { isMessageKey, t } from "../../messages/index.js";
import { shownTime } from "../../time.js";

/** A role as the person reads it: the code in English (as typed in --role), a word in Vietnamese. */
function roleText(role: string): string {
  const key = `users.role.${role}`;
  return isMessageKey(key) ? t(key) : role;
}

/** A time in a table: Vietnam time (or the configured zone) in the run's language's format. */
export const tableTime = (iso: string): string => shownTime(iso);

const ROLES = ["clerk", "admin", "auditor"] as const;
const ACTIONS = ["add", "list", "disable", "enable", "passwd"] as const;

interface UsersArgs {
  action: (typeof ACTIONS)[number];
  name?: string;
  role?: (typeof ROLES)[number];
  passwordFile?: string;
  db?: string;
  json?: boolean;
}

/*
 * One positional action, as `kyso units`: main.ts calls the top-level command's run() with io.
 */
export const usersCommand = defineCommand<UsersArgs>({
  command: "users <action> [name]",
  describe: "users.describe",
  builder: (y) =>
    y
      .usage(t("users.usage"))
      .positional("action", { choices: ACTIONS, describe: t("users.opt.action") })
      .positional("name", { type: "string", describe: t("users.opt.name") })
      .option("role", { choices: ROLES, describe: t("users.opt.role") })
      .option("password-file", { type: "string", describe: t("users.opt.password-file") })
      .option("db", dbOption)
      .option("json", { type: "boolean", describe: t("users.opt.json") })
      .example(t("users.example.1.cmd"), t("users.example.1.text"))
      .example(t("users.example.2.cmd"), t("users.example.2.text")) as unknown as Argv<UsersArgs>,
  run: async (args, io) => {
    const needName = (): string => {
      if (!args.name) throw new KysoError("USAGE", t("users.err.needsName", { action: args.action }));
      return args.name;
    };
    switch (args.action) {
      case "add": {
        const name = needName();
        if (!args.role) throw new KysoError("USAGE", t("users.err.addRole"));
        return withAccounts(args.db, io, async (a, audit) => {
          const u = await a.addUser(name, args.role!, await obtainPassword(io, args.passwordFile, name));
          await audit("user.add", u.name, { role: u.role });
          io.stdout.write(`${t("users.out.added", { name: u.name, role: roleText(u.role) })}\n`);
          return 0;
        });
      }
      case "list":
        return withAccounts(args.db, io, async (a) => {
          const users = await a.listUsers();
          if (args.json) writeJson(io, users);
          else
            writeTable(
              io,
              t("users.list.header").split(","),
              users.map((u) => [u.name, roleText(u.role), t(u.disabled ? "users.state.disabled" : "users.state.active"), tableTime(u.createdAt)]),
            );
          return 0;
        });
      case "disable":
      case "enable": {
        const name = needName();
        return withAccounts(args.db, io, async (a, audit) => {
          await a.setDisabled(name, args.action === "disable");
          await audit(`user.${args.action}`, name);
          io.stdout.write(`${t(args.action === "disable" ? "users.out.disabled" : "users.out.enabled", { name })}\n`);
          return 0;
        });
      }
      case "passwd": {
        const name = needName();
        return withAccounts(args.db, io, async (a, audit) => {
          if (!(await a.user(name))) throw new KysoError("USER_NOT_FOUND", t("users.err.notFound", { name }));
          await a.setPassword(name, await obtainPassword(io, args.passwordFile, name));
          await audit("user.passwd", name);
          io.stdout.write(`${t("users.out.passwd", { name })}\n`);
          return 0;
        });
      }
      default:
        throw new KysoError("USAGE", t("err.unknownActionOf", { command: "users", action: String(args.action), actions: ACTIONS.join(", ") }));
    }
  },
});
