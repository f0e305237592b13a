import { translator, type Lang, type MessageKey } from "../../i18n.js";
import type { InputProblem } from "./input-check.js";

/**
 * What `kyso sign` says about a bulk run as a whole (issue 13): an interruption, a resumed run, and
 * inputs that cannot be signed. The texts are the catalogue's `sign.bulk.*`.
 */
type BulkKey = MessageKey extends infer K ? (K extends `sign.bulk.${infer R}` ? R : never) : never;

export type BulkTranslate = (key: BulkKey, params?: Record<string, string | number>) => string;

export function bulkTranslator(lang: Lang): BulkTranslate {
  const tr = translator(lang);
  return (key, params = {}) => tr(`sign.bulk.${key}`, params);
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
