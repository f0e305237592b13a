/**
 * The stable codes of the reasons and warnings a report carries (docs/verify-codes.md), each with
 * the names of its parameters. The report keeps its English sentences (`reasons`, `warnings`) and
 * adds, entry for entry, `reasonDetails` / `warningDetails`: `{ code, params, message }`, so that a
 * front door can say the same thing in its user's language. Every check names its code from here,
 * so this list is every code the verifier can emit (a test holds the catalogues to it).
 *
 * Parameters are strings or numbers. Names ending in `Time` hold an ISO 8601 instant (shown to
 * people in Vietnam time). An optional parameter is "" when absent.
 */
export const REASON_CODES = {
  // The verdict of a signature that passed.
  SIGNATURE_VALID: [],
  SIGNATURE_VALID_ALLOWED_CHANGES: [],
  // Byte range and signature value (byte-range.ts).
  SUBFILTER_UNSUPPORTED: ["subFilter"],
  BYTE_RANGE_MALFORMED: [],
  BYTE_RANGE_NOT_AT_START: [],
  BYTE_RANGE_PAST_END: ["byteRange", "size"],
  BYTE_RANGE_DEGENERATE: ["byteRange"],
  CONTENTS_TOO_LARGE: ["bytes", "max"],
  CONTENTS_EMPTY: [],
  GAP_NOT_HEX_STRING: [],
  GAP_NOT_OWN_CONTENTS: [],
  SIG_DICT_IN_OBJECT_STREAM: [],
  GAP_NOT_DICT_CONTENTS: [],
  BYTE_RANGE_NOT_REVISION_END: ["end"],
  SIG_DICT_OUTSIDE_REVISION: [],
  CMS_UNREADABLE: ["detail"],
  CMS_SIGNER_COUNT: ["count"],
  DIGEST_UNSUPPORTED: ["oid"],
  // Integrity and the CMS signature (cms-check.ts).
  CMS_NOT_DETACHED: [],
  HASH_MISMATCH: [],
  ALGORITHM_UNSUPPORTED: ["detail"],
  SIGNER_CERTIFICATE_NOT_FOUND: [],
  SIGNATURE_KEY_MISMATCH: [],
  SIGNING_CERTIFICATE_MISMATCH: [],
  CMS_CONTENT_TYPE: ["detail"],
  // The certificate path (chain problems of @kyso/cms).
  CHAIN_NOT_TRUSTED: ["subject", "issuer"],
  SIGNER_NOT_YET_VALID: ["subject", "notBeforeTime"],
  CA_NOT_YET_VALID: ["subject", "notBeforeTime"],
  SIGNER_EXPIRED: ["subject", "notAfterTime"],
  CA_EXPIRED: ["subject", "notAfterTime"],
  SIGNER_EXPIRED_NO_POE: ["subject", "notAfterTime"],
  CA_EXPIRED_NO_POE: ["subject", "notAfterTime"],
  CA_NOT_A_CA: ["subject"],
  CA_MAY_NOT_SIGN_CERTIFICATES: ["subject"],
  CA_PATH_TOO_LONG: ["subject"],
  SIGNER_KEY_USAGE: ["subject"],
  // Revocation (revocation-check.ts). revocationTime and revocationReason (RFC 5280 §5.3.1 name) may be "".
  SIGNER_REVOKED_BEFORE_TIMESTAMP: ["subject", "revocationTime", "revocationReason"],
  SIGNER_REVOKED_BEFORE_VALIDATION_TIME: ["subject", "revocationTime", "revocationReason"],
  CA_REVOKED_BEFORE_TIMESTAMP: ["subject", "revocationTime", "revocationReason"],
  CA_REVOKED_BEFORE_VALIDATION_TIME: ["subject", "revocationTime", "revocationReason"],
  TSA_REVOKED: ["subject"],
  REVOCATION_NOT_CHECKED: [],
  /** Nothing embedded and no online check: `subjects` are the certificates without status. */
  REVOCATION_NO_INFORMATION: ["subjects"],
  /** The status could not be obtained (`detail`: the fetch errors, as the library says them). */
  REVOCATION_UNKNOWN: ["subjects", "detail"],
  // Timestamps (timestamps.ts).
  DOC_TIMESTAMP_NOT_FOR_TIMESTAMPING: [],
  TIMESTAMP_UNREADABLE: ["detail"],
  // Changes after signing (modification-check.ts), by the rule broken; `changes`: their descriptions (English).
  DISALLOWED_MODIFICATION_LOCKED_FIELDS: ["count", "changes"],
  DISALLOWED_MODIFICATION_NEW_WIDGET: ["count", "changes"],
  DISALLOWED_MODIFICATION_APPROVAL: ["count", "changes"],
  DISALLOWED_MODIFICATION_CERTIFIED_NO_CHANGES: ["count", "changes"],
  DISALLOWED_MODIFICATION_CERTIFIED_FORMS: ["count", "changes"],
  DISALLOWED_MODIFICATION_CERTIFIED_ANNOTATIONS: ["count", "changes"],
  // The file's verdict (verdict.ts, verify.ts, pool.ts).
  FILE_DAMAGED_SIGNATURE_UNREADABLE: [],
  NO_SIGNATURE_DAMAGED_FILE: [],
  NO_SIGNATURE: [],
  /** A signature that did not pass: its own first reason is the detail's `cause`. */
  SIGNATURE_NOT_VALID: ["field", "subIndication"],
  ONE_SIGNATURE_VALID: [],
  ALL_SIGNATURES_VALID: ["count"],
  NOT_A_PDF: ["detail"],
  PDF_UNREADABLE: ["detail"],
  VERIFICATION_FAILED: ["detail"],
} as const satisfies Record<string, readonly string[]>;

