import { formatTime } from "@kyso/core";
import { currentZone } from "../../time.js";
import type { FileReport } from "@kyso/verify";
import { detailTexts, tr, type Lang } from "./messages.js";
import { translator, type MessageKey } from "../../messages/index.js";

/** The readable summary of one file's report (for a terminal). */
export function formatReport(r: FileReport, lang: Lang, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const verdictColor = r.indication === "TOTAL_PASSED" ? "32" : r.indication === "TOTAL_FAILED" ? "31" : "33";
  const lines: string[] = [];
  lines.push(`${tr(lang, "file")}: ${r.file}  ${paint(`1;${verdictColor}`, tr(lang, r.indication))}${r.subIndication ? ` (${r.subIndication}${lang === "vi" ? `: ${tr(lang, r.subIndication)}` : ""})` : ""}`);
  lines.push(`  SHA-256 ${r.sha256}`);
  if (r.signatures.length === 0) for (const reason of detailTexts(lang, r.reasons, r.reasonDetails, "reason")) lines.push(`  ${reason}`);
  r.signatures.forEach((s, i) => {
    const c = s.indication === "TOTAL_PASSED" ? "32" : s.indication === "TOTAL_FAILED" ? "31" : "33";
    lines.push(`  ${tr(lang, "signature")} ${i + 1} "${s.field}": ${paint(c, tr(lang, s.indication))}${s.subIndication ? ` ${s.subIndication}${lang === "vi" ? ` (${tr(lang, s.subIndication)})` : ""}` : ""}`);
    if (s.signer) {
      lines.push(`    ${tr(lang, "signer")}: ${s.signer.commonName ?? s.signer.subject}  [serial ${s.signer.serialNumber}]`);
      if (s.signer.organization) lines.push(`    ${tr(lang, "organization")}: ${s.signer.organization}`);
    }
    // Times shown to people are Vietnam time (+07:00) or the configured zone; --json keeps ISO 8601.
    if (s.signingTime) lines.push(`    ${tr(lang, "time")}: ${formatTime(s.signingTime, { lang, zone: currentZone() })} (${tr(lang, s.timeSource === "timestamp" ? "timestamp" : "claimed")})`);
    // LTV (issue 7): the PAdES level reached and why the next one is not.
    if (s.level) lines.push(`    PAdES: ${s.level}${s.levelReasons.length ? ` (${lang === "vi" ? translator(lang)(`verify.nextLevel.${s.level}` as MessageKey) : s.levelReasons[0]})` : ""}`);
    lines.push(`    ${tr(lang, "coverage")}: ${tr(lang, s.coverage)}; ${tr(lang, "chain")}: ${tr(lang, s.chain.trusted ? "trusted" : "untrusted")}; ${tr(lang, "revocation")}: ${tr(lang, `rev.${s.revocation.status}`)} (${s.revocation.mode}${s.revocation.source ? `, ${s.revocation.source.toUpperCase()}` : ""})`);
    if (s.modifications.changes.length > 0) {
      lines.push(`    ${tr(lang, "modifications")}: ${tr(lang, `kind.${s.modifications.level}`)}${s.modifications.allowed ? "" : " !"}`);
      // The description is the library's (English); Vietnamese shows the kind, the object and the field.
      for (const ch of s.modifications.changes.slice(0, 8))
        lines.push(`      ${ch.allowed ? "ok" : "!!"} r${ch.revision} ${lang === "vi" ? [tr(lang, `kind.${ch.kind}`), ch.object, ch.field !== undefined ? `"${ch.field}"` : undefined].filter(Boolean).join(" ") : `${ch.kind}: ${ch.description}`}`);
      if (s.modifications.changes.length > 8) lines.push(`      … ${s.modifications.changes.length - 8} more`);
    }
    if (s.indication !== "TOTAL_PASSED") for (const reason of detailTexts(lang, s.reasons.slice(0, 3), s.reasonDetails, "reason")) lines.push(`    - ${reason}`);
    for (const w of detailTexts(lang, s.warnings, s.warningDetails, "warning")) lines.push(`    ${tr(lang, "warnings")}: ${w}`);
  });
  return lines.join("\n") + "\n";
}
