import type { PackageReport } from "@kyso/edxml";
import type { FileReport } from "@kyso/verify";
import { formatReport } from "./format.js";
import { tr, type Lang } from "./messages.js";
import { translator, type MessageKey } from "../../messages/index.js";


/** The readable summary of an edXML package report: header, XML signature, then each attachment. */
export function formatPackageReport(r: PackageReport<FileReport>, lang: Lang, color: boolean): string {
  const t = translator(lang);
  const L = Object.fromEntries(["package", "from", "to", "number", "subject", "date", "xml", "attachments", "other"].map((k) => [k, t(`verify.package.${k}` as MessageKey)])) as Record<string, string>;
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const c = (i: string): string => (i === "TOTAL_PASSED" ? "32" : i === "TOTAL_FAILED" ? "31" : "33");
  const lines: string[] = [];
  lines.push(`${L.package}: ${r.file}  ${paint(`1;${c(r.indication)}`, tr(lang, r.indication))}${r.subIndication ? ` (${r.subIndication})` : ""}`);
  lines.push(`  SHA-256 ${r.sha256}`);
  if (r.error) lines.push(`  ${r.error.code}: ${r.error.message}`);
  const h = r.header;
  if (h) {
    lines.push(`  ${L.from}: ${h.from.organName ?? ""} [${h.from.organId}]`);
    lines.push(`  ${L.to}: ${h.to.map((t) => `${t.organName ?? ""} [${t.organId}]`).join("; ")}`);
    if (h.code) lines.push(`  ${L.number}: ${[h.code.codeNumber, h.code.codeNotation].filter(Boolean).join("/")}${h.documentId ? `  (${h.documentId})` : ""}`);
    if (h.promulgationInfo?.promulgationDate) lines.push(`  ${L.date}: ${h.promulgationInfo.promulgationDate}${h.promulgationInfo.place ? `, ${h.promulgationInfo.place}` : ""}`);
    if (h.subject) lines.push(`  ${L.subject}: ${h.subject}`);
  }
  const x = r.xmlSignature;
  if (x) {
    lines.push(`  ${L.xml}: ${paint(c(x.indication), tr(lang, x.indication))}${x.subIndication ? ` ${x.subIndication}` : ""}${x.signatureAlgorithm ? `  [${x.signatureAlgorithm}, ${x.digestAlgorithm}]` : ""}`);
    if (x.signer) lines.push(`    ${tr(lang, "signer")}: ${x.signer.subject}`);
    for (const reason of x.reasons.slice(0, 3)) lines.push(`    - ${reason}`);
  }
  // Who signed against who the package claims to be (issue 12: sender binding).
  if (r.senderBinding && r.senderBinding.status !== "not-checked") lines.push(`  ${t("verify.package.senderBinding")}: ${r.senderBinding.message}`);
  for (const w of r.warnings) lines.push(`  ${tr(lang, "warnings")}: ${w}`);
  if (r.attachments.length) lines.push(`  ${L.attachments}:`);
  for (const a of r.attachments) {
    if (a.report) lines.push(...formatReport(a.report, lang, color).trimEnd().split("\n").map((l) => `    ${l}`));
    else lines.push(`    ${a.name} (${a.contentType}, ${a.size} B): ${L.other} ${a.sha256}`);
  }
  return lines.join("\n") + "\n";
}
