import type { Accounts } from "@kyso/accounts";
import { KysoError } from "@kyso/core";
import type { Io } from "../../command.js";
import { flushed } from "../../registry-cli.js";
import { promptHidden } from "../../secrets.js";
import { currentLang, t } from "../../messages/index.js";
import { codedErrorText } from "../../messages/errors.js";

/** Refusals of these commands that exit 1 with their message (usage errors exit 2). */
const ACCOUNT_ERRORS = new Set(["USER_EXISTS", "USER_NOT_FOUND", "API_KEY_EXISTS", "API_KEY_NOT_FOUND", "API_KEY_REVOKED", "PASSWORD_POLICY", "PASSWORD_MISMATCH", "FILE_UNREADABLE"]);

/** Records a change made from the command line in the database's audit chain (issue 12: every state change). */
export type AuditCli = (action: string, target: string, details?: Record<string, unknown>) => Promise<void>;

/**
 * Runs `fn` with the accounts of the database named by --db, KYSO_DB or the default location (the
 * same one `kyso serve` uses), and always closes it. `audit` appends to that database's audit
 * chain, the actor being the system user who ran the command.
 */
export async function withAccounts(db: string | undefined, io: Io, fn: (a: Accounts, audit: AuditCli) => Promise<number>): Promise<number> {
  try {
    const { Accounts, ACCOUNTS_MIGRATIONS } = await import("@kyso/accounts");
    const { AUDIT_MIGRATIONS, appendAudit } = await import("@kyso/audit");
    const { defaultDbSpec, openDatabase } = await import("@kyso/db");
    const { userInfo } = await import("node:os");
    const database = await openDatabase(db ?? io.env.KYSO_DB ?? defaultDbSpec(io.env), { cwd: io.cwd, migrations: [ACCOUNTS_MIGRATIONS, AUDIT_MIGRATIONS] });
    const accounts = new Accounts(database);
    const actor = { kind: "system" as const, name: io.env.USER ?? io.env.LOGNAME ?? userInfo().username };
    const audit: AuditCli = async (action, target, details) => {
      await appendAudit(database, { actor, source: "cli", action, target, outcome: "ok", details });
    };
    try {
      return await fn(accounts, audit);
    } finally {
      await accounts.close();
    }
  } catch (e) {
    if (e instanceof KysoError && ACCOUNT_ERRORS.has(e.code)) {
      io.stderr.write(`kyso: ${codedErrorText(e, currentLang())}\n`);
      return 1;
    }
    throw e;
  } finally {
    await Promise.all([flushed(io.stdout), flushed(io.stderr)]);
  }
}

/**
 * A new password: $KYSO_PASSWORD, else --password-file (its first line), else asked twice on the
 * terminal without echo. Never a flag value (it would show in `ps` and the shell history), never
 * printed or logged.
 */
export async function obtainPassword(io: Io, file: string | undefined, who: string): Promise<string> {
  if (file) {
    const { readFile } = await import("node:fs/promises");
    const { resolve } = await import("node:path");
    try {
      return (await readFile(resolve(io.cwd, file), "utf8")).split(/\r?\n/)[0];
    } catch (e) {
      throw new KysoError("FILE_UNREADABLE", t("prompt.passwordFileUnreadable", { file, code: (e as NodeJS.ErrnoException).code ?? "error" }));
    }
  }
  if (io.env.KYSO_PASSWORD !== undefined) return io.env.KYSO_PASSWORD;
  const first = await promptHidden(io, t("prompt.userPassword", { who }), t("prompt.userPasswordWhat", { who }));
  const again = await promptHidden(io, t("prompt.again"), t("prompt.userPasswordWhat", { who }));
  if (first !== again) throw new KysoError("PASSWORD_MISMATCH", t("prompt.passwordMismatch"));
  return first;
}

export const dbOption = {
  type: "string",
  // A getter: this object is built once, its text is read in the language of each run.
  get describe(): string {
    return t("users.opt.db");
  },
} as const;
