import { describeDetail, detailsOf, type DetailWording, type ReportDetail } from "../codes.js";
import { flatTexts, verifyText } from "../texts.js";
import { text, vietnamTime, type ReportLang } from "./text.js";

/**
 * The texts of the codes (../texts.ts) flat, keys `r:CODE` (reasons), `w:CODE` (warnings), `tp:CODE`
 * (timestamp problems), `rr:reason` and `kind:kind`, as the verify page receives them.
 */
export const DETAIL_TEXTS: Readonly<Record<ReportLang, Readonly<Record<string, string>>>> = { vi: flatTexts("vi"), en: flatTexts("en") };

/** The printable report's words for the codes of reasons and warnings (describeDetail). */
export function detailWording(lang: ReportLang): DetailWording {
  return {
    template: (code, kind) => verifyText(lang, kind, code),
    time: (iso) => vietnamTime(iso),
    word: (param, value) => {
      if (param === "problems") return verifyText(lang, "tsProblem", value) ?? value;
      if (param === "revocationReason") return verifyText(lang, "revocationReason", value) ?? value;
      return text(lang, value);
    },
  };
}

/** Reasons or warnings in `lang`, entry for entry (an entry without a known code as the library said it). */
export function detailTexts(lang: ReportLang, messages: readonly string[], details: readonly ReportDetail[] | undefined, kind: "reason" | "warning"): string[] {
  const w = detailWording(lang);
  return detailsOf(messages, details).map((d, i) => (d ? describeDetail(d, kind, w) : messages[i]));
}
