import type { CertificateCheck, CertificateFacts, CertificateRefusal, CertificateWarning } from "@kyso/sign";
import type { Lang } from "../../i18n.js";

/**
 * What `kyso sign` says when it checks a certificate before signing (issue 13), in English or
 * Vietnamese. Built from the check's codes and facts, never from its English message text.
 */

/** A date and time in Vietnam time (UTC+07:00), in the language's format. */
export function vnTime(isoTime: string | undefined, lang: Lang): string {
  if (!isoTime) return "?";
  const d = new Date(new Date(isoTime).getTime() + 7 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, "0");
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const date = `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  return lang === "vi" ? `${time} ${date}` : `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${time} +07:00`;
}

/** CRLReason names (RFC 5280 §5.3.1) in Vietnamese. */
const REASONS_VI: Record<string, string> = {
  unspecified: "không nêu lý do",
  keyCompromise: "lộ khóa bí mật",
  cACompromise: "lộ khóa của tổ chức cung cấp dịch vụ",
  affiliationChanged: "thay đổi thông tin",
  superseded: "được thay thế",
  cessationOfOperation: "ngừng sử dụng",
  certificateHold: "tạm dừng",
  removeFromCRL: "gỡ khỏi danh sách thu hồi",
  privilegeWithdrawn: "bị rút quyền",
  aACompromise: "lộ khóa của tổ chức cấp thuộc tính",
};

function who(f: CertificateFacts, purpose: CertificateCheck["purpose"], lang: Lang): string {
  const name = `"${f.commonName ?? f.subject}"`;
  if (lang === "vi") {
    if (f.ca) return `Chứng thư số CA ${name} trong chuỗi chứng thư của ${purpose === "timestamping" ? "máy chủ dấu thời gian" : "người ký"}`;
    return purpose === "timestamping" ? `Chứng thư số ${name} của máy chủ dấu thời gian` : `Chứng thư số ký ${name}`;
  }
  if (f.ca) return `The CA certificate ${name} in the ${purpose === "timestamping" ? "time-stamp server's" : "signer's"} chain`;
  return purpose === "timestamping" ? `The time-stamp server's certificate ${name}` : `The signing certificate ${name}`;
}

const errorsOf = (f: CertificateFacts): string => (f.errors && f.errors.length > 0 ? f.errors.join("; ") : "");

/** The servers that gave no answer, named by address only (their errors are in English). */
function serversVi(f: CertificateFacts): string {
  const urls = [...new Set((f.errors ?? []).flatMap((e) => e.match(/https?:\/\/[^\s:]+(?::\d+)?[^\s:]*/g) ?? []))];
  return urls.length > 0 ? `không lấy được dữ liệu từ ${urls.join(", ")}` : "";
}

/** The message that refuses signing: what is wrong, and that nothing was signed (or how to proceed). */
export function refusalText(r: CertificateRefusal, purpose: CertificateCheck["purpose"], lang: Lang): string {
  const w = who(r, purpose, lang);
  if (lang === "vi") {
    const none = "Không tệp nào được ký.";
    switch (r.code) {
      case "CERT_EXPIRED":
        return `${w} đã hết hạn lúc ${vnTime(r.notAfter, lang)}: Kyso không ký bằng chứng thư số hết hạn (Nghị định 23/2025, Điều 17). ${none}`;
      case "CERT_NOT_YET_VALID":
        return `${w} chưa có hiệu lực (hiệu lực từ ${vnTime(r.notBefore, lang)}): Kyso không ký bằng chứng thư số chưa có hiệu lực. ${none}`;
      case "CERT_KEY_USAGE":
        return `${w} không được phép dùng để ký số (mục đích sử dụng khóa không có digitalSignature hay nonRepudiation${purpose === "timestamping" ? ", hoặc thiếu timeStamping" : ""}). ${none}`;
      case "CERT_REVOKED":
        return `${w} đã bị thu hồi lúc ${vnTime(r.revocationTime, lang)}${r.reason ? ` (lý do: ${REASONS_VI[r.reason] ?? r.reason})` : ""}${r.origin ? `, theo ${r.origin}` : ""}: Kyso không ký bằng chứng thư số đã bị thu hồi. ${none}`;
      case "CERT_STATUS_UNKNOWN": {
        const why = serversVi(r) || (r.issuer ? `không tìm thấy chứng thư số của tổ chức cấp "${r.issuer}"; hãy cung cấp bằng --chain TỆP` : "");
        return `Không xác định được trạng thái thu hồi của ${w.charAt(0).toLowerCase()}${w.slice(1)}${why ? ` (${why})` : ""}. Kyso không ký khi chưa biết chứng thư số còn hiệu lực hay đã bị thu hồi. Hãy kiểm tra kết nối mạng rồi thử lại, hoặc vẫn ký với --allow-unknown-status (báo cáo và nhật ký sẽ ghi lại cảnh báo). ${none}`;
      }
    }
  }
  const none = "Nothing was signed.";
  switch (r.code) {
    case "CERT_EXPIRED":
      return `${w} expired on ${vnTime(r.notAfter, lang)}: Kyso does not sign with an expired certificate (Decree 23/2025 Art. 17). ${none}`;
    case "CERT_NOT_YET_VALID":
      return `${w} is not valid yet (valid from ${vnTime(r.notBefore, lang)}): Kyso does not sign with it. ${none}`;
    case "CERT_KEY_USAGE":
      return `${w} may not be used for signatures (its key usage has neither digitalSignature nor nonRepudiation${purpose === "timestamping" ? ", or it lacks timeStamping" : ""}). ${none}`;
    case "CERT_REVOKED":
      return `${w} was revoked on ${vnTime(r.revocationTime, lang)}${r.reason ? ` (reason: ${r.reason})` : ""}${r.origin ? `, according to ${r.origin}` : ""}: Kyso does not sign with a revoked certificate. ${none}`;
    case "CERT_STATUS_UNKNOWN": {
      const why = errorsOf(r) || (r.issuer ? `the issuer's certificate "${r.issuer}" was not found; give it with --chain FILE` : "");
      return `The revocation status of ${w.charAt(0).toLowerCase()}${w.slice(1)} could not be obtained${why ? ` (${why})` : ""}. Kyso does not sign without knowing whether the certificate is revoked. Check the network connection and try again, or sign anyway with --allow-unknown-status (the report and the journal record a warning). ${none}`;
    }
  }
  return r.message;
}

