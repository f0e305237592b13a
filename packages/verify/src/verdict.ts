import { timeOf } from "@kyso/core";
import { OIDS, type SignerInfo } from "@kyso/cms";
import type { SigState } from "./context.js";
import type { FileReport, Indication } from "./report.js";
import { detail, type ReportDetail } from "./codes.js";

/** The signature's verdict: the first TOTAL_FAILED, else the first INDETERMINATE (EN 319 102-1 §5.1.3). */
export function decideVerdict(s: SigState): void {
  const r = s.report;
  const order = (x: Indication): number => (x === "TOTAL_FAILED" ? 0 : 1);
  const sorted = [...s.fail].sort((x, y) => order(x[0]) - order(y[0]));
  if (sorted.length > 0) {
    r.indication = sorted[0][0];
    r.subIndication = sorted[0][1];
    r.reasons = [];
    r.reasonDetails = [];
    for (const f of sorted) {
      if (r.reasons.includes(f[2])) continue;
      r.reasons.push(f[2]);
      r.reasonDetails.push(f[3]);
    }
  } else {
    r.indication = "TOTAL_PASSED";
    r.subIndication = null;
    const whole = r.coverage === "ENTIRE_FILE";
    const message = whole ? "The signature is valid and covers the whole document" : "The signature is valid; later changes are allowed ones";
    r.reasons = [message];
    r.reasonDetails = [detail(whole ? "SIGNATURE_VALID" : "SIGNATURE_VALID_ALLOWED_CHANGES", {}, message)];
  }
}

/** The file's verdict: the worst of its signatures; a damaged file with something signature-like never passes. */
export function fileVerdict(report: FileReport, unreadableSignature: boolean, repaired: boolean): FileReport {
  const signatures = report.signatures;
  const details = (report.reasonDetails ??= []);
  const reason = (d: ReportDetail): void => {
    report.reasons.push(d.message);
    details.push(d);
  };
  if (unreadableSignature) {
    report.indication = "INDETERMINATE";
    report.subIndication = "FORMAT_FAILURE";
    reason(detail("FILE_DAMAGED_SIGNATURE_UNREADABLE", {}, "The file's structure is damaged and the signature in it cannot be read (it may have been tampered with)"));
    return report;
  }
  if (signatures.length === 0) {
    reason(repaired ? detail("NO_SIGNATURE_DAMAGED_FILE", {}, "No signature found (the file's structure is damaged)") : detail("NO_SIGNATURE", {}, "The document carries no signature"));
    return report;
  }
  const worst = signatures.find((s) => s.indication === "TOTAL_FAILED") ?? signatures.find((s) => s.indication === "INDETERMINATE");
  report.indication = worst ? worst.indication : "TOTAL_PASSED";
  report.subIndication = worst ? worst.subIndication : null;
  for (const s of signatures)
    if (s.indication !== "TOTAL_PASSED")
      reason(detail("SIGNATURE_NOT_VALID", { field: s.field, subIndication: s.subIndication ?? "" }, `${s.field}: ${s.reasons[0] ?? s.subIndication}`, s.reasonDetails?.[0]));
  if (!worst)
    reason(signatures.length === 1 ? detail("ONE_SIGNATURE_VALID", {}, "The signature is valid") : detail("ALL_SIGNATURES_VALID", { count: signatures.length }, `All ${signatures.length} signatures are valid`));
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
export function weakAlgorithmWarnings(s: SigState, now: Date): ReportDetail[] {
  const r = s.report;
  const sha1 = s.digestAlgorithm === "SHA-1" || s.signerInfo?.digestAlgorithm === "SHA-1" || /SHA-1/.test(r.signatureAlgorithm ?? "");
  if (!sha1) return [];
  const proven = s.timestampTime && s.timestampTime.getTime() < SHA1_SUNSET;
  const date = now.toISOString().slice(0, 10);
  return [
    proven
      ? detail("SHA1_WEAK_BUT_TIMESTAMPED", {}, "SHA-1 is a weak digest algorithm (ETSI TS 119 312); the signature was timestamped before 2014, while it was still accepted")
      : detail("SHA1_WEAK", { validationTime: now.toISOString() }, `SHA-1 is a weak digest algorithm (ETSI TS 119 312: not acceptable for signatures since 2014; validated at ${date}): the signature is checked, but its strength cannot be relied on`),
  ];
}
