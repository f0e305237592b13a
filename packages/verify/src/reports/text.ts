import { vietnamTime } from "@kyso/core";
import type { FileReport, SignatureReport } from "../report.js";
import { verifyText, type VerifyLang } from "../texts.js";

/** Languages of the printable report (Vietnamese is the default a clerk files): those of the codes' texts (../texts.ts). */
export type ReportLang = VerifyLang;

/** The three verdict colours a clerk sees; green is for TOTAL_PASSED and nothing else. */
export type VerdictTone = "passed" | "failed" | "indeterminate";

export function toneOf(indication: FileReport["indication"] | SignatureReport["indication"]): VerdictTone {
  return indication === "TOTAL_PASSED" ? "passed" : indication === "TOTAL_FAILED" ? "failed" : "indeterminate";
}

const VI = {
  title: "BÁO CÁO KIỂM TRA CHỮ KÝ SỐ",
  subtitle: "Kết quả theo ETSI EN 319 102-1",
  document: "Tài liệu",
  sha256: "Mã băm SHA-256",
  size: "Kích thước",
  bytes: "byte",
  revisions: "Số phiên bản",
  validationTime: "Thời điểm kiểm tra",
  policy: "Chính sách kiểm tra",
  overall: "Kết luận chung",
  signatureCount: "Số chữ ký",
  signature: "Chữ ký",
  docTimestamp: "Dấu thời gian tài liệu",
  field: "Trường chữ ký",
  verdict: "Kết quả",
  signer: "Người ký",
  tsa: "Đơn vị cấp dấu thời gian",
  organization: "Cơ quan, tổ chức",
  serial: "Số hiệu chứng thư số",
  issuer: "Tổ chức cấp chứng thư số",
  validity: "Thời hạn chứng thư số",
  validityRange: "từ {from} đến {to}",
  anchor: "Chứng thư gốc tin cậy",
  anchorNone: "không đến được chứng thư gốc tin cậy nào",
  revocation: "Tình trạng thu hồi",
  claimedTime: "Thời gian ký (theo khai báo)",
  timestampTime: "Thời gian theo dấu thời gian",
  timestampInvalid: "dấu thời gian KHÔNG hợp lệ",
  none: "không có",
  coverage: "Phạm vi ký",
  revisionOf: "phiên bản {n}/{total}",
  algorithms: "Thuật toán",
  level: "Mức PAdES",
  reason: "Lý do ký",
  location: "Nơi ký",
  changes: "Thay đổi sau khi ký",
  changesMore: "… và {n} thay đổi khác",
  allowed: "được phép",
  disallowed: "KHÔNG được phép",
  revisionShort: "Phiên bản",
  reasons: "Giải thích",
  warnings: "Cảnh báo",
  qrCaption: "Mã QR: SHA-256 của tài liệu",
  page: "Trang {x}/{y}",
  generatedBy: "Lập bởi Kyso {version}",
  defaultPolicy: "ETSI EN 319 102-1; thu hồi: {mode}",
  noSignature: "Tài liệu không có chữ ký số.",
  TOTAL_PASSED: "HỢP LỆ",
  TOTAL_FAILED: "KHÔNG HỢP LỆ",
  INDETERMINATE: "CHƯA XÁC ĐỊNH",
  NO_SIGNATURE: "KHÔNG CÓ CHỮ KÝ",
  ENTIRE_FILE: "toàn bộ tài liệu",
  ENTIRE_REVISION: "một phiên bản (tài liệu có thay đổi sau khi ký)",
  PARTIAL: "một phần tài liệu",
  NONE: "không xác định",
  "mode:online": "tra cứu trực tuyến (OCSP, CRL)",
  "mode:embedded": "chỉ dữ liệu kèm trong tài liệu",
  "mode:off": "không kiểm tra (chỉ để chẩn đoán)",
  "rev:good": "chưa bị thu hồi",
  "rev:revoked": "đã bị thu hồi",
  "rev:unknown": "không xác định được",
  "rev:since": "từ {time}",
  "rev:detail:unknown": "nơi cung cấp không biết chứng thư này",
  "rev:detail:no-information": "không có thông tin thu hồi",
  "rev:detail:not-checked": "không kiểm tra",
  "origin:cms": "kèm trong chữ ký",
  "origin:dss": "kèm trong tài liệu (DSS)",
  HASH_FAILURE: "tài liệu đã bị sửa đổi sau khi ký",
  SIG_CRYPTO_FAILURE: "chữ ký không khớp với chứng thư số",
  FORMAT_FAILURE: "chữ ký sai định dạng hoặc bị giả mạo",
  REVOKED: "chứng thư số đã bị thu hồi",
  REVOKED_NO_POE: "chứng thư số đã bị thu hồi, không có dấu thời gian chứng minh thời điểm ký",
  EXPIRED: "chứng thư số đã hết hạn khi ký",
  NOT_YET_VALID: "chứng thư số chưa có hiệu lực khi ký",
  OUT_OF_BOUNDS_NO_POE: "chứng thư số đã hết hạn, không có dấu thời gian",
  NO_CERTIFICATE_CHAIN_FOUND: "chứng thư số không do tổ chức được tin cậy cấp",
  CHAIN_CONSTRAINTS_FAILURE: "chuỗi chứng thư số không hợp lệ",
  SIG_CONSTRAINTS_FAILURE: "chữ ký không đáp ứng chính sách kiểm tra",
  CRYPTO_CONSTRAINTS_FAILURE: "thuật toán mật mã không còn an toàn",
  NO_SIGNING_CERTIFICATE_FOUND: "không tìm thấy chứng thư số của người ký",
  TRY_LATER: "chưa kiểm tra được tình trạng thu hồi, cần kiểm tra lại sau",
  DISALLOWED_MODIFICATION: "tài liệu bị thay đổi không được phép sau khi ký",
} as const;

