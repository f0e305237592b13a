import type { SignWarning } from "@kyso/sign";
import type { Io } from "../../command.js";
import { translator, type Lang } from "../../i18n.js";

/**
 * What `kyso sign` says of a document it signs but strict validators may reject (on stderr, in
 * text and JSON mode alike: stdout keeps one JSON line per file).
 */
export function warningText(w: SignWarning, lang: Lang): string {
  const tr = translator(lang);
  if (w.code === "CERTIFIED_VISIBLE_NEW_FIELD") {
    const field = w.emptyFields[0];
    const advice = field ? tr("sign.warning.useField", { field: JSON.stringify(field) }) : tr("sign.warning.useAnyField");
    return `${w.input}: ${tr("sign.warning.CERTIFIED_VISIBLE_NEW_FIELD", { advice })}`;
  }
  return `${w.input}: ${w.message}`;
}

export function printWarning(io: Io, w: SignWarning, lang: Lang): void {
  io.stderr.write(`kyso: ${translator(lang)("sign.check.level.warning")}: ${warningText(w, lang)}\n`);
}
