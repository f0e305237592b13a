import type { ReasonCode, TIMESTAMP_PROBLEMS, WarningCode } from "./codes.js";
import type { ChangeKind } from "./modifications.js";

/**
 * What the codes of a report (./codes.ts, docs/verify-codes.md) say to a person, in Vietnamese and
 * English: the one source of these texts. The printable report (reports/detail-text.ts), the CLI's
 * catalogue (cli/src/messages) and the verify page (the service's GET /i18n/verify-texts.json) take
 * them from here. Templates: `{param}` placeholders, `[[ ... ]]` optional parts (describeDetail).
 * Imported as `@kyso/verify/texts`, data only, so that a front door's catalogue does not load the verifier.
 */
export type VerifyLang = "vi" | "en";

export type TimestampProblem = (typeof TIMESTAMP_PROBLEMS)[number];

/** The RFC 5280 §5.3.1 revocation reasons that have words (any other is shown as its name). */
export type RevocationReasonName = "unspecified" | "keyCompromise" | "cACompromise" | "affiliationChanged" | "superseded" | "cessationOfOperation" | "certificateHold" | "privilegeWithdrawn";

export interface VerifyTextTable {
  /** Reasons, by REASON_CODES. */
  reason: Readonly<Record<ReasonCode, string>>;
  /** Warnings, by WARNING_CODES. */
  warning: Readonly<Record<WarningCode, string>>;
  /** The problems of TIMESTAMP_INVALID's `problems`, by TIMESTAMP_PROBLEMS. */
  tsProblem: Readonly<Record<TimestampProblem, string>>;
  /** A revocation's `revocationReason`. */
  revocationReason: Readonly<Record<RevocationReasonName, string>>;
  /** The kind of a change after signing (modifications.ts). */
  kind: Readonly<Record<ChangeKind, string>>;
}

