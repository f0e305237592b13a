import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import type { Database } from "@kyso/db";
import type { AuditEntry } from "@kyso/audit";
import { defineCommand, type Io } from "../../command.js";
import { flushed, writeJson, writeTable } from "../../registry-cli.js";
import { currentLang, t } from "../../messages/index.js";
import { factsText } from "../../messages/errors.js";

interface AuditArgs {
  action?: string;
  db?: string;
  since?: string;
  until?: string;
  only?: string;
  limit?: number;
  json?: boolean;
  against?: string;
}

/**
 * Opens the database without migrating it: checking the audit must not change the database (and
 * an auditor's role may only read). A SQLite file that is not there is not created.
 */
async function openAuditDb(args: AuditArgs, io: Io): Promise<Database> {
  const { openDatabase, parseDbLocation, defaultDbSpec } = await import("@kyso/db");
  const spec = args.db ?? io.env.KYSO_DB ?? defaultDbSpec(io.env);
  const loc = parseDbLocation(spec);
  if (loc.kind === "sqlite") {
    const { existsSync } = await import("node:fs");
    const { resolve } = await import("node:path");
    if (!existsSync(resolve(io.cwd, loc.path))) throw new KysoError("DB_OPEN", t("audit.err.noDb", { path: loc.path }));
  }
  return openDatabase(spec, { cwd: io.cwd });
}

async function hasAuditTable(db: Database): Promise<boolean> {
  const { sql } = await import("@kyso/db");
  const row =
    db.dialect === "sqlite"
      ? await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'audit'`)
      : await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'audit'`);
  return Number(row?.n ?? 0) > 0;
}

/** The (id, hash) pairs of a JSON-lines copy (`kyso serve --audit-log`); lines without them are skipped. */
async function readCopy(path: string, io: Io): Promise<{ id: number; hash: string }[]> {
  const { readInputFile } = await import("../../registry-cli.js");
  const text = Buffer.from(await readInputFile(path, io)).toString("utf8");
  const out: { id: number; hash: string }[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { id?: unknown; hash?: unknown };
      if (typeof e.id === "number" && typeof e.hash === "string") out.push({ id: e.id, hash: e.hash });
    } catch {
      // a line cut short by a crash: not an entry
    }
  }
  return out;
}

async function verify(args: AuditArgs, io: Io, db: Database): Promise<number> {
  const { verifyAuditChain, compareWithCopy } = await import("@kyso/audit");
  if (!(await hasAuditTable(db))) {
    io.stderr.write(`kyso: ${t("audit.out.noTable", { db: db.description })}\n`);
    return 1;
  }
  const report = await verifyAuditChain(db);
  const copy = report.intact && args.against ? await compareWithCopy(db, await readCopy(args.against, io), args.against) : undefined;
  if (args.json) writeJson(io, { ...report, intact: report.intact && !copy, copy: copy ?? undefined });
  if (!report.intact) {
    if (!args.json) {
      const head = report.head ? t("audit.out.upTo", { id: report.head.id }) : "";
      const b = report.broken!;
      const message = currentLang() === "en" ? b.message : (factsText("AUDIT_BREAK", b, currentLang()) ?? b.message);
      io.stdout.write(`${t("audit.out.broken", { id: b.id, message })}\n${t("audit.out.brokenBefore", { count: report.count, head })}\n`);
    }
    return 1;
  }
  if (copy) {
    const message = currentLang() === "en" ? copy.message : (factsText("AUDIT_COPY", copy, currentLang()) ?? copy.message);
    if (!args.json) io.stdout.write(`${t("audit.out.brokenCopy", { count: report.count, file: args.against!, id: copy.id, message })}\n`);
    return 1;
  }
  if (!args.json)
    io.stdout.write(`${report.head ? t("audit.out.intact", { count: report.count, last: report.head.id, hash: report.head.hash }) : t("audit.out.intactEmpty")}\n`);
  return 0;
}

function actorText(e: AuditEntry): string {
  if (e.actor.kind === "anonymous") return t("audit.actor.anonymous");
  return `${e.actor.name} (${e.actor.role ?? e.actor.kind})`;
}

async function list(args: AuditArgs, io: Io, db: Database): Promise<number> {
  const { listAudit, parseAuditDate, auditTime } = await import("@kyso/audit");
  const since = args.since ? parseAuditDate(args.since, "since") : undefined;
  const until = args.until ? parseAuditDate(args.until, "until") : undefined;
  if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit > 0)) throw new KysoError("USAGE", t("audit.err.limit"));
  if (!(await hasAuditTable(db))) throw new KysoError("DB_OPEN", t("audit.err.noTable", { db: db.description }));
  // By pages of ids, written as they come: a year of audit is never held in memory.
  const entries: AuditEntry[] = [];
  let afterId: number | undefined;
  let left = args.limit ?? Number.POSITIVE_INFINITY;
  let first = true;
  if (args.json) io.stdout.write("[");
  while (left > 0) {
    const page = await listAudit(db, { since, until, action: args.only, afterId, limit: Math.min(1000, left) });
    if (page.length === 0) break;
    left -= page.length;
    afterId = page[page.length - 1].id;
    if (args.json) {
      for (const e of page) {
        io.stdout.write(`${first ? "\n" : ",\n"}${JSON.stringify(e)}`);
        first = false;
      }
      await flushed(io.stdout);
    } else entries.push(...page);
  }
  if (args.json) io.stdout.write(first ? "]\n" : "\n]\n");
  else
    writeTable(
      io,
      t("audit.list.header").split(","),
      entries.map((e) => [e.id, auditTime(e.time), actorText(e), e.action, e.target ?? "-", e.status ? `${e.outcome} ${e.status}` : e.outcome, e.source ?? "-"]),
    );
  return 0;
}

/* One positional action, as in `kyso units` (main.ts calls the top-level command's run()). */
export const auditCommand = defineCommand<AuditArgs>({
  command: "audit <action>",
  describe: "audit.describe",
  builder: (y) =>
    y
      .usage(t("audit.usage"))
      .positional("action", { choices: ["verify", "list"] as const, describe: t("audit.opt.action") })
      .option("db", { type: "string", describe: t("audit.opt.db") })
      .option("since", { type: "string", describe: t("audit.opt.since") })
      .option("until", { type: "string", describe: t("audit.opt.until") })
      .option("only", { type: "string", describe: t("audit.opt.only") })
      .option("limit", { type: "number", describe: t("audit.opt.limit") })
      .option("json", { type: "boolean", describe: t("audit.opt.json") })
      .option("against", { type: "string", describe: t("audit.opt.against") })
      .example(t("audit.example.1.cmd"), t("audit.example.1.text"))
      .example(t("audit.example.2.cmd"), t("audit.example.2.text")) as unknown as Argv<AuditArgs>,
  run: async (args, io) => {
    if (args.action !== "verify" && args.action !== "list") throw new KysoError("USAGE", t("err.unknownActionOf", { command: "audit", action: String(args.action), actions: "verify, list" }));
    const db = await openAuditDb(args, io);
    try {
      return args.action === "verify" ? await verify(args, io, db) : await list(args, io, db);
    } finally {
      await db.close();
      await Promise.all([flushed(io.stdout), flushed(io.stderr)]);
    }
  },
});