export type TextKey = keyof typeof VI;

const EN: Record<TextKey, string> = {
  title: "DIGITAL SIGNATURE VALIDATION REPORT",
  subtitle: "Verdicts per ETSI EN 319 102-1",
  document: "Document",
  sha256: "SHA-256 digest",
  size: "Size",
  bytes: "bytes",
  revisions: "Revisions",
  validationTime: "Validation time",
  policy: "Validation policy",
  overall: "Overall verdict",
  signatureCount: "Signatures",
  signature: "Signature",
  docTimestamp: "Document timestamp",
  field: "Signature field",
  verdict: "Verdict",
  signer: "Signer",
  tsa: "Timestamp authority",
  organization: "Organization",
  serial: "Certificate serial number",
  issuer: "Certificate issuer",
  validity: "Certificate validity",
  validityRange: "from {from} to {to}",
  anchor: "Trust anchor reached",
  anchorNone: "no trusted root reached",
  revocation: "Revocation status",
  claimedTime: "Signing time (claimed)",
  timestampTime: "Time from the timestamp",
  timestampInvalid: "the timestamp is NOT valid",
  none: "none",
  coverage: "Coverage",
  revisionOf: "revision {n} of {total}",
  algorithms: "Algorithms",
  level: "PAdES level",
  reason: "Reason",
  location: "Location",
  changes: "Changes after signing",
  changesMore: "… and {n} more changes",
  allowed: "allowed",
  disallowed: "NOT allowed",
  revisionShort: "Revision",
  reasons: "Explanation",
  warnings: "Warnings",
  qrCaption: "QR code: the document's SHA-256",
  page: "Page {x}/{y}",
  generatedBy: "Made by Kyso {version}",
  defaultPolicy: "ETSI EN 319 102-1; revocation: {mode}",
  noSignature: "The document carries no digital signature.",
  TOTAL_PASSED: "VALID",
  TOTAL_FAILED: "INVALID",
  INDETERMINATE: "INDETERMINATE",
  NO_SIGNATURE: "NO SIGNATURE",
  ENTIRE_FILE: "the whole document",
  ENTIRE_REVISION: "one revision (the document changed after signing)",
  PARTIAL: "part of the document",
  NONE: "unknown",
  "mode:online": "fetched online (OCSP, CRL)",
  "mode:embedded": "only what the document carries",
  "mode:off": "not checked (diagnosis only)",
  "rev:good": "not revoked",
  "rev:revoked": "revoked",
  "rev:unknown": "could not be determined",
  "rev:since": "since {time}",
  "rev:detail:unknown": "the responder does not know the certificate",
  "rev:detail:no-information": "no revocation information",
  "rev:detail:not-checked": "not checked",
  "origin:cms": "embedded in the signature",
  "origin:dss": "embedded in the document (DSS)",
  HASH_FAILURE: "the document was changed after signing",
  SIG_CRYPTO_FAILURE: "the signature does not match the certificate",
  FORMAT_FAILURE: "malformed or forged signature",
  REVOKED: "the certificate was revoked",
  REVOKED_NO_POE: "the certificate was revoked and no timestamp proves the signing time",
  EXPIRED: "the certificate had expired when signing",
  NOT_YET_VALID: "the certificate was not yet valid when signing",
  OUT_OF_BOUNDS_NO_POE: "the certificate has expired and there is no timestamp",
  NO_CERTIFICATE_CHAIN_FOUND: "the certificate was not issued by a trusted authority",
  CHAIN_CONSTRAINTS_FAILURE: "the certificate chain is not valid",
  SIG_CONSTRAINTS_FAILURE: "the signature does not meet the validation policy",
  CRYPTO_CONSTRAINTS_FAILURE: "a cryptographic algorithm is no longer secure",
  NO_SIGNING_CERTIFICATE_FOUND: "the signer's certificate was not found",
  TRY_LATER: "revocation status not yet available; check again later",
  DISALLOWED_MODIFICATION: "the document was changed in a way not allowed after signing",
};

