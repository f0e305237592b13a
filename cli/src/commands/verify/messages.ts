import { formatTime } from "@kyso/core";
import { currentZone } from "../../time.js";
import { describeDetail, detailsOf, type DetailWording, type ReportDetail } from "@kyso/verify";
import { isMessageKey, resolveLang, translator, type Lang, type MessageKey } from "../../messages/index.js";

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

/** The catalogue's words for the codes of a report (`verify.reason.*`, `verify.warning.*`); times in Vietnam time (or the configured zone), in the language's format. */
function wording(lang: Lang): DetailWording {
  const t = translator(lang);
  const known = (k: string): k is MessageKey => isMessageKey(k);
  return {
    template: (code, kind) => {
      const k = kind === "reason" ? `verify.reason.${code}` : `verify.warning.${code}`;
      return known(k) ? t(k) : undefined;
    },
    time: (iso) => formatTime(iso, { lang, zone: currentZone() }),
    word: (param, value) => {
      const k = param === "revocationReason" ? `registry.reason.${value}` : param === "problems" ? `verify.tsProblem.${value}` : `verify.term.${value}`;
      return known(k) ? t(k) : value;
    },
  };
}

/**
 * The reasons or warnings of a report in `lang`: each entry by its code's catalogue text; an entry
 * without a code, or a code the catalogue does not know, as the library said it (English).
 */
export function detailTexts(lang: Lang, messages: readonly string[], details: readonly ReportDetail[] | undefined, kind: "reason" | "warning"): string[] {
  const w = wording(lang);
  return detailsOf(messages, details).map((d, i) => (d ? describeDetail(d, kind, w) : messages[i]));
}