/** `warning` or `note`: a note is information (the root is not in this machine's trust store). */
export const warningLevel = (w: CertificateWarning): "warning" | "note" => (w.code === "NOT_TRUSTED" ? "note" : "warning");

export function warningText(w: CertificateWarning, purpose: CertificateCheck["purpose"], lang: Lang): string {
  const subject = who(w, purpose, lang);
  const name = `"${w.commonName ?? w.subject}"`;
  if (lang === "vi") {
    switch (w.code) {
      case "CHAIN_INCOMPLETE":
        return `không tìm thấy chứng thư số của tổ chức cấp "${w.issuer}" cho ${name} (--chain, token, kho tin cậy, địa chỉ caIssuers): phần mềm kiểm tra có thể báo không rõ tổ chức cấp; hãy cung cấp bằng --chain TỆP`;
      case "NOT_TRUSTED":
        return `chứng thư số gốc ${name} không có trong kho tin cậy của máy này (kyso trust list): chỉ phần mềm kiểm tra tin cậy gốc này mới công nhận chữ ký; thêm bằng kyso trust add TỆP hoặc --trust TỆP`;
      case "CHAIN_INVALID":
        return `chuỗi chứng thư của ${name} vi phạm ràng buộc (basicConstraints, keyUsage hoặc pathLen)`;
      case "STATUS_UNKNOWN":
        return `vẫn ký dù chưa xác định được trạng thái thu hồi của ${subject.charAt(0).toLowerCase()}${subject.slice(1)} (--allow-unknown-status)${serversVi(w) ? `: ${serversVi(w)}` : ""}`;
      case "REVOCATION_NOT_CHECKED":
        return `trạng thái thu hồi của chứng thư số không được kiểm tra (--revocation-check off)`;
    }
  }
  switch (w.code) {
    case "CHAIN_INCOMPLETE":
      return `the issuer "${w.issuer}" of ${name} was not found (--chain, the token, the trust store, its caIssuers address): validators may call the signer's issuer unknown; give it with --chain FILE`;
    case "NOT_TRUSTED":
      return `the root ${name} is not in this machine's trust store (kyso trust list): only validators that trust it will trust the signature; add it with kyso trust add FILE or --trust FILE`;
    case "CHAIN_INVALID":
      return `the chain of ${name} breaks a constraint (basicConstraints, keyUsage or pathLen)`;
    case "STATUS_UNKNOWN":
      return `signing although the revocation status of ${subject.charAt(0).toLowerCase()}${subject.slice(1)} is not known (--allow-unknown-status)${errorsOf(w) ? `: ${errorsOf(w)}` : ""}`;
    case "REVOCATION_NOT_CHECKED":
      return "the certificate's revocation status was not checked (--revocation-check off)";
  }
  return w.message;
}

/** The prefix of a warning line on stderr. */
export function levelWord(level: "warning" | "note", lang: Lang): string {
  if (lang === "vi") return level === "warning" ? "cảnh báo" : "lưu ý";
  return level;
}
