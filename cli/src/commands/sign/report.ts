import { extname } from "node:path";
import { writeFileAtomic } from "@kyso/core";
import type { BatchSummary, FileEvent } from "@kyso/sign";

/** One row of the run report: every input, in the order given. */
export interface ReportFile {
  input: string;
  output: string;
  status: FileEvent["status"];
  inputSha256: string | null;
  outputSha256: string | null;
  signer: string | null;
  signerSerial: string | null;
  ms: number;
  time: string;
  reason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export function reportRow(e: FileEvent): ReportFile {
  return {
    input: e.file,
    output: e.output,
    status: e.status,
    inputSha256: e.inputSha256 ?? null,
    outputSha256: e.sha256 ?? null,
    signer: e.signer ?? null,
    signerSerial: e.signerSerial ?? null,
    ms: e.ms,
    time: e.at,
    reason: e.reason ?? null,
    errorCode: e.error?.code ?? null,
    errorMessage: e.error?.message ?? null,
  };
}

export interface RunReport {
  summary: BatchSummary & {
    signer: string | null;
    signerSerial: string | null;
    started: string;
    finished: string;
    dryRun?: boolean;
    /** The check of the signer's (and the TSAs') certificates before signing. */
    certificateCheck?: Record<string, unknown>;
    /** Warnings about the whole run (e.g. signed with --allow-unknown-status). */
    warnings?: { code: string; level: string; message: string }[];
  };
  files: ReportFile[];
}

const CSV_COLUMNS: (keyof ReportFile)[] = ["input", "output", "status", "inputSha256", "outputSha256", "signer", "signerSerial", "ms", "time", "reason", "errorCode", "errorMessage"];

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  // RFC 4180 quoting; a leading = + - @ is neutralised so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportCsv(r: RunReport): string {
  // Warnings about the run (a spreadsheet has no summary): a last column, only when there are some.
  const warnings = (r.summary.warnings ?? []).filter((w) => w.level === "warning").map((w) => `${w.code}: ${w.message}`).join(" | ");
  const lines = [[...CSV_COLUMNS, ...(warnings ? ["warning"] : [])].map((c) => csvCell(c)).join(",")];
  for (const f of r.files) lines.push([...CSV_COLUMNS.map((c) => csvCell(f[c])), ...(warnings ? [csvCell(f.status === "signed" ? warnings : "")] : [])].join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`; // BOM: Excel opens UTF-8 (Vietnamese names) correctly
}

/** Writes the report atomically, CSV for *.csv, JSON otherwise. */
export async function writeReport(file: string, r: RunReport): Promise<void> {
  const text = extname(file).toLowerCase() === ".csv" ? reportCsv(r) : `${JSON.stringify(r, null, 2)}\n`;
  await writeFileAtomic(file, async (fh) => {
    await fh.writeFile(text, "utf8");
  }, { overwrite: true });
}
