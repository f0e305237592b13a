import { resolve } from "node:path";
import { KysoError, writeFileAtomic } from "@kyso/core";
import type { RegistryReport } from "@kyso/registry";
import type { Io } from "../../command.js";
import { t } from "../../messages/index.js";
import { withRegistry, writeJson, type RegistryArgs } from "../../registry-cli.js";
import type { Human } from "./human.js";

export interface ReportArgs extends RegistryArgs {
  from?: string;
  to?: string;
  unit?: string;
  json?: boolean;
  csv?: boolean;
  html?: string;
  force?: boolean;
  human: Human;
}

function reportRows(rep: RegistryReport): [string, string, number][] {
  const rows: [string, string, number][] = [["issued", "total", rep.issued.total]];
  for (const [k, v] of Object.entries(rep.issued.byLevel)) rows.push(["issued.byLevel", k, v]);
  for (const [k, v] of Object.entries(rep.issued.byUnit)) rows.push(["issued.byUnit", k, v]);
  rows.push(["cumulative", "total", rep.cumulative.total]);
  for (const [k, v] of Object.entries(rep.cumulative.byLevel)) rows.push(["cumulative.byLevel", k, v]);
  for (const [k, v] of Object.entries(rep.expiring)) rows.push(["expiring", `${k} days`, v]);
  rows.push(["revoked", "total", rep.revoked.total]);
  for (const [k, v] of Object.entries(rep.revoked.byReason)) rows.push(["revoked.byReason", k, v]);
  for (const [k, v] of Object.entries(rep.tokens)) rows.push(["tokens", k, v]);
  return rows;
}

export async function runReport(args: ReportArgs, io: Io): Promise<number> {
  if ([args.json, args.csv, !!args.html].filter(Boolean).length > 1) throw new KysoError("USAGE", t("certs.err.oneFormat"));
  const reg = await import("@kyso/registry");
  const from = args.from ? reg.parseDateArgument(args.from, "--from") : undefined;
  const to = args.to ? reg.parseDateArgument(args.to, "--to") : undefined;
  if (from && to && from.getTime() > to.getTime()) throw new KysoError("USAGE", t("certs.err.fromAfterTo", { from: String(args.from), to: String(args.to) }));
  return withRegistry(args, io, async (r) => {
    const options = { from, to, unit: args.unit };
    const rep = await r.report(options);
    if (args.json) writeJson(io, rep);
    else if (args.csv) {
      io.stdout.write(reg.csvLine(["section", "key", "count"]));
      for (const row of reportRows(rep)) io.stdout.write(reg.csvLine(row));
    } else if (args.html) {
      const months = await reg.issuedByMonth(r.db, r.clock, options);
      const units = new Map((await r.listUnits()).map((u) => [u.code, u]));
      const html = reg.renderReportHtml(rep, months, units, { lang: args.human.lang });
      const target = resolve(io.cwd, args.html);
      await writeFileAtomic(target, async (fh) => void (await fh.writeFile(html, "utf8")), { overwrite: !!args.force });
      io.stdout.write(`${args.human.tr("certs.report.wroteHtml", { file: args.html, total: rep.issued.total, from: rep.from, to: rep.to })}\n`);
    } else {
      const h = args.human;
      const levels = (b: Record<string, number>) => ["province", "district", "commune"].map((l) => `${h.level(l)} ${b[l]}`).join(", ");
      const reasons = Object.entries(rep.revoked.byReason).map(([k, v]) => `${h.reason(k)} ${v}`).join(", ");
      const tokens = Object.entries(rep.tokens).map(([k, v]) => `${h.tokenStatus(k)} ${v}`).join(", ");
      const scope = rep.unit ? h.tr("certs.report.in", { unit: rep.unit }) : "";
      io.stdout.write(
        [
          h.tr("certs.report.issued", { from: rep.from, to: rep.to, scope, total: rep.issued.total, levels: levels(rep.issued.byLevel) }),
          h.tr("certs.report.cumulative", { to: rep.to, total: rep.cumulative.total, levels: levels(rep.cumulative.byLevel) }),
          h.tr("certs.report.expiring") + `${rep.expiring["30"]} / ${rep.expiring["60"]} / ${rep.expiring["90"]}`,
          h.tr("certs.report.revoked") + `${rep.revoked.total}${reasons ? ` (${reasons})` : ""}`,
          `${h.tr("certs.report.tokens")}: ${tokens}`,
          h.tr("certs.report.generated", { time: h.time(rep.generatedAt) }),
          "",
        ].join("\n"),
      );
    }
    return 0;
  });
}
