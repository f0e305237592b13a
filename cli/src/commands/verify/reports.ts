import { readFileSync, realpathSync } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { Argv } from "yargs";
import { KysoError, writeFileAtomic } from "@kyso/core";
import type { FileReport } from "@kyso/verify";
import type { Io } from "../../command.js";
import { openSigner, signerOptions, type OpenedSigner, type SignerArgs } from "../../signer-options.js";
import { t, translator } from "../../messages/index.js";

/** The flags of `kyso verify` that write reports a clerk can file; the seal takes the signer flags of `kyso sign`. */
export function reportOptions<T>(y: Argv<T>) {
  return signerOptions(y)
    .option("report-pdf", { type: "string", describe: t("verify.opt.report-pdf") })
    .option("report-xml", { type: "string", describe: t("verify.opt.report-xml") })
    .option("report-seal", { type: "boolean", default: false, describe: t("verify.opt.report-seal") })
    .example(t("verify.example.4.cmd"), t("verify.example.4.text"))
    .example(t("verify.example.5.cmd"), t("verify.example.5.text"));
}

export interface ReportArgs extends SignerArgs {
  reportPdf?: string;
  reportXml?: string;
  reportSeal?: boolean;
  lang?: string;
}

/** Writes the reports of each verified file; `close` releases the sealing signer. */
export interface ReportWriter {
  write(report: FileReport, index: number): Promise<string[]>;
  close(): Promise<void>;
}

/** This CLI's version, printed in every report's footer. */
function kysoVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/**
 * Where each input's report goes: PATH itself for one input (or PATH/NAME.report.EXT if PATH is an
 * existing folder or ends in a slash), PATH/NAME.report.EXT for several (the folder is created).
 * Fails before anything is verified if two inputs would share a report or a report would replace an input.
 */
async function targets(path: string | undefined, ext: "pdf" | "xml", inputs: string[], io: Io): Promise<string[] | undefined> {
  if (!path) return undefined;
  const target = resolve(io.cwd, path);
  const folder = inputs.length > 1 || /[\\/]$/.test(path) || (await isDirectory(target));
  if (folder) await mkdir(target, { recursive: true });
  const out = inputs.map((input) => (folder ? join(target, `${basename(input, extname(input))}.report.${ext}`) : target));
  const inputSet = new Set(inputs.map(canonical));
  const seen = new Map<string, string>();
  out.forEach((o, i) => {
    if (inputSet.has(canonical(o))) throw new KysoError("USAGE", t("verify.err.reportReplacesInput", { report: o, input: inputs[i] }));
    const other = seen.get(o);
    if (other) throw new KysoError("USAGE", t("verify.err.reportSame", { other, input: inputs[i], report: o }));
    seen.set(o, inputs[i]);
  });
  return out;
}

/**
 * Prepares report writing for `kyso verify` (undefined when no report is asked for). The sealing
 * signer is opened here, once, so that a PIN is asked before any file is verified.
 */
export async function openReportWriter(args: ReportArgs, io: Io, inputs: string[]): Promise<ReportWriter | undefined> {
  if (args.reportSeal && !args.reportPdf) throw new KysoError("USAGE", t("verify.err.reportSeal"));
  const pdfTargets = await targets(args.reportPdf, "pdf", inputs, io);
  const xmlTargets = await targets(args.reportXml, "xml", inputs, io);
  if (!pdfTargets && !xmlTargets) return undefined;
  if (pdfTargets && xmlTargets && pdfTargets.some((p) => xmlTargets.includes(p))) throw new KysoError("USAGE", t("verify.err.reportSameFile"));
  // Reports are in Vietnamese unless --lang en: they are filed by Vietnamese agencies.
  const lang = args.lang === "en" ? "en" : "vi";
  const version = kysoVersion();
  let seal: OpenedSigner | undefined = args.reportSeal ? await openSigner(args, io) : undefined;
  const closeSeal = async (): Promise<void> => {
    const s = seal;
    seal = undefined;
    await s?.close();
  };
  const reports = await import("@kyso/verify/reports");

  const writePdf = async (report: FileReport, target: string): Promise<void> => {
    const bytes = await reports.renderReportPdf(report, { lang, kysoVersion: version });
    const signer = seal?.signer;
    if (!signer) {
      await writeFileAtomic(target, async (fh) => void (await fh.write(bytes)), { overwrite: true });
      return;
    }
    // The seal is an incremental signature over the rendered report (ISO 32000-1 §12.8); signPdfFile
    // reads its input from disk and writes the output atomically.
    const unsigned = join(tmpdir(), `kyso-report-${randomBytes(6).toString("hex")}.pdf`);
    await writeFile(unsigned, bytes, { mode: 0o600 });
    try {
      const { signPdfFile } = await import("@kyso/sign");
      await signPdfFile(unsigned, target, signer, {
        reason: translator(lang)("verify.reportSealReason"),
        fieldName: "KysoReportSeal",
        overwrite: true,
      });
    } finally {
      await rm(unsigned, { force: true });
    }
  };

  return {
    async write(report, index) {
      const written: string[] = [];
      try {
        if (pdfTargets) {
          await writePdf(report, pdfTargets[index]);
          written.push(pdfTargets[index]);
        }
        if (xmlTargets) {
          const xml = reports.renderReportXml(report, {});
          await writeFileAtomic(xmlTargets[index], async (fh) => void (await fh.write(xml, null, "utf8")), { overwrite: true });
          written.push(xmlTargets[index]);
        }
      } catch (e) {
        await closeSeal();
        throw e;
      }
      return written;
    },
    close: closeSeal,
  };
}