const VI: VerifyTextTable = {
  reason: {
    SIGNATURE_VALID: "Chữ ký hợp lệ và bao trùm toàn bộ tài liệu",
    SIGNATURE_VALID_ALLOWED_CHANGES: "Chữ ký hợp lệ; các thay đổi sau khi ký đều được phép",
    SUBFILTER_UNSUPPORTED: "Định dạng chữ ký không được hỗ trợ: /SubFilter {subFilter}",
    BYTE_RANGE_MALFORMED: "/ByteRange bị thiếu hoặc không phải bốn số nguyên không âm (dấu hiệu giả mạo chữ ký)",
    BYTE_RANGE_NOT_AT_START: "Phần được ký không bắt đầu từ đầu tệp",
    BYTE_RANGE_PAST_END: "Vùng được ký [{byteRange}] vượt quá cuối tệp ({size} byte): tệp đã bị cắt hoặc được phần mềm khác lưu lại sau khi ký, nên không kiểm tra được chữ ký này",
    BYTE_RANGE_DEGENERATE: "/ByteRange [{byteRange}] tự chồng lấn hoặc không hợp lệ",
    CONTENTS_TOO_LARGE: "Giá trị chữ ký (/Contents) dài {bytes} byte, vượt quá mức {max} byte cho phép: không được đọc",
    CONTENTS_EMPTY: "Giá trị chữ ký (/Contents) bị thiếu hoặc rỗng (dấu hiệu giả mạo chữ ký)",
    GAP_NOT_HEX_STRING: "Khoảng không được ký của /ByteRange không phải đúng một chuỗi hex (dấu hiệu bọc chữ ký giả mạo)",
    GAP_NOT_OWN_CONTENTS: "Khoảng không được ký không phải /Contents của chữ ký này (dấu hiệu bọc chữ ký giả mạo)",
    SIG_DICT_IN_OBJECT_STREAM: "Từ điển chữ ký nằm trong luồng đối tượng, nên /Contents của nó không thể là khoảng không được ký",
    GAP_NOT_DICT_CONTENTS: "Khoảng không được ký không phải /Contents của từ điển chữ ký (dấu hiệu bọc chữ ký giả mạo)",
    BYTE_RANGE_NOT_REVISION_END: "Phần được ký kết thúc tại vị trí {end}, không phải điểm kết thúc một phiên bản của tệp",
    SIG_DICT_OUTSIDE_REVISION: "Từ điển chữ ký không thuộc phiên bản mà vùng ký bao trùm (dấu hiệu bọc chữ ký giả mạo)",
    CMS_UNREADABLE: "Giá trị chữ ký không phải cấu trúc CMS SignedData: {detail}",
    CMS_SIGNER_COUNT: "Chữ ký CMS có {count} người ký; yêu cầu đúng một người ký",
    DIGEST_UNSUPPORTED: "Thuật toán băm {oid} không được hỗ trợ, nên không kiểm tra được chữ ký",
    CMS_NOT_DETACHED: "Chữ ký CMS chứa kèm nội dung; chữ ký PDF phải tách rời nội dung",
    HASH_MISMATCH: "Tài liệu đã bị sửa đổi sau khi ký (mã băm của phần được ký không khớp với mã băm đã ký)",
    ALGORITHM_UNSUPPORTED: "Thuật toán mật mã của chữ ký không được hỗ trợ ({detail})",
    SIGNER_CERTIFICATE_NOT_FOUND: "Chứng thư số của người ký không có trong chữ ký",
    SIGNATURE_KEY_MISMATCH: "Chữ ký không được tạo bằng khóa của chứng thư số mà nó nêu",
    SIGNING_CERTIFICATE_MISMATCH: "Thuộc tính signing-certificate chỉ đến một chứng thư số khác",
    CMS_CONTENT_TYPE: "Kiểu nội dung trong chữ ký không đúng: {detail}",
    CHAIN_NOT_TRUSTED: "Không có chuỗi chứng thư từ \"{subject}\" đến chứng thư gốc tin cậy (tổ chức cấp \"{issuer}\")",
    SIGNER_NOT_YET_VALID: "Chứng thư số của người ký \"{subject}\" chưa có hiệu lực tại thời điểm ký (có hiệu lực từ {notBeforeTime})",
    CA_NOT_YET_VALID: "Chứng thư số của tổ chức cấp \"{subject}\" chưa có hiệu lực tại thời điểm ký (có hiệu lực từ {notBeforeTime})",
    SIGNER_EXPIRED: "Chứng thư số của người ký \"{subject}\" đã hết hạn tại thời điểm ký (hết hạn lúc {notAfterTime})",
    CA_EXPIRED: "Chứng thư số của tổ chức cấp \"{subject}\" đã hết hạn tại thời điểm ký (hết hạn lúc {notAfterTime})",
    SIGNER_EXPIRED_NO_POE: "Chứng thư số của người ký \"{subject}\" đã hết hạn lúc {notAfterTime} và không có dấu thời gian chứng minh chữ ký được tạo trước đó",
    CA_EXPIRED_NO_POE: "Chứng thư số của tổ chức cấp \"{subject}\" đã hết hạn lúc {notAfterTime} và không có dấu thời gian chứng minh chữ ký được tạo trước đó",
    CA_NOT_A_CA: "Chứng thư số \"{subject}\" trong chuỗi không phải của tổ chức cấp (basicConstraints)",
    CA_MAY_NOT_SIGN_CERTIFICATES: "Chứng thư số \"{subject}\" không được phép ký chứng thư số khác (keyUsage)",
    CA_PATH_TOO_LONG: "Chuỗi chứng thư dài hơn mức chứng thư số \"{subject}\" cho phép (pathLenConstraint)",
    SIGNER_KEY_USAGE: "Mục đích sử dụng khóa của chứng thư số \"{subject}\" không cho phép ký",
    SIGNER_REVOKED_BEFORE_TIMESTAMP: "Chứng thư số của người ký \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm của dấu thời gian",
    SIGNER_REVOKED_BEFORE_VALIDATION_TIME: "Chứng thư số của người ký \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm kiểm tra",
    CA_REVOKED_BEFORE_TIMESTAMP: "Chứng thư số của tổ chức cấp \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm của dấu thời gian",
    CA_REVOKED_BEFORE_VALIDATION_TIME: "Chứng thư số của tổ chức cấp \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm kiểm tra",
    TSA_REVOKED: "Chứng thư số của đơn vị cấp dấu thời gian \"{subject}\" đã bị thu hồi",
    REVOCATION_NOT_CHECKED: "Không kiểm tra tình trạng thu hồi (--revocation off): không thể kết luận chữ ký hợp lệ",
    REVOCATION_NO_INFORMATION: "Chưa xác định được tình trạng thu hồi của {subjects}: chữ ký và tài liệu không kèm thông tin thu hồi (chế độ ngoại tuyến: --revocation embedded)",
    REVOCATION_UNKNOWN: "Không lấy được tình trạng thu hồi của {subjects} ({detail})",
    DOC_TIMESTAMP_NOT_FOR_TIMESTAMPING: "Chứng thư số của dấu thời gian tài liệu không dùng để cấp dấu thời gian",
    TIMESTAMP_UNREADABLE: "Không đọc được dấu thời gian: {detail}",
    DISALLOWED_MODIFICATION_LOCKED_FIELDS: "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi ở các trường mà chữ ký này khóa",
    DISALLOWED_MODIFICATION_NEW_WIDGET: "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực chỉ cho phép điền biểu mẫu và ký, không cho thêm ô hiển thị hay chú thích mới",
    DISALLOWED_MODIFICATION_APPROVAL: "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; khi không có chữ ký chứng thực, chỉ được thêm chữ ký, dữ liệu kiểm tra và điền biểu mẫu",
    DISALLOWED_MODIFICATION_CERTIFIED_NO_CHANGES: "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực không cho phép thay đổi nào",
    DISALLOWED_MODIFICATION_CERTIFIED_FORMS: "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực chỉ cho phép điền biểu mẫu và ký",
    DISALLOWED_MODIFICATION_CERTIFIED_ANNOTATIONS: "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực chỉ cho phép điền biểu mẫu, ký và thêm chú thích",
    FILE_DAMAGED_SIGNATURE_UNREADABLE: "Cấu trúc tệp bị hỏng và không đọc được chữ ký trong tệp (tệp có thể đã bị can thiệp)",
    NO_SIGNATURE_DAMAGED_FILE: "Không tìm thấy chữ ký (cấu trúc tệp bị hỏng)",
    NO_SIGNATURE: "Tài liệu không có chữ ký số",
    SIGNATURE_NOT_VALID: "{field}: {cause}",
    ONE_SIGNATURE_VALID: "Chữ ký hợp lệ",
    ALL_SIGNATURES_VALID: "Cả {count} chữ ký đều hợp lệ",
    NOT_A_PDF: "Không phải tệp PDF: {detail}",
    PDF_UNREADABLE: "Không đọc được tệp PDF: {detail}",
    VERIFICATION_FAILED: "Không kiểm tra được tài liệu: {detail}",
  },
  warning: {
    PDF_READER: "Cấu trúc PDF phải sửa khi đọc: {detail}",
    SIGNATURES_NOT_LOCATED: "Không xác định được vị trí của mọi chữ ký: {detail}",
    LTV_NOT_ANALYSED: "Không phân tích được dữ liệu kiểm tra dài hạn: {detail}",
    NO_SIGNED_ATTRIBUTES: "Chữ ký CMS không có thuộc tính được ký: chữ ký được tạo trực tiếp trên nội dung tài liệu (RFC 5652 §5.4)",
    NO_SIGNING_CERTIFICATE_ATTRIBUTE: "Chữ ký PAdES không có thuộc tính signing-certificate-v2",
    NO_TIMESTAMP: "Chữ ký không gắn dấu thời gian: thời gian ký chỉ là thời gian người ký khai báo",
    TIMESTAMP_INVALID: "Dấu thời gian của chữ ký không hợp lệ: {problems}",
    DOC_TIMESTAMP_PROVES_TIME: "Chữ ký không gắn dấu thời gian; dấu thời gian tài liệu chứng minh chữ ký đã tồn tại lúc {proofTime}",
    DOC_TIMESTAMP_INVALID: "Dấu thời gian tài liệu không hợp lệ: {detail}",
    SIGNING_TIME_LOCAL_AS_UTC: "Thuộc tính signingTime lệch 7 giờ so với dấu thời gian: giờ Việt Nam bị ghi như giờ UTC; dùng thời gian của dấu thời gian",
    SHA1_WEAK_BUT_TIMESTAMPED: "SHA-1 là thuật toán băm yếu (ETSI TS 119 312); chữ ký được gắn dấu thời gian trước năm 2014, khi thuật toán này còn được chấp nhận",
    SHA1_WEAK: "SHA-1 là thuật toán băm yếu (ETSI TS 119 312: không được chấp nhận cho chữ ký từ năm 2014; kiểm tra lúc {validationTime}): chữ ký vẫn được kiểm tra nhưng không thể dựa vào độ an toàn của nó",
    AIA_ISSUER_FETCH_FAILED: "Không tải được chứng thư số của tổ chức cấp cho \"{subject}\" từ {url}: {detail}",
    AIA_NO_ISSUER: "{url} không trả về chứng thư số của tổ chức cấp cho \"{subject}\"",
    AIA_ISSUER_FETCHED: "Đã tải chứng thư số của tổ chức cấp \"{subject}\" từ {url} (AIA caIssuers)",
    SIGNER_REVOKED_AFTER_TIMESTAMP: "Chứng thư số của người ký \"{subject}\" bị thu hồi lúc {revocationTime}, sau thời điểm của dấu thời gian ({timestampTime}): chữ ký vẫn hợp lệ",
    CA_REVOKED_AFTER_TIMESTAMP: "Chứng thư số của tổ chức cấp \"{subject}\" bị thu hồi lúc {revocationTime}, sau thời điểm của dấu thời gian ({timestampTime}): chữ ký vẫn hợp lệ",
    CERTIFICATION_NOT_IN_PERMS: "Chữ ký chứng thực không được tham chiếu từ /Perms /DocMDP của tài liệu",
    VISIBLE_SIGNATURE_FIELD_ALLOWED: "Có trường chữ ký hiển thị mới sau chữ ký chứng thực P=2, được chấp nhận theo chính sách (các phần mềm kiểm tra chặt chẽ sẽ từ chối)",
  },
  tsProblem: {
    TST_IMPRINT_MISMATCH: "dấu thời gian được cấp cho dữ liệu khác",
    TST_NONCE_MISMATCH: "dấu thời gian không khớp số nonce của yêu cầu",
    TST_SIGNATURE_INVALID: "chữ ký của dấu thời gian không hợp lệ",
    TST_SIGNER_UNKNOWN: "không có chứng thư số của đơn vị cấp dấu thời gian",
    TST_NOT_TIMESTAMPING_CERT: "chứng thư số không dùng để cấp dấu thời gian",
    TST_CERT_EXPIRED: "chứng thư số của đơn vị cấp dấu thời gian không có hiệu lực tại thời điểm cấp",
    TST_ESS_MISMATCH: "thuộc tính signing-certificate của dấu thời gian bị thiếu hoặc chỉ đến chứng thư số khác",
    TST_IMPRINT_ALGORITHM: "thuật toán băm của dấu thời gian không được hỗ trợ",
    TST_OTHER_SIGNATURE: "dấu thời gian được cấp cho chữ ký khác",
    TST_TSA_NOT_FOUND: "không tìm thấy chứng thư số của đơn vị cấp dấu thời gian",
    TST_TSA_UNTRUSTED: "đơn vị cấp dấu thời gian không được tin cậy",
    TST_UNREADABLE: "không đọc được dấu thời gian",
  },
  revocationReason: {
    unspecified: "không nêu lý do",
    keyCompromise: "lộ khóa bí mật",
    cACompromise: "lộ khóa của tổ chức cấp",
    affiliationChanged: "thay đổi thông tin người được cấp",
    superseded: "đã được thay thế",
    cessationOfOperation: "ngừng sử dụng",
    certificateHold: "tạm dừng hiệu lực",
    privilegeWithdrawn: "bị rút quyền",
  },
  kind: {
    signature: "chữ ký",
    timestamp: "dấu thời gian",
    dss: "dữ liệu kiểm tra (DSS)",
    metadata: "thông tin mô tả",
    "form-fill": "điền biểu mẫu",
    annotation: "chú thích",
    other: "thay đổi khác",
  },
};

