import type { Lang } from "../../i18n.js";
import type { InputProblem } from "./input-check.js";

/**
 * What `kyso sign` says about a bulk run as a whole (issue 13): an interruption, a resumed run, and
 * inputs that cannot be signed, in English or Vietnamese.
 */
const en = {
  interrupted: "interrupted: {signed} of {total} signed; resume with: {command}",
  resumed: "{count} file(s) already signed in an earlier run (journal {file}){hint}",
  resumedHint: "; --verbose lists them",
  FILE_NOT_FOUND: "file not found",
  FILE_UNREADABLE: "cannot read the file",
  NOT_A_PDF: "not a PDF file (no %PDF- header)",
  noUsableInput: "Nothing to sign: {list}. The token was not opened.",
  andMore: "and {count} more",
  dryMissing: "missing",
  dryNotPdf: "not a PDF",
  dryUnreadable: "unreadable",
  dryProblems: "{count} input(s) cannot be signed",
} as const;

type BulkKey = keyof typeof en;

const vi: Record<BulkKey, string> = {
  interrupted: "đã dừng theo yêu cầu: {signed}/{total} tệp đã ký; để tiếp tục, chạy: {command}",
  resumed: "{count} tệp đã được ký trong lần chạy trước (nhật ký {file}){hint}",
  resumedHint: "; dùng --verbose để liệt kê",
  FILE_NOT_FOUND: "không tìm thấy tệp",
  FILE_UNREADABLE: "không đọc được tệp",
  NOT_A_PDF: "không phải tệp PDF (thiếu phần đầu %PDF-)",
  noUsableInput: "Không có tệp nào để ký: {list}. Token chưa được mở.",
  andMore: "và {count} tệp khác",
  dryMissing: "không có",
  dryNotPdf: "không phải PDF",
  dryUnreadable: "không đọc được",
  dryProblems: "{count} tệp đầu vào không ký được",
};

export type BulkTranslate = (key: BulkKey, params?: Record<string, string | number>) => string;

export function bulkTranslator(lang: Lang): BulkTranslate {
  const cat = lang === "vi" ? vi : en;
  return (key, params = {}) => cat[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** `FILE: what is wrong (ERRNO)`. */
export function describeProblem(p: InputProblem, t: BulkTranslate): string {
  return `${p.input}: ${t(p.code)}${p.errno ? ` (${p.errno})` : ""}`;
}

/** The dry run's word for an input that cannot be signed, in the column where "would sign" goes. */
export function dryRunLabel(p: InputProblem, t: BulkTranslate): string {
  return p.code === "FILE_NOT_FOUND" ? t("dryMissing") : p.code === "NOT_A_PDF" ? t("dryNotPdf") : t("dryUnreadable");
}

/** The message when no input can be signed: the first few problems, then a count. */
export function noUsableInputMessage(problems: readonly InputProblem[], t: BulkTranslate): string {
  const shown = problems.slice(0, 3).map((p) => describeProblem(p, t));
  if (problems.length > shown.length) shown.push(t("andMore", { count: problems.length - shown.length }));
  return t("noUsableInput", { list: shown.join("; ") });
}
