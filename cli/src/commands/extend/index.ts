import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { KysoError, describeError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { expandInputs, outputPathFor } from "../sign/inputs.js";
import { networkFrom, tsaUrlsFrom } from "../sign/ltv-options.js";
import type { ExtendLevel, ExtendStep } from "@kyso/sign";
import { currentLang, t } from "../../messages/index.js";
import { errorText } from "../../messages/errors.js";

const stepText = (step: ExtendStep): string => t(`extend.step.${step}`);

/**
 * `kyso extend`: PAdES levels for documents already signed (by Kyso or another tool), ETSI
 * EN 319 142-1 §6.3: a document timestamp for signatures without a signature timestamp (B-T), a DSS
 * with certificates and revocation data (B-LT), an archive timestamp over it (B-LTA). One document
 * failing does not stop the others; a failing server leaves no output for that document.
 */
export const extendCommand = defineCommand({
  command: "extend <files..>",
  describe: "extend.describe",
  builder: (y) =>
    y
      .positional("files", { type: "string", array: true, describe: t("extend.opt.files") })
      .option("recursive", { alias: "r", type: "boolean", default: false, describe: t("extend.opt.recursive") })
      .option("level", {
        choices: ["B-T", "B-LT", "B-LTA"] as const,
        default: "B-LTA" as const,
        describe: t("extend.opt.level"),
      })
      .option("tsa", { type: "string", array: true, describe: t("extend.opt.tsa") })
      .option("tsa-timeout", { type: "number", default: 15, describe: t("extend.opt.tsa-timeout") })
      .option("out-dir", { type: "string", describe: t("extend.opt.out-dir") })
      .option("suffix", { type: "string", default: ".ltv", describe: t("extend.opt.suffix") })
      .option("force", { type: "boolean", default: false, describe: t("extend.opt.force") })
      .option("json", { type: "boolean", default: false, describe: t("extend.opt.json") })
      .example(t("extend.example.1.cmd"), t("extend.example.1.text"))
      .example(t("extend.example.2.cmd"), t("extend.example.2.text")),
  run: async (args, io) => {
    const outDir = args.outDir ? resolve(io.cwd, args.outDir as string) : undefined;
    const suffix = args.suffix as string;
    const inputs = await expandInputs(args.files as string[], { cwd: io.cwd, recursive: args.recursive as boolean, outDir, suffix });
    if (inputs.length === 0) throw new KysoError("USAGE", t("extend.err.noInputs"));
    const tsaUrls = tsaUrlsFrom(args, io);
    if (tsaUrls.length === 0) throw new KysoError("USAGE", t("extend.err.needsTsa"));
    const network = networkFrom(args);
    if (outDir) await mkdir(outDir, { recursive: true });
    const items = inputs.map((f) => ({ input: f.path, output: outputPathFor(f.path, outDir, suffix, f.base) }));
    const seen = new Set<string>();
    for (const it of items) {
      if (it.output === it.input) throw new KysoError("USAGE", t("err.overwriteInput", { input: it.input }));
      if (seen.has(it.output)) throw new KysoError("USAGE", t("extend.err.sameOutput", { output: it.output }));
      seen.add(it.output);
    }
    const { extendPdfFile } = await import("@kyso/sign");
    const summary = { total: items.length, extended: 0, failed: 0 };
    for (const it of items) {
      const t0 = performance.now();
      try {
        const r = await extendPdfFile(it.input, it.output, { level: args.level as ExtendLevel, tsaUrls, network, overwrite: args.force as boolean });
        summary.extended++;
        const ms = Math.round(performance.now() - t0);
        if (args.json) io.stdout.write(`${JSON.stringify({ file: it.input, output: it.output, status: "extended", level: args.level, added: r.added, sha256: r.sha256, documentTimestamp: r.documentTimestamp, ms })}\n`);
        else {
          const steps = r.added.length ? r.added.map(stepText).join(", ") : t("extend.out.nothingAdded");
          io.stdout.write(`${t("extend.out.extended", { input: it.input, output: it.output, level: String(args.level), steps })}\n`);
        }
      } catch (e) {
        summary.failed++;
        const code = e instanceof KysoError ? e.code : "INTERNAL";
        const ms = Math.round(performance.now() - t0);
        if (args.json) io.stdout.write(`${JSON.stringify({ file: it.input, output: it.output, status: "failed", ms, error: { code, message: describeError(e) } })}\n`);
        else io.stderr.write(`${t("extend.out.failed", { input: it.input, error: errorText(e, currentLang()), code })}\n`);
      }
    }
    if (args.json) io.stdout.write(`${JSON.stringify({ summary })}\n`);
    else io.stderr.write(`${t("extend.out.summary", { extended: summary.extended, failed: summary.failed })}\n`);
    return summary.failed > 0 ? 1 : 0;
  },
});