/** The text for `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export function text(lang: ReportLang, key: TextKey | string, vars: Record<string, string | number> = {}): string {
  const table: Record<string, string> = lang === "vi" ? VI : EN;
  const s = table[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}


export { vietnamTime };

/** Where revocation data came from, in words: OCSP or CRL, embedded or the URL fetched. */
function originWords(lang: ReportLang, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (origin === "cms" || origin === "dss") return text(lang, `origin:${origin}`);
  return origin;
}

/**
 * The revocation status in words, e.g. "chưa bị thu hồi (OCSP, 20:07:00 01/12/2026 (+07:00))",
 * "đã bị thu hồi từ …", "không xác định được (không có thông tin thu hồi)".
 */
export function revocationWords(lang: ReportLang, r: SignatureReport["revocation"]): string {
  const extra = r as SignatureReport["revocation"] & { thisUpdate?: string; checkedAt?: string };
  const when = r.producedAt ?? extra.thisUpdate ?? extra.checkedAt;
  const details = [r.source?.toUpperCase(), originWords(lang, r.origin), when ? vietnamTime(when) : undefined].filter((x): x is string => !!x);
  if (r.status === "good") return `${text(lang, "rev:good")}${details.length ? ` (${details.join(", ")})` : ""}`;
  if (r.status === "revoked") {
    const since = r.revocationTime ? ` ${text(lang, "rev:since", { time: vietnamTime(r.revocationTime) })}` : "";
    // RFC 5280 §5.3.1 reason codes, in words where the table has them.
    const reason = r.reason ? `; ${verifyText(lang, "revocationReason", r.reason) ?? r.reason}` : "";
    return `${text(lang, "rev:revoked")}${since}${details.length || reason ? ` (${details.join(", ")}${reason})` : ""}`;
  }
  const detail = text(lang, `rev:detail:${r.status}`);
  return `${text(lang, "rev:unknown")} (${[detail, ...details].join(", ")})`;
}

/** The verdict in words with its sub-indication: "KHÔNG HỢP LỆ — tài liệu đã bị sửa đổi sau khi ký". */
export function verdictWords(lang: ReportLang, indication: string, subIndication: string | null): { verdict: string; detail: string | null } {
  return { verdict: text(lang, indication), detail: subIndication ? text(lang, subIndication) : null };
}