export const WARNING_CODES = {
  /** From the PDF reader (cross-reference repairs); `detail` as the reader says it. */
  PDF_READER: ["detail"],
  SIGNATURES_NOT_LOCATED: ["detail"],
  LTV_NOT_ANALYSED: ["detail"],
  NO_SIGNED_ATTRIBUTES: [],
  NO_SIGNING_CERTIFICATE_ATTRIBUTE: [],
  NO_TIMESTAMP: [],
  /** `problems`: the problem codes of TIMESTAMP_PROBLEMS, comma-separated; `detail` in English. */
  TIMESTAMP_INVALID: ["problems", "detail"],
  DOC_TIMESTAMP_PROVES_TIME: ["proofTime"],
  DOC_TIMESTAMP_INVALID: ["detail"],
  SIGNING_TIME_LOCAL_AS_UTC: [],
  SHA1_WEAK_BUT_TIMESTAMPED: [],
  SHA1_WEAK: ["validationTime"],
  AIA_ISSUER_FETCH_FAILED: ["subject", "url", "detail"],
  AIA_NO_ISSUER: ["subject", "url"],
  AIA_ISSUER_FETCHED: ["subject", "url"],
  SIGNER_REVOKED_AFTER_TIMESTAMP: ["subject", "revocationTime", "timestampTime"],
  CA_REVOKED_AFTER_TIMESTAMP: ["subject", "revocationTime", "timestampTime"],
  CERTIFICATION_NOT_IN_PERMS: [],
  VISIBLE_SIGNATURE_FIELD_ALLOWED: ["change"],
} as const satisfies Record<string, readonly string[]>;

/** Problem codes of TIMESTAMP_INVALID's `problems` (the @kyso/cms TST_* codes and the verifier's own). */
export const TIMESTAMP_PROBLEMS = [
  "TST_IMPRINT_MISMATCH", "TST_NONCE_MISMATCH", "TST_SIGNATURE_INVALID", "TST_SIGNER_UNKNOWN", "TST_NOT_TIMESTAMPING_CERT", "TST_CERT_EXPIRED", "TST_ESS_MISMATCH",
  "TST_IMPRINT_ALGORITHM", "TST_OTHER_SIGNATURE", "TST_TSA_NOT_FOUND", "TST_TSA_UNTRUSTED", "TST_UNREADABLE",
] as const;

