import { timeOf } from "@kyso/core";
import { OIDS, type SignerInfo } from "@kyso/cms";
import type { SigState } from "./context.js";
import type { FileReport, Indication } from "./report.js";

/** The signature's verdict: the first TOTAL_FAILED, else the first INDETERMINATE (EN 319 102-1 §5.1.3). */
export function decideVerdict(s: SigState): void {
  const r = s.report;
  const order = (x: Indication): number => (x === "TOTAL_FAILED" ? 0 : 1);
  const sorted = [...s.fail].sort((x, y) => order(x[0]) - order(y[0]));
  if (sorted.length > 0) {
    r.indication = sorted[0][0];
    r.subIndication = sorted[0][1];
    r.reasons = [...new Set(sorted.map((f) => f[2]))];
  } else {
    r.indication = "TOTAL_PASSED";
    r.subIndication = null;
    r.reasons = [r.coverage === "ENTIRE_FILE" ? "The signature is valid and covers the whole document" : "The signature is valid; later changes are allowed ones"];
  }
}

/** The file's verdict: the worst of its signatures; a damaged file with something signature-like never passes. */
export function fileVerdict(report: FileReport, unreadableSignature: boolean, repaired: boolean): FileReport {
  const signatures = report.signatures;
  if (unreadableSignature) {
    report.indication = "INDETERMINATE";
    report.subIndication = "FORMAT_FAILURE";
    report.reasons.push("The file's structure is damaged and the signature in it cannot be read (it may have been tampered with)");
    return report;
  }
  if (signatures.length === 0) {
    report.reasons.push(repaired ? "No signature found (the file's structure is damaged)" : "The document carries no signature");
    return report;
  }
  const worst = signatures.find((s) => s.indication === "TOTAL_FAILED") ?? signatures.find((s) => s.indication === "INDETERMINATE");
  report.indication = worst ? worst.indication : "TOTAL_PASSED";
  report.subIndication = worst ? worst.subIndication : null;
  for (const s of signatures) if (s.indication !== "TOTAL_PASSED") report.reasons.push(`${s.field}: ${s.reasons[0] ?? s.subIndication}`);
  if (!worst) report.reasons.push(signatures.length === 1 ? "The signature is valid" : `All ${signatures.length} signatures are valid`);
  return report;
}

/** The signingTime attribute (RFC 5652 §11.3), as claimed: never trusted over a timestamp. */
export function signingTimeAttribute(si: SignerInfo | undefined): Date | undefined {
  const n = si?.attributes.get(OIDS.signingTime)?.[0];
  const t = n ? timeOf(n) : undefined;
  return t && !Number.isNaN(t.getTime()) ? t : undefined;
}

/**
 * SHA-1 is weak, not a sign of tampering. ETSI TS 119 312 (and SOG-IS) withdrew SHA-1 for new
 * signatures; a signature proven (timestamped) before 2014 was made while it was still accepted.
 */
const SHA1_SUNSET = Date.UTC(2014, 0, 1);
export function weakAlgorithmWarnings(s: SigState, now: Date): string[] {
  const r = s.report;
  const sha1 = s.digestAlgorithm === "SHA-1" || s.signerInfo?.digestAlgorithm === "SHA-1" || /SHA-1/.test(r.signatureAlgorithm ?? "");
  if (!sha1) return [];
  const proven = s.timestampTime && s.timestampTime.getTime() < SHA1_SUNSET;
  return [
    proven
      ? "SHA-1 is a weak digest algorithm (ETSI TS 119 312); the signature was timestamped before 2014, while it was still accepted"
      : `SHA-1 is a weak digest algorithm (ETSI TS 119 312: not acceptable for signatures since 2014; validated at ${now.toISOString().slice(0, 10)}): the signature is checked, but its strength cannot be relied on`,
  ];
}
