import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand, type Io } from "../../command.js";
import { inputErrorsExit1, readInputFile, registryOptions, withRegistry, writeJson, writeTable, type RegistryArgs } from "../../registry-cli.js";
import { humanFor, type Human } from "../certs/human.js";
import { currentLang, t } from "../../messages/index.js";
import { rejectionText } from "../../messages/errors.js";
import type { Rejection } from "@kyso/registry";

const LEVELS = ["province", "district", "commune", "department"] as const;

interface UnitsArgs extends RegistryArgs {
  action?: string;
  code?: string;
  name?: string;
  level?: (typeof LEVELS)[number];
  parent?: string;
  csv?: string;
  lang?: string;
  json?: boolean;
}

/** Columns of `kyso units import --csv`: code,name,level,parent (parent empty for the province). */
const UNIT_COLUMNS = { required: ["code", "name", "level"], optional: ["parent"] } as const;

async function add(args: UnitsArgs, io: Io, h: Human): Promise<number> {
  return withRegistry(args, io, async (r) => {
    try {
      await r.addUnits([{ code: args.code!, name: args.name!, level: args.level!, parent: args.parent ?? null, source: "kyso units add" }]);
    } catch (e) {
      if (e instanceof KysoError && e.code === "IMPORT_REJECTED") {
        io.stderr.write(`kyso: ${rejectedText(e)}\n`);
        return 1;
      }
      throw e;
    }
    const u = await r.getUnit(args.code!);
    // English keeps the level's code (as typed in --level); Vietnamese says it in words.
    const level = currentLang() === "en" ? u!.level : h.level(u!.level);
    io.stdout.write(`${t("units.out.added", { code: u!.code, level, under: u!.parent ? t("units.out.under", { parent: u!.parent }) : "", name: u!.name })}\n`);
    return 0;
  });
}

async function importCsv(args: UnitsArgs, io: Io): Promise<number> {
  const { csvObjects } = await import("@kyso/registry");
  const text = Buffer.from(await readInputFile(args.csv!, io)).toString("utf8");
  const rows = csvObjects(text, UNIT_COLUMNS, args.csv!);
  const bad = rows.filter((r) => r.values.__error);
  if (bad.length > 0) {
    for (const b of bad) {
      const why = currentLang() === "en" ? b.values.__error : t("error.csvFieldCount", { fields: b.values.__fields, header: b.values.__header });
      io.stderr.write(`kyso: ${args.csv}: ${t("certs.import.line", { line: b.line })}: ${why}\n`);
    }
    io.stderr.write(`kyso: ${t("units.import.nothing")}\n`);
    return 1;
  }
  return withRegistry(args, io, async (r) => {
    try {
      const n = await r.addUnits(
        rows.map((row) => ({
          code: row.values.code,
          name: row.values.name,
          level: row.values.level as (typeof LEVELS)[number],
          parent: row.values.parent || null,
          source: `${args.csv}: line ${row.line}`,
        })),
      );
      io.stdout.write(`${t(n === 1 ? "units.out.importedOne" : "units.out.importedMany", { count: n, file: args.csv! })}\n`);
      return 0;
    } catch (e) {
      if (e instanceof KysoError && e.code === "IMPORT_REJECTED") {
        io.stderr.write(`kyso: ${rejectedText(e)}\n`);
        return 1;
      }
      throw e;
    }
  });
}

/** The registry's refusal of an import: its English message, or the same lines in the run's language (at most 20 rows). */
function rejectedText(e: KysoError): string {
  const lang = currentLang();
  const rejected = e.details?.rejected as Rejection[] | undefined;
  if (lang === "en" || !rejected) return e.message;
  const where = (source: string): string => source.replace(/\bline (\d+)/, (_, line: string) => t("certs.import.line", { line }));
  const lines = rejected.slice(0, 20).map((r) => `  ${where(r.source)}: ${rejectionText(r, lang)}`);
  if (rejected.length > 20) lines.push(`  ${t("units.import.more", { count: rejected.length - 20 })}`);
  return [t("units.import.rejected", { count: rejected.length }), ...lines].join("\n");
}

async function list(args: UnitsArgs, io: Io, h: Human): Promise<number> {
  return withRegistry(args, io, async (r) => {
    const units = await r.listUnits();
    if (args.json) writeJson(io, units);
    else writeTable(io, h.tr("units.list.header").split(","), units.map((u) => [u.code, h.level(u.level), u.parent ?? "-", u.name]));
    return 0;
  });
}

/*
 * One positional action rather than yargs subcommands: main.ts calls the top-level command's run()
 * (which is what receives io), and a yargs subcommand's handler would replace that call.
 */
export const unitsCommand = defineCommand<UnitsArgs>({
  command: "units <action> [code]",
  describe: "units.describe",
  builder: (y) =>
    registryOptions(
      y
        .usage(t("units.usage"))
        .positional("action", { choices: ["add", "import", "list"] as const, describe: t("units.opt.action") })
        .positional("code", { type: "string", describe: t("units.opt.code") })
        .option("name", { type: "string", describe: t("units.opt.name") })
        .option("level", { choices: LEVELS, describe: t("units.opt.level") })
        .option("parent", { type: "string", describe: t("units.opt.parent") })
        .option("csv", { type: "string", describe: t("units.opt.csv") })
        .option("json", { type: "boolean", describe: t("units.opt.json") })
        .option("lang", { choices: ["vi", "en"] as const, describe: t("units.opt.lang") })
        .example(t("units.example.q1.cmd"), t("units.example.q1.text"))
        .example(t("units.example.q2.cmd"), t("units.example.q2.text"))
        .example(t("units.example.q3.cmd"), t("units.example.q3.text"))
        .example(t("units.example.1.cmd"), t("units.example.1.text"))
        .example(t("units.example.2.cmd"), t("units.example.2.text")),
    ) as unknown as Argv<UnitsArgs>,
  run: async (args, io) =>
    inputErrorsExit1(io, async () => {
      const h = await humanFor(args as unknown as Record<string, unknown>, io, ["db", "lang"]);
      if (args.action === "add") {
        if (!args.code || !args.name || !args.level) throw new KysoError("USAGE", t("units.err.addNeeds"));
        return add(args, io, h);
      }
      if (args.action === "import") {
        if (!args.csv) throw new KysoError("USAGE", t("units.err.importNeeds"));
        return importCsv(args, io);
      }
      if (args.action === "list") return list(args, io, h);
      throw new KysoError("USAGE", t("err.unknownActionOf", { command: "units", action: String(args.action), actions: "add, import, list" }));
    }),
});
