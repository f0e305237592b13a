import { isMessageKey, resolveLang, translator, type Lang } from "../../messages/index.js";

/** Texts of `kyso verify`: the catalogue's `verify.*` keys (cli/src/messages). */
export type { Lang };

/** The language: --lang (the config file's, merged in by applyConfig), else KYSO_LANG, else the locale. */
export function pickVerifyLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  return resolveLang({ flag, env });
}

/** A verdict, a sub-indication or a field name in `lang`; a code the catalogue has no word for is shown as it is. */
export function tr(lang: Lang, key: string): string {
  const k = `verify.term.${key}`;
  return isMessageKey(k) ? translator(lang)(k) : key;
}

type Counted = "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE" | "NO_SIGNATURE" | "unreadable";
const COUNTED: Counted[] = ["TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE", "NO_SIGNATURE", "unreadable"];

/** One line for many files: "12 valid, 1 invalid, 2 indeterminate" (only the counts that are not zero, valid always). */
export function summaryLine(c: Record<Counted, number>, lang: Lang): string {
  const t = translator(lang);
  return COUNTED.filter((k) => k === "TOTAL_PASSED" || c[k] > 0)
    .map((k) => `${c[k]} ${t(`verify.count.${k}`)}`)
    .join(", ");
}