const EN: VerifyTextTable = {
  reason: {
    SIGNATURE_VALID: "The signature is valid and covers the whole document",
    SIGNATURE_VALID_ALLOWED_CHANGES: "The signature is valid; later changes are allowed ones",
    SUBFILTER_UNSUPPORTED: "Unsupported signature format /SubFilter {subFilter}",
    BYTE_RANGE_MALFORMED: "The /ByteRange is missing or is not four non-negative integers (universal signature forgery)",
    BYTE_RANGE_NOT_AT_START: "The signed bytes do not start at the beginning of the file",
    BYTE_RANGE_PAST_END: "The signed byte range [{byteRange}] goes past the end of the file ({size} bytes): the file was cut or re-saved by another tool after signing, so this signature cannot be checked",
    BYTE_RANGE_DEGENERATE: "The /ByteRange [{byteRange}] overlaps itself or is degenerate",
    CONTENTS_TOO_LARGE: "The signature value (/Contents) is {bytes} bytes, more than the {max} bytes a signature may hold: it is not read",
    CONTENTS_EMPTY: "The signature value (/Contents) is missing or empty (universal signature forgery)",
    GAP_NOT_HEX_STRING: "The uncovered gap of the byte range is not exactly one hex string (signature wrapping)",
    GAP_NOT_OWN_CONTENTS: "The uncovered gap is not this signature's /Contents (signature wrapping)",
    SIG_DICT_IN_OBJECT_STREAM: "The signature dictionary is inside an object stream, so its /Contents cannot be the uncovered gap",
    GAP_NOT_DICT_CONTENTS: "The uncovered gap is not the /Contents of the signature dictionary (signature wrapping)",
    BYTE_RANGE_NOT_REVISION_END: "The signed bytes end at {end}, which is not the end of a revision of the file",
    SIG_DICT_OUTSIDE_REVISION: "The signature dictionary does not belong to the revision its byte range covers (signature wrapping)",
    CMS_UNREADABLE: "The signature value is not a CMS SignedData: {detail}",
    CMS_SIGNER_COUNT: "The CMS has {count} signers; exactly one is expected",
    DIGEST_UNSUPPORTED: "The digest algorithm {oid} is not supported, so the signature cannot be checked",
    CMS_NOT_DETACHED: "The CMS encapsulates content; a PDF signature must be detached",
    HASH_MISMATCH: "The document was changed after signing (the digest of the signed bytes does not match the signed one)",
    ALGORITHM_UNSUPPORTED: "A cryptographic algorithm of the signature is not supported ({detail})",
    SIGNER_CERTIFICATE_NOT_FOUND: "The signer's certificate is not in the signature",
    SIGNATURE_KEY_MISMATCH: "The signature was not made with the key of the certificate it names",
    SIGNING_CERTIFICATE_MISMATCH: "The signing-certificate attribute names another certificate",
    CMS_CONTENT_TYPE: "Wrong content type in the signature: {detail}",
    CHAIN_NOT_TRUSTED: "No chain from \"{subject}\" to a trusted root (issuer \"{issuer}\")",
    SIGNER_NOT_YET_VALID: "The signer certificate \"{subject}\" was not yet valid at the signing time (valid from {notBeforeTime})",
    CA_NOT_YET_VALID: "The CA certificate \"{subject}\" was not yet valid at the signing time (valid from {notBeforeTime})",
    SIGNER_EXPIRED: "The signer certificate \"{subject}\" had expired at the signing time (valid until {notAfterTime})",
    CA_EXPIRED: "The CA certificate \"{subject}\" had expired at the signing time (valid until {notAfterTime})",
    SIGNER_EXPIRED_NO_POE: "The signer certificate \"{subject}\" expired on {notAfterTime} and no timestamp proves the signature existed before",
    CA_EXPIRED_NO_POE: "The CA certificate \"{subject}\" expired on {notAfterTime} and no timestamp proves the signature existed before",
    CA_NOT_A_CA: "The certificate \"{subject}\" in the chain is not a CA (basicConstraints)",
    CA_MAY_NOT_SIGN_CERTIFICATES: "The CA certificate \"{subject}\" may not sign certificates (keyUsage)",
    CA_PATH_TOO_LONG: "The chain is longer than the CA certificate \"{subject}\" allows (pathLenConstraint)",
    SIGNER_KEY_USAGE: "The key usage of the signer certificate \"{subject}\" does not allow signatures",
    SIGNER_REVOKED_BEFORE_TIMESTAMP: "The signer's certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the timestamp",
    SIGNER_REVOKED_BEFORE_VALIDATION_TIME: "The signer's certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the validation time",
    CA_REVOKED_BEFORE_TIMESTAMP: "The CA certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the timestamp",
    CA_REVOKED_BEFORE_VALIDATION_TIME: "The CA certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the validation time",
    TSA_REVOKED: "The timestamp authority's certificate \"{subject}\" is revoked",
    REVOCATION_NOT_CHECKED: "Revocation was not checked (--revocation off): the signature cannot be called valid",
    REVOCATION_NO_INFORMATION: "The revocation status of {subjects} is not known: the signature and the document carry no revocation information (offline: --revocation embedded)",
    REVOCATION_UNKNOWN: "The revocation status of {subjects} could not be obtained ({detail})",
    DOC_TIMESTAMP_NOT_FOR_TIMESTAMPING: "The document timestamp's certificate is not for timestamping",
    TIMESTAMP_UNREADABLE: "Unreadable timestamp: {detail}",
    DISALLOWED_MODIFICATION_LOCKED_FIELDS: "The document was changed after this signature in a way that is not allowed: {count} change(s) to fields this signature locks",
    DISALLOWED_MODIFICATION_NEW_WIDGET: "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows form filling and signing, but no new visible widget or annotation",
    DISALLOWED_MODIFICATION_APPROVAL: "The document was changed after this signature in a way that is not allowed: {count} change(s); without certification only signatures, validation data and form filling are allowed",
    DISALLOWED_MODIFICATION_CERTIFIED_NO_CHANGES: "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows no changes",
    DISALLOWED_MODIFICATION_CERTIFIED_FORMS: "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows form filling and signing",
    DISALLOWED_MODIFICATION_CERTIFIED_ANNOTATIONS: "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows form filling, signing and annotations",
    FILE_DAMAGED_SIGNATURE_UNREADABLE: "The file's structure is damaged and the signature in it cannot be read (it may have been tampered with)",
    NO_SIGNATURE_DAMAGED_FILE: "No signature found (the file's structure is damaged)",
    NO_SIGNATURE: "The document carries no signature",
    SIGNATURE_NOT_VALID: "{field}: {cause}",
    ONE_SIGNATURE_VALID: "The signature is valid",
    ALL_SIGNATURES_VALID: "All {count} signatures are valid",
    NOT_A_PDF: "Not a PDF file: {detail}",
    PDF_UNREADABLE: "The PDF cannot be read: {detail}",
    VERIFICATION_FAILED: "The document could not be verified: {detail}",
  },
  warning: {
    PDF_READER: "The PDF's structure needed repair: {detail}",
    SIGNATURES_NOT_LOCATED: "Signatures could not all be located: {detail}",
    LTV_NOT_ANALYSED: "Long-term validation data could not be analysed: {detail}",
    NO_SIGNED_ATTRIBUTES: "The CMS has no signed attributes: the signature is over the document bytes themselves (RFC 5652 §5.4)",
    NO_SIGNING_CERTIFICATE_ATTRIBUTE: "PAdES signature without a signing-certificate-v2 attribute",
    NO_TIMESTAMP: "The signature has no timestamp: the signing time is only claimed",
    TIMESTAMP_INVALID: "The signature timestamp is not valid: {problems}",
    DOC_TIMESTAMP_PROVES_TIME: "No signature timestamp; a document timestamp proves the signature existed at {proofTime}",
    DOC_TIMESTAMP_INVALID: "The document timestamp is not valid: {detail}",
    SIGNING_TIME_LOCAL_AS_UTC: "The signingTime attribute is 7 hours off the timestamp: local Vietnam time labelled as UTC; the timestamp's time is used",
    SHA1_WEAK_BUT_TIMESTAMPED: "SHA-1 is a weak digest algorithm (ETSI TS 119 312); the signature was timestamped before 2014, while it was still accepted",
    SHA1_WEAK: "SHA-1 is a weak digest algorithm (ETSI TS 119 312: not acceptable for signatures since 2014; validated at {validationTime}): the signature is checked, but its strength cannot be relied on",
    AIA_ISSUER_FETCH_FAILED: "The issuer of \"{subject}\" could not be fetched from {url}: {detail}",
    AIA_NO_ISSUER: "{url} did not return the issuer of \"{subject}\"",
    AIA_ISSUER_FETCHED: "Issuer \"{subject}\" fetched from {url} (AIA caIssuers)",
    SIGNER_REVOKED_AFTER_TIMESTAMP: "The signer's certificate \"{subject}\" was revoked on {revocationTime}, after the timestamp of {timestampTime}: the signature stays valid",
    CA_REVOKED_AFTER_TIMESTAMP: "The CA certificate \"{subject}\" was revoked on {revocationTime}, after the timestamp of {timestampTime}: the signature stays valid",
    CERTIFICATION_NOT_IN_PERMS: "The certification signature is not referenced from the catalog's /Perms /DocMDP",
    VISIBLE_SIGNATURE_FIELD_ALLOWED: "A new visible signature field after a P=2 certification, allowed by policy (strict validators reject it)",
  },
  tsProblem: {
    TST_IMPRINT_MISMATCH: "the timestamp is for other data",
    TST_NONCE_MISMATCH: "the timestamp does not echo the request's nonce",
    TST_SIGNATURE_INVALID: "the timestamp's own signature is not valid",
    TST_SIGNER_UNKNOWN: "the timestamp's signer certificate is not available",
    TST_NOT_TIMESTAMPING_CERT: "the timestamp certificate is not for timestamping",
    TST_CERT_EXPIRED: "the timestamp authority's certificate was not valid at the timestamp's time",
    TST_ESS_MISMATCH: "the timestamp's signing-certificate attribute is missing or names another certificate",
    TST_IMPRINT_ALGORITHM: "the timestamp's imprint algorithm is not supported",
    TST_OTHER_SIGNATURE: "the timestamp is over another signature",
    TST_TSA_NOT_FOUND: "the timestamp authority's certificate was not found",
    TST_TSA_UNTRUSTED: "the timestamp authority is not trusted",
    TST_UNREADABLE: "the timestamp token cannot be read",
  },
  revocationReason: {
    unspecified: "no reason given",
    keyCompromise: "key compromise",
    cACompromise: "CA compromise",
    affiliationChanged: "affiliation changed",
    superseded: "superseded",
    cessationOfOperation: "cessation of operation",
    certificateHold: "certificate on hold",
    privilegeWithdrawn: "privilege withdrawn",
  },
  kind: {
    signature: "signature",
    timestamp: "timestamp",
    dss: "validation data (DSS)",
    metadata: "metadata",
    "form-fill": "form filling",
    annotation: "annotation",
    other: "other change",
  },
};

export const VERIFY_TEXTS: Readonly<Record<VerifyLang, VerifyTextTable>> = { vi: VI, en: EN };

/** The prefixes of flatTexts' keys, by table. */
const PREFIX = { reason: "r", warning: "w", tsProblem: "tp", revocationReason: "rr", kind: "kind" } as const satisfies Record<keyof VerifyTextTable, string>;

/**
 * One language's tables as one flat record, keys `r:CODE`, `w:CODE`, `tp:CODE`, `rr:reason` and
 * `kind:kind`: the verify page's dictionary keys (and DETAIL_TEXTS of @kyso/verify/reports).
 */
export function flatTexts(lang: VerifyLang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [table, prefix] of Object.entries(PREFIX) as [keyof VerifyTextTable, string][])
    for (const [k, v] of Object.entries(VERIFY_TEXTS[lang][table])) out[`${prefix}:${k}`] = v;
  return out;
}

/** A table's text for `key`, or undefined (a code or name the table does not have). */
export function verifyText(lang: VerifyLang, table: keyof VerifyTextTable, key: string): string | undefined {
  const t: Readonly<Record<string, string>> = VERIFY_TEXTS[lang][table];
  return Object.prototype.hasOwnProperty.call(t, key) ? t[key] : undefined;
}