export type ReasonCode = keyof typeof REASON_CODES;
export type WarningCode = keyof typeof WARNING_CODES;
export type DetailCode = ReasonCode | WarningCode;
type ParamNames<C extends DetailCode> = C extends ReasonCode ? (typeof REASON_CODES)[C][number] : C extends WarningCode ? (typeof WARNING_CODES)[C][number] : never;
export type ParamsOf<C extends DetailCode> = { [K in ParamNames<C>]: string | number };

/** One reason or warning: its code, its parameters and the English sentence of `reasons` / `warnings`. */
export interface ReportDetail {
  code: DetailCode;
  params: Record<string, string | number>;
  message: string;
  /** SIGNATURE_NOT_VALID: the signature's own first reason. */
  cause?: ReportDetail;
}

export function detail<C extends DetailCode>(code: C, params: ParamsOf<C>, message: string, cause?: ReportDetail): ReportDetail {
  return cause ? { code, params, message, cause } : { code, params, message };
}

/** A report that carries warnings (a signature's or a file's). */
interface Warned {
  warnings: string[];
  warningDetails?: ReportDetail[];
}

/** Adds a warning to both lists. */
export function warn<C extends WarningCode>(r: Warned, code: C, params: ParamsOf<C>, message: string): void {
  r.warnings.push(message);
  (r.warningDetails ??= []).push(detail(code, params, message));
}

/** Drops the warnings of `code` from both lists. */
export function dropWarning(r: Warned, code: WarningCode): void {
  const keep = (r.warningDetails ?? []).map((d) => d.code !== code);
  const messages = new Set((r.warningDetails ?? []).filter((d) => d.code === code).map((d) => d.message));
  r.warnings = r.warnings.filter((w) => !messages.has(w));
  r.warningDetails = (r.warningDetails ?? []).filter((_, i) => keep[i]);
}

/** How a front door words details: its templates and its words for times and named values. */
export interface DetailWording {
  /** The template of a code in the reader's language (`{param}`, `[[ optional {param} ]]`), undefined when it has none. */
  template(code: string, kind: "reason" | "warning"): string | undefined;
  /** An ISO 8601 instant (a parameter whose name ends in `Time`) as people read it. */
  time(iso: string): string;
  /** A named value: `revocationReason` (RFC 5280 name), `problems` (one TIMESTAMP_PROBLEMS code), `subIndication`. */
  word(param: "revocationReason" | "problems" | "subIndication", value: string): string;
}

/**
 * A detail in the reader's language: its code's template filled with its parameters (times as people
 * read them, named values in words, SIGNATURE_NOT_VALID's `{cause}` the signature's own reason). A
 * `[[ ... ]]` segment is left out when a parameter in it is empty. No template, or a parameter the
 * template needs and the detail lacks: the library's English sentence.
 */
export function describeDetail(d: ReportDetail, kind: "reason" | "warning", w: DetailWording): string {
  const template = w.template(d.code, kind);
  if (template === undefined) return d.message;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.params)) {
    const s = String(v);
    if (s === "") continue;
    if (k.endsWith("Time")) values[k] = w.time(s);
    else if (k === "revocationReason" || k === "subIndication") values[k] = w.word(k, s);
    else if (k === "problems") values[k] = s.split(",").map((p) => w.word("problems", p)).join("; ");
    else values[k] = s;
  }
  if (d.cause) values.cause = describeDetail(d.cause, "reason", w);
  else if (d.code === "SIGNATURE_NOT_VALID" && values.subIndication) values.cause = values.subIndication;
  const optional = template.replace(/\[\[(.*?)\]\]/g, (_, inner: string) => ([...inner.matchAll(/\{(\w+)\}/g)].every((m) => m[1] in values) ? inner : ""));
  let complete = true;
  const out = optional.replace(/\{(\w+)\}/g, (m, k: string) => {
    if (k in values) return values[k];
    complete = false;
    return m;
  });
  return complete ? out : d.message;
}

/**
 * The details of a report's `reasons` or `warnings`, entry for entry: the detail whose message is the
 * entry, or undefined for an entry something else added (shown as it is).
 */
export function detailsOf(messages: readonly string[], details: readonly ReportDetail[] | undefined): (ReportDetail | undefined)[] {
  return messages.map((m, i) => (details?.[i]?.message === m ? details[i] : details?.find((d) => d.message === m)));
}
