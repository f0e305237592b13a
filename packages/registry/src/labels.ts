import type { CertificateStatus, EventKind, RevocationReason, TokenStatus, UnitLevel } from "./types.js";

/**
 * The registry's codes as people read them, in Vietnamese or English. Machine output (`--json`,
 * CSV, the API) keeps the codes; only text meant for a person goes through here.
 */
export type RegistryLang = "vi" | "en";

type Labels<K extends string> = Record<RegistryLang, Record<K, string>>;

export const TOKEN_STATUS_LABELS: Labels<TokenStatus> = {
  vi: { in_stock: "trong kho", issued: "đã cấp phát", returned: "đã trả lại", lost: "bị mất", locked: "bị khóa", destroyed: "đã hủy" },
  en: { in_stock: "in stock", issued: "issued", returned: "returned", lost: "lost", locked: "locked", destroyed: "destroyed" },
};

export const CERTIFICATE_STATUS_LABELS: Labels<CertificateStatus> = {
  vi: { active: "đang hoạt động", revoked: "đã thu hồi", expired: "hết hạn", suspended: "tạm dừng" },
  en: { active: "active", revoked: "revoked", expired: "expired", suspended: "suspended" },
};

/** CRLReason (RFC 5280 §5.3.1), named as Vietnamese CAs' notices name them. */
export const REVOCATION_REASON_LABELS: Labels<RevocationReason> = {
  vi: {
    unspecified: "không nêu lý do",
    keyCompromise: "lộ khóa bí mật",
    cACompromise: "lộ khóa của tổ chức cung cấp dịch vụ",
    affiliationChanged: "thay đổi đơn vị công tác",
    superseded: "được thay thế bằng chứng thư số mới",
    cessationOfOperation: "chấm dứt sử dụng",
    certificateHold: "tạm dừng",
    removeFromCRL: "gỡ khỏi danh sách thu hồi",
    privilegeWithdrawn: "rút quyền",
    aACompromise: "lộ khóa của tổ chức cấp thuộc tính",
  },
  en: {
    unspecified: "unspecified",
    keyCompromise: "key compromise",
    cACompromise: "CA compromise",
    affiliationChanged: "affiliation changed",
    superseded: "superseded",
    cessationOfOperation: "cessation of operation",
    certificateHold: "certificate hold",
    removeFromCRL: "remove from CRL",
    privilegeWithdrawn: "privilege withdrawn",
    aACompromise: "AA compromise",
  },
};

export const LEVEL_LABELS: Labels<UnitLevel> = {
  vi: { province: "cấp tỉnh", district: "cấp huyện", commune: "cấp xã", department: "sở, ban, ngành" },
  en: { province: "province level", district: "district level", commune: "commune level", department: "department" },
};

function label<K extends string>(table: Labels<K>, lang: RegistryLang, code: string | null | undefined): string {
  if (code === null || code === undefined) return "";
  return (table[lang] as Record<string, string>)[code] ?? code;
}

export const tokenStatusLabel = (lang: RegistryLang, code: string): string => label(TOKEN_STATUS_LABELS, lang, code);
export const certificateStatusLabel = (lang: RegistryLang, code: string): string => label(CERTIFICATE_STATUS_LABELS, lang, code);
export const revocationReasonLabel = (lang: RegistryLang, code: string | null | undefined): string => label(REVOCATION_REASON_LABELS, lang, code);
export const levelLabel = (lang: RegistryLang, code: string): string => label(LEVEL_LABELS, lang, code);

export const EVENT_KIND_LABELS: Labels<EventKind> = {
  vi: {
    unit_added: "thêm đơn vị",
    issued: "cấp mới",
    renewed: "gia hạn",
    revoked: "thu hồi",
    suspended: "tạm dừng",
    corrected: "đính chính",
    token_added: "nhập kho token",
    token_issued: "cấp phát token",
    token_returned: "trả lại token",
    token_lost: "báo mất token",
    token_locked: "khóa token",
    token_unlocked: "mở khóa token",
    token_destroyed: "hủy token",
    pin_reset: "đặt lại PIN",
  },
  en: {
    unit_added: "unit added",
    issued: "issued",
    renewed: "renewed",
    revoked: "revoked",
    suspended: "suspended",
    corrected: "corrected",
    token_added: "token added",
    token_issued: "token issued",
    token_returned: "token returned",
    token_lost: "token lost",
    token_locked: "token locked",
    token_unlocked: "token unlocked",
    token_destroyed: "token destroyed",
    pin_reset: "PIN reset",
  },
};

export const eventKindLabel = (lang: RegistryLang, code: string): string => label(EVENT_KIND_LABELS, lang, code);
