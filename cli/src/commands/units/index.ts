import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import { defineCommand, type Io } from "../../command.js";
import { inputErrorsExit1, readInputFile, registryOptions, withRegistry, writeJson, writeTable, type RegistryArgs } from "../../registry-cli.js";
import { humanFor, type Human } from "../certs/human.js";
import { t } from "../../messages/index.js";

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

async function add(args: UnitsArgs, io: Io): Promise<number> {
  return withRegistry(args, io, async (r) => {
    await r.addUnits([{ code: args.code!, name: args.name!, level: args.level!, parent: args.parent ?? null, source: "kyso units add" }]);
    const u = await r.getUnit(args.code!);
    io.stdout.write(`added unit ${u!.code} (${u!.level}${u!.parent ? ` under ${u!.parent}` : ""}): ${u!.name}\n`);
    return 0;
  });
}

async function importCsv(args: UnitsArgs, io: Io): Promise<number> {
  const { csvObjects } = await import("@kyso/registry");
  const text = Buffer.from(await readInputFile(args.csv!, io)).toString("utf8");
  const rows = csvObjects(text, UNIT_COLUMNS, args.csv!);
  const bad = rows.filter((r) => r.values.__error);
  if (bad.length > 0) {
    for (const b of bad) io.stderr.write(`kyso: ${args.csv}: line ${b.line}: ${b.values.__error}\n`);
    io.stderr.write(`kyso: nothing imported\n`);
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
      io.stdout.write(`imported ${n} unit${n === 1 ? "" : "s"} from ${args.csv}\n`);
      return 0;
    } catch (e) {
      if (e instanceof KysoError && e.code === "IMPORT_REJECTED") {
        io.stderr.write(`kyso: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  });
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
        return add(args, io);
      }
      if (args.action === "import") {
        if (!args.csv) throw new KysoError("USAGE", t("units.err.importNeeds"));
        return importCsv(args, io);
      }
      if (args.action === "list") return list(args, io, h);
      throw new KysoError("USAGE", t("err.unknownActionOf", { command: "units", action: String(args.action), actions: "add, import, list" }));
    }),
});
