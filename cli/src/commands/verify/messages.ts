/** Texts of `kyso verify` in English and Vietnamese. */
export type Lang = "en" | "vi";

export function pickVerifyLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  if (flag === "vi" || flag === "en") return flag;
  const fromEnv = env.KYSO_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? "";
  return /^vi/i.test(fromEnv) ? "vi" : "en";
}

const VI: Record<string, string> = {
  TOTAL_PASSED: "HỢP LỆ",
  TOTAL_FAILED: "KHÔNG HỢP LỆ",
  INDETERMINATE: "CHƯA XÁC ĐỊNH",
  NO_SIGNATURE: "KHÔNG CÓ CHỮ KÝ",
  HASH_FAILURE: "tài liệu đã bị sửa đổi sau khi ký",
  SIG_CRYPTO_FAILURE: "chữ ký không khớp với chứng thư số",
  FORMAT_FAILURE: "chữ ký sai định dạng hoặc bị giả mạo",
  REVOKED: "chứng thư số đã bị thu hồi",
  REVOKED_NO_POE: "chứng thư số đã bị thu hồi, không có dấu thời gian chứng minh",
  EXPIRED: "chứng thư số đã hết hạn khi ký",
  NOT_YET_VALID: "chứng thư số chưa có hiệu lực khi ký",
  OUT_OF_BOUNDS_NO_POE: "chứng thư số đã hết hạn, không có dấu thời gian",
  NO_CERTIFICATE_CHAIN_FOUND: "không xác định được tổ chức cung cấp dịch vụ tin cậy",
  CHAIN_CONSTRAINTS_FAILURE: "chuỗi chứng thư không hợp lệ",
  SIG_CONSTRAINTS_FAILURE: "chứng thư số không dùng để ký",
  NO_SIGNING_CERTIFICATE_FOUND: "không tìm thấy chứng thư số của người ký",
  TRY_LATER: "không kiểm tra được tình trạng thu hồi, thử lại sau",
  DISALLOWED_MODIFICATION: "tài liệu bị thay đổi không được phép sau khi ký",
  file: "Tệp",
  signature: "Chữ ký",
  signer: "Người ký",
  organization: "Cơ quan",
  time: "Thời gian ký",
  timestamp: "dấu thời gian",
  claimed: "theo khai báo",
  coverage: "Phạm vi",
  ENTIRE_FILE: "toàn bộ tài liệu",
  ENTIRE_REVISION: "một phiên bản; có thay đổi sau khi ký",
  PARTIAL: "một phần",
  NONE: "không",
  revocation: "Thu hồi",
  modifications: "Thay đổi sau khi ký",
  chain: "Chuỗi tin cậy",
  trusted: "tin cậy",
  untrusted: "không tin cậy",
  none: "không có",
  warnings: "Cảnh báo",
};

const EN: Record<string, string> = {
  TOTAL_PASSED: "VALID",
  TOTAL_FAILED: "INVALID",
  INDETERMINATE: "INDETERMINATE",
  NO_SIGNATURE: "NO SIGNATURE",
  file: "File",
  signature: "Signature",
  signer: "Signer",
  organization: "Organization",
  time: "Signing time",
  timestamp: "timestamp",
  claimed: "claimed",
  coverage: "Coverage",
  ENTIRE_FILE: "whole document",
  ENTIRE_REVISION: "one revision; changed after signing",
  PARTIAL: "partial",
  NONE: "none",
  revocation: "Revocation",
  modifications: "Changes after signing",
  chain: "Chain",
  trusted: "trusted",
  untrusted: "not trusted",
  none: "none",
  warnings: "Warnings",
};

export function tr(lang: Lang, key: string): string {
  return (lang === "vi" ? VI[key] : EN[key]) ?? key;
}

/** One line for many files: "12 valid, 1 invalid, 2 indeterminate" (only the counts that are not zero, valid always). */
export function summaryLine(c: { TOTAL_PASSED: number; TOTAL_FAILED: number; INDETERMINATE: number; NO_SIGNATURE: number; unreadable: number }, lang: Lang): string {
  const words = lang === "vi"
    ? { TOTAL_PASSED: "hợp lệ", TOTAL_FAILED: "không hợp lệ", INDETERMINATE: "chưa xác định", NO_SIGNATURE: "không có chữ ký", unreadable: "không đọc được" }
    : { TOTAL_PASSED: "valid", TOTAL_FAILED: "invalid", INDETERMINATE: "indeterminate", NO_SIGNATURE: "without signature", unreadable: "unreadable" };
  const parts = (Object.keys(words) as (keyof typeof words)[]).filter((k) => k === "TOTAL_PASSED" || c[k] > 0).map((k) => `${c[k]} ${words[k]}`);
  return parts.join(", ");
}
