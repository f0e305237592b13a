// The clerks' page: sends each chosen PDF to /api/v1/verify and shows the verdict. No CDN, no framework.
"use strict";
const T = {
  vi: {
    logout: "Đăng xuất",
    title: "Kiểm tra chữ ký số trên văn bản PDF", drop: "Kéo thả các tệp PDF vào đây, hoặc", choose: "Chọn tệp…",
    footer: "Kết quả theo ETSI EN 319 102-1. Tài liệu không được lưu lại; chỉ lưu mã băm SHA-256 và kết quả kiểm tra.",
    checking: "Đang kiểm tra…", TOTAL_PASSED: "HỢP LỆ", TOTAL_FAILED: "KHÔNG HỢP LỆ", INDETERMINATE: "CHƯA XÁC ĐỊNH", NO_SIGNATURE: "KHÔNG CÓ CHỮ KÝ",
    signature: "Chữ ký", signer: "Người ký", organization: "Cơ quan, tổ chức", time: "Thời gian ký", ts: "theo dấu thời gian", claimed: "theo khai báo của người ký",
    revocation: "Tình trạng thu hồi", modifications: "Thay đổi sau khi ký", none: "Không có", chain: "Chứng thư số", trusted: "Được tin cậy", untrusted: "Không được tin cậy",
    coverage: "Phạm vi ký", ENTIRE_FILE: "Toàn bộ văn bản", ENTIRE_REVISION: "Một phiên bản (văn bản có thay đổi sau khi ký)", NONE: "Không xác định",
    good: "chưa bị thu hồi", revoked: "đã bị thu hồi", undetermined: "không xác định được", since: "từ",
    unknown: "nơi cung cấp không biết chứng thư này", "no-information": "Không có thông tin thu hồi kèm theo", "not-checked": "Không kiểm tra",
    print: "In báo cáo", printing: "Đang lập báo cáo…", printFailed: "Không lập được báo cáo",
    error: "Lỗi", allowed: "được phép", disallowed: "KHÔNG được phép",
    HASH_FAILURE: "Văn bản đã bị sửa đổi sau khi ký", SIG_CRYPTO_FAILURE: "Chữ ký không khớp với chứng thư số", FORMAT_FAILURE: "Chữ ký sai định dạng hoặc bị giả mạo",
    REVOKED: "Chứng thư số đã bị thu hồi", EXPIRED: "Chứng thư số đã hết hạn khi ký", NOT_YET_VALID: "Chứng thư số chưa có hiệu lực khi ký",
    OUT_OF_BOUNDS_NO_POE: "Chứng thư số đã hết hạn, không có dấu thời gian", NO_CERTIFICATE_CHAIN_FOUND: "Chứng thư số không do tổ chức được tin cậy cấp",
    DISALLOWED_MODIFICATION: "Văn bản bị thay đổi không được phép sau khi ký", TRY_LATER: "Không kiểm tra được tình trạng thu hồi", REVOKED_NO_POE: "Chứng thư số đã bị thu hồi",
    // Reasons (r:), warnings (w:), timestamp problems (tp:), revocation reasons (rr:) by the report's codes (@kyso/verify codes.ts); change kinds (kind:).
    "r:SIGNATURE_VALID": "Chữ ký hợp lệ và bao trùm toàn bộ tài liệu",
    "r:SIGNATURE_VALID_ALLOWED_CHANGES": "Chữ ký hợp lệ; các thay đổi sau khi ký đều được phép",
    "r:SUBFILTER_UNSUPPORTED": "Định dạng chữ ký không được hỗ trợ: /SubFilter {subFilter}",
    "r:BYTE_RANGE_MALFORMED": "/ByteRange bị thiếu hoặc không phải bốn số nguyên không âm (dấu hiệu giả mạo chữ ký)",
    "r:BYTE_RANGE_NOT_AT_START": "Phần được ký không bắt đầu từ đầu tệp",
    "r:BYTE_RANGE_PAST_END": "Vùng được ký [{byteRange}] vượt quá cuối tệp ({size} byte): tệp đã bị cắt hoặc được phần mềm khác lưu lại sau khi ký, nên không kiểm tra được chữ ký này",
    "r:BYTE_RANGE_DEGENERATE": "/ByteRange [{byteRange}] tự chồng lấn hoặc không hợp lệ",
    "r:CONTENTS_TOO_LARGE": "Giá trị chữ ký (/Contents) dài {bytes} byte, vượt quá mức {max} byte cho phép: không được đọc",
    "r:CONTENTS_EMPTY": "Giá trị chữ ký (/Contents) bị thiếu hoặc rỗng (dấu hiệu giả mạo chữ ký)",
    "r:GAP_NOT_HEX_STRING": "Khoảng không được ký của /ByteRange không phải đúng một chuỗi hex (dấu hiệu bọc chữ ký giả mạo)",
    "r:GAP_NOT_OWN_CONTENTS": "Khoảng không được ký không phải /Contents của chữ ký này (dấu hiệu bọc chữ ký giả mạo)",
    "r:SIG_DICT_IN_OBJECT_STREAM": "Từ điển chữ ký nằm trong luồng đối tượng, nên /Contents của nó không thể là khoảng không được ký",
    "r:GAP_NOT_DICT_CONTENTS": "Khoảng không được ký không phải /Contents của từ điển chữ ký (dấu hiệu bọc chữ ký giả mạo)",
    "r:BYTE_RANGE_NOT_REVISION_END": "Phần được ký kết thúc tại vị trí {end}, không phải điểm kết thúc một phiên bản của tệp",
    "r:SIG_DICT_OUTSIDE_REVISION": "Từ điển chữ ký không thuộc phiên bản mà vùng ký bao trùm (dấu hiệu bọc chữ ký giả mạo)",
    "r:CMS_UNREADABLE": "Giá trị chữ ký không phải cấu trúc CMS SignedData: {detail}",
    "r:CMS_SIGNER_COUNT": "Chữ ký CMS có {count} người ký; yêu cầu đúng một người ký",
    "r:DIGEST_UNSUPPORTED": "Thuật toán băm {oid} không được hỗ trợ, nên không kiểm tra được chữ ký",
    "r:CMS_NOT_DETACHED": "Chữ ký CMS chứa kèm nội dung; chữ ký PDF phải tách rời nội dung",
    "r:HASH_MISMATCH": "Tài liệu đã bị sửa đổi sau khi ký (mã băm của phần được ký không khớp với mã băm đã ký)",
    "r:ALGORITHM_UNSUPPORTED": "Thuật toán mật mã của chữ ký không được hỗ trợ ({detail})",
    "r:SIGNER_CERTIFICATE_NOT_FOUND": "Chứng thư số của người ký không có trong chữ ký",
    "r:SIGNATURE_KEY_MISMATCH": "Chữ ký không được tạo bằng khóa của chứng thư số mà nó nêu",
    "r:SIGNING_CERTIFICATE_MISMATCH": "Thuộc tính signing-certificate chỉ đến một chứng thư số khác",
    "r:CMS_CONTENT_TYPE": "Kiểu nội dung trong chữ ký không đúng: {detail}",
    "r:CHAIN_NOT_TRUSTED": "Không có chuỗi chứng thư từ \"{subject}\" đến chứng thư gốc tin cậy (tổ chức cấp \"{issuer}\")",
    "r:SIGNER_NOT_YET_VALID": "Chứng thư số của người ký \"{subject}\" chưa có hiệu lực tại thời điểm ký (có hiệu lực từ {notBeforeTime})",
    "r:CA_NOT_YET_VALID": "Chứng thư số của tổ chức cấp \"{subject}\" chưa có hiệu lực tại thời điểm ký (có hiệu lực từ {notBeforeTime})",
    "r:SIGNER_EXPIRED": "Chứng thư số của người ký \"{subject}\" đã hết hạn tại thời điểm ký (hết hạn lúc {notAfterTime})",
    "r:CA_EXPIRED": "Chứng thư số của tổ chức cấp \"{subject}\" đã hết hạn tại thời điểm ký (hết hạn lúc {notAfterTime})",
    "r:SIGNER_EXPIRED_NO_POE": "Chứng thư số của người ký \"{subject}\" đã hết hạn lúc {notAfterTime} và không có dấu thời gian chứng minh chữ ký được tạo trước đó",
    "r:CA_EXPIRED_NO_POE": "Chứng thư số của tổ chức cấp \"{subject}\" đã hết hạn lúc {notAfterTime} và không có dấu thời gian chứng minh chữ ký được tạo trước đó",
    "r:CA_NOT_A_CA": "Chứng thư số \"{subject}\" trong chuỗi không phải của tổ chức cấp (basicConstraints)",
    "r:CA_MAY_NOT_SIGN_CERTIFICATES": "Chứng thư số \"{subject}\" không được phép ký chứng thư số khác (keyUsage)",
    "r:CA_PATH_TOO_LONG": "Chuỗi chứng thư dài hơn mức chứng thư số \"{subject}\" cho phép (pathLenConstraint)",
    "r:SIGNER_KEY_USAGE": "Mục đích sử dụng khóa của chứng thư số \"{subject}\" không cho phép ký",
    "r:SIGNER_REVOKED_BEFORE_TIMESTAMP": "Chứng thư số của người ký \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm của dấu thời gian",
    "r:SIGNER_REVOKED_BEFORE_VALIDATION_TIME": "Chứng thư số của người ký \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm kiểm tra",
    "r:CA_REVOKED_BEFORE_TIMESTAMP": "Chứng thư số của tổ chức cấp \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm của dấu thời gian",
    "r:CA_REVOKED_BEFORE_VALIDATION_TIME": "Chứng thư số của tổ chức cấp \"{subject}\" đã bị thu hồi[[ lúc {revocationTime}]][[ ({revocationReason})]], trước thời điểm kiểm tra",
    "r:TSA_REVOKED": "Chứng thư số của đơn vị cấp dấu thời gian \"{subject}\" đã bị thu hồi",
    "r:REVOCATION_NOT_CHECKED": "Không kiểm tra tình trạng thu hồi (--revocation off): không thể kết luận chữ ký hợp lệ",
    "r:REVOCATION_NO_INFORMATION": "Chưa xác định được tình trạng thu hồi của {subjects}: chữ ký và tài liệu không kèm thông tin thu hồi (chế độ ngoại tuyến: --revocation embedded)",
    "r:REVOCATION_UNKNOWN": "Không lấy được tình trạng thu hồi của {subjects} ({detail})",
    "r:DOC_TIMESTAMP_NOT_FOR_TIMESTAMPING": "Chứng thư số của dấu thời gian tài liệu không dùng để cấp dấu thời gian",
    "r:TIMESTAMP_UNREADABLE": "Không đọc được dấu thời gian: {detail}",
    "r:DISALLOWED_MODIFICATION_LOCKED_FIELDS": "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi ở các trường mà chữ ký này khóa",
    "r:DISALLOWED_MODIFICATION_NEW_WIDGET": "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực chỉ cho phép điền biểu mẫu và ký, không cho thêm ô hiển thị hay chú thích mới",
    "r:DISALLOWED_MODIFICATION_APPROVAL": "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; khi không có chữ ký chứng thực, chỉ được thêm chữ ký, dữ liệu kiểm tra và điền biểu mẫu",
    "r:DISALLOWED_MODIFICATION_CERTIFIED_NO_CHANGES": "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực không cho phép thay đổi nào",
    "r:DISALLOWED_MODIFICATION_CERTIFIED_FORMS": "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực chỉ cho phép điền biểu mẫu và ký",
    "r:DISALLOWED_MODIFICATION_CERTIFIED_ANNOTATIONS": "Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: {count} thay đổi; chữ ký chứng thực chỉ cho phép điền biểu mẫu, ký và thêm chú thích",
    "r:FILE_DAMAGED_SIGNATURE_UNREADABLE": "Cấu trúc tệp bị hỏng và không đọc được chữ ký trong tệp (tệp có thể đã bị can thiệp)",
    "r:NO_SIGNATURE_DAMAGED_FILE": "Không tìm thấy chữ ký (cấu trúc tệp bị hỏng)",
    "r:NO_SIGNATURE": "Tài liệu không có chữ ký số",
    "r:SIGNATURE_NOT_VALID": "{field}: {cause}",
    "r:ONE_SIGNATURE_VALID": "Chữ ký hợp lệ",
    "r:ALL_SIGNATURES_VALID": "Cả {count} chữ ký đều hợp lệ",
    "r:NOT_A_PDF": "Không phải tệp PDF: {detail}",
    "r:PDF_UNREADABLE": "Không đọc được tệp PDF: {detail}",
    "r:VERIFICATION_FAILED": "Không kiểm tra được tài liệu: {detail}",
    "w:PDF_READER": "Cấu trúc PDF phải sửa khi đọc: {detail}",
    "w:SIGNATURES_NOT_LOCATED": "Không xác định được vị trí của mọi chữ ký: {detail}",
    "w:LTV_NOT_ANALYSED": "Không phân tích được dữ liệu kiểm tra dài hạn: {detail}",
    "w:NO_SIGNED_ATTRIBUTES": "Chữ ký CMS không có thuộc tính được ký: chữ ký được tạo trực tiếp trên nội dung tài liệu (RFC 5652 §5.4)",
    "w:NO_SIGNING_CERTIFICATE_ATTRIBUTE": "Chữ ký PAdES không có thuộc tính signing-certificate-v2",
    "w:NO_TIMESTAMP": "Chữ ký không gắn dấu thời gian: thời gian ký chỉ là thời gian người ký khai báo",
    "w:TIMESTAMP_INVALID": "Dấu thời gian của chữ ký không hợp lệ: {problems}",
    "w:DOC_TIMESTAMP_PROVES_TIME": "Chữ ký không gắn dấu thời gian; dấu thời gian tài liệu chứng minh chữ ký đã tồn tại lúc {proofTime}",
    "w:DOC_TIMESTAMP_INVALID": "Dấu thời gian tài liệu không hợp lệ: {detail}",
    "w:SIGNING_TIME_LOCAL_AS_UTC": "Thuộc tính signingTime lệch 7 giờ so với dấu thời gian: giờ Việt Nam bị ghi như giờ UTC; dùng thời gian của dấu thời gian",
    "w:SHA1_WEAK_BUT_TIMESTAMPED": "SHA-1 là thuật toán băm yếu (ETSI TS 119 312); chữ ký được gắn dấu thời gian trước năm 2014, khi thuật toán này còn được chấp nhận",
    "w:SHA1_WEAK": "SHA-1 là thuật toán băm yếu (ETSI TS 119 312: không được chấp nhận cho chữ ký từ năm 2014; kiểm tra lúc {validationTime}): chữ ký vẫn được kiểm tra nhưng không thể dựa vào độ an toàn của nó",
    "w:AIA_ISSUER_FETCH_FAILED": "Không tải được chứng thư số của tổ chức cấp cho \"{subject}\" từ {url}: {detail}",
    "w:AIA_NO_ISSUER": "{url} không trả về chứng thư số của tổ chức cấp cho \"{subject}\"",
    "w:AIA_ISSUER_FETCHED": "Đã tải chứng thư số của tổ chức cấp \"{subject}\" từ {url} (AIA caIssuers)",
    "w:SIGNER_REVOKED_AFTER_TIMESTAMP": "Chứng thư số của người ký \"{subject}\" bị thu hồi lúc {revocationTime}, sau thời điểm của dấu thời gian ({timestampTime}): chữ ký vẫn hợp lệ",
    "w:CA_REVOKED_AFTER_TIMESTAMP": "Chứng thư số của tổ chức cấp \"{subject}\" bị thu hồi lúc {revocationTime}, sau thời điểm của dấu thời gian ({timestampTime}): chữ ký vẫn hợp lệ",
    "w:CERTIFICATION_NOT_IN_PERMS": "Chữ ký chứng thực không được tham chiếu từ /Perms /DocMDP của tài liệu",
    "w:VISIBLE_SIGNATURE_FIELD_ALLOWED": "Có trường chữ ký hiển thị mới sau chữ ký chứng thực P=2, được chấp nhận theo chính sách (các phần mềm kiểm tra chặt chẽ sẽ từ chối)",
    "tp:TST_IMPRINT_MISMATCH": "dấu thời gian được cấp cho dữ liệu khác",
    "tp:TST_NONCE_MISMATCH": "dấu thời gian không khớp số nonce của yêu cầu",
    "tp:TST_SIGNATURE_INVALID": "chữ ký của dấu thời gian không hợp lệ",
    "tp:TST_SIGNER_UNKNOWN": "không có chứng thư số của đơn vị cấp dấu thời gian",
    "tp:TST_NOT_TIMESTAMPING_CERT": "chứng thư số không dùng để cấp dấu thời gian",
    "tp:TST_CERT_EXPIRED": "chứng thư số của đơn vị cấp dấu thời gian không có hiệu lực tại thời điểm cấp",
    "tp:TST_ESS_MISMATCH": "thuộc tính signing-certificate của dấu thời gian bị thiếu hoặc chỉ đến chứng thư số khác",
    "tp:TST_IMPRINT_ALGORITHM": "thuật toán băm của dấu thời gian không được hỗ trợ",
    "tp:TST_OTHER_SIGNATURE": "dấu thời gian được cấp cho chữ ký khác",
    "tp:TST_TSA_NOT_FOUND": "không tìm thấy chứng thư số của đơn vị cấp dấu thời gian",
    "tp:TST_TSA_UNTRUSTED": "đơn vị cấp dấu thời gian không được tin cậy",
    "tp:TST_UNREADABLE": "không đọc được dấu thời gian",
    "rr:unspecified": "không nêu lý do",
    "rr:keyCompromise": "lộ khóa bí mật",
    "rr:cACompromise": "lộ khóa của tổ chức cấp",
    "rr:affiliationChanged": "thay đổi thông tin người được cấp",
    "rr:superseded": "đã được thay thế",
    "rr:cessationOfOperation": "ngừng sử dụng",
    "rr:certificateHold": "tạm dừng hiệu lực",
    "rr:privilegeWithdrawn": "bị rút quyền",
    "kind:signature": "chữ ký",
    "kind:timestamp": "dấu thời gian",
    "kind:dss": "dữ liệu kiểm tra (DSS)",
    "kind:metadata": "thông tin mô tả",
    "kind:form-fill": "điền biểu mẫu",
    "kind:annotation": "chú thích",
    "kind:other": "thay đổi khác",
  },
  en: {
    logout: "Sign out",
    title: "Check the digital signatures of PDF documents", drop: "Drop PDF files here, or", choose: "Choose files…",
    footer: "Verdicts follow ETSI EN 319 102-1. Documents are not kept; only their SHA-256 and the verdict are recorded.",
    checking: "Checking…", TOTAL_PASSED: "VALID", TOTAL_FAILED: "INVALID", INDETERMINATE: "INDETERMINATE", NO_SIGNATURE: "NO SIGNATURE",
    signature: "Signature", signer: "Signer", organization: "Organization", time: "Signing time", ts: "from a timestamp", claimed: "claimed by the signer",
    revocation: "Revocation", modifications: "Changes after signing", none: "None", chain: "Certificate", trusted: "Trusted", untrusted: "Not trusted",
    coverage: "Coverage", ENTIRE_FILE: "The whole document", ENTIRE_REVISION: "One revision (the document changed after signing)", NONE: "Unknown",
    good: "not revoked", revoked: "revoked", undetermined: "could not be determined", since: "since",
    unknown: "the responder does not know the certificate", "no-information": "No revocation information included", "not-checked": "Not checked",
    print: "Print report", printing: "Making the report…", printFailed: "The report could not be made",
    error: "Error", allowed: "allowed", disallowed: "NOT allowed",
    HASH_FAILURE: "The document was changed after signing", SIG_CRYPTO_FAILURE: "The signature does not match the certificate", FORMAT_FAILURE: "Malformed or forged signature",
    REVOKED: "The certificate was revoked", EXPIRED: "The certificate had expired", NOT_YET_VALID: "The certificate was not yet valid",
    OUT_OF_BOUNDS_NO_POE: "The certificate has expired and there is no timestamp", NO_CERTIFICATE_CHAIN_FOUND: "The certificate was not issued by a trusted authority",
    DISALLOWED_MODIFICATION: "The document was changed in a way that is not allowed after signing", TRY_LATER: "Revocation could not be checked", REVOKED_NO_POE: "The certificate was revoked",
    // Reasons (r:), warnings (w:), timestamp problems (tp:), revocation reasons (rr:) by the report's codes (@kyso/verify codes.ts); change kinds (kind:).
    "r:SIGNATURE_VALID": "The signature is valid and covers the whole document",
    "r:SIGNATURE_VALID_ALLOWED_CHANGES": "The signature is valid; later changes are allowed ones",
    "r:SUBFILTER_UNSUPPORTED": "Unsupported signature format /SubFilter {subFilter}",
    "r:BYTE_RANGE_MALFORMED": "The /ByteRange is missing or is not four non-negative integers (universal signature forgery)",
    "r:BYTE_RANGE_NOT_AT_START": "The signed bytes do not start at the beginning of the file",
    "r:BYTE_RANGE_PAST_END": "The signed byte range [{byteRange}] goes past the end of the file ({size} bytes): the file was cut or re-saved by another tool after signing, so this signature cannot be checked",
    "r:BYTE_RANGE_DEGENERATE": "The /ByteRange [{byteRange}] overlaps itself or is degenerate",
    "r:CONTENTS_TOO_LARGE": "The signature value (/Contents) is {bytes} bytes, more than the {max} bytes a signature may hold: it is not read",
    "r:CONTENTS_EMPTY": "The signature value (/Contents) is missing or empty (universal signature forgery)",
    "r:GAP_NOT_HEX_STRING": "The uncovered gap of the byte range is not exactly one hex string (signature wrapping)",
    "r:GAP_NOT_OWN_CONTENTS": "The uncovered gap is not this signature's /Contents (signature wrapping)",
    "r:SIG_DICT_IN_OBJECT_STREAM": "The signature dictionary is inside an object stream, so its /Contents cannot be the uncovered gap",
    "r:GAP_NOT_DICT_CONTENTS": "The uncovered gap is not the /Contents of the signature dictionary (signature wrapping)",
    "r:BYTE_RANGE_NOT_REVISION_END": "The signed bytes end at {end}, which is not the end of a revision of the file",
    "r:SIG_DICT_OUTSIDE_REVISION": "The signature dictionary does not belong to the revision its byte range covers (signature wrapping)",
    "r:CMS_UNREADABLE": "The signature value is not a CMS SignedData: {detail}",
    "r:CMS_SIGNER_COUNT": "The CMS has {count} signers; exactly one is expected",
    "r:DIGEST_UNSUPPORTED": "The digest algorithm {oid} is not supported, so the signature cannot be checked",
    "r:CMS_NOT_DETACHED": "The CMS encapsulates content; a PDF signature must be detached",
    "r:HASH_MISMATCH": "The document was changed after signing (the digest of the signed bytes does not match the signed one)",
    "r:ALGORITHM_UNSUPPORTED": "A cryptographic algorithm of the signature is not supported ({detail})",
    "r:SIGNER_CERTIFICATE_NOT_FOUND": "The signer's certificate is not in the signature",
    "r:SIGNATURE_KEY_MISMATCH": "The signature was not made with the key of the certificate it names",
    "r:SIGNING_CERTIFICATE_MISMATCH": "The signing-certificate attribute names another certificate",
    "r:CMS_CONTENT_TYPE": "Wrong content type in the signature: {detail}",
    "r:CHAIN_NOT_TRUSTED": "No chain from \"{subject}\" to a trusted root (issuer \"{issuer}\")",
    "r:SIGNER_NOT_YET_VALID": "The signer certificate \"{subject}\" was not yet valid at the signing time (valid from {notBeforeTime})",
    "r:CA_NOT_YET_VALID": "The CA certificate \"{subject}\" was not yet valid at the signing time (valid from {notBeforeTime})",
    "r:SIGNER_EXPIRED": "The signer certificate \"{subject}\" had expired at the signing time (valid until {notAfterTime})",
    "r:CA_EXPIRED": "The CA certificate \"{subject}\" had expired at the signing time (valid until {notAfterTime})",
    "r:SIGNER_EXPIRED_NO_POE": "The signer certificate \"{subject}\" expired on {notAfterTime} and no timestamp proves the signature existed before",
    "r:CA_EXPIRED_NO_POE": "The CA certificate \"{subject}\" expired on {notAfterTime} and no timestamp proves the signature existed before",
    "r:CA_NOT_A_CA": "The certificate \"{subject}\" in the chain is not a CA (basicConstraints)",
    "r:CA_MAY_NOT_SIGN_CERTIFICATES": "The CA certificate \"{subject}\" may not sign certificates (keyUsage)",
    "r:CA_PATH_TOO_LONG": "The chain is longer than the CA certificate \"{subject}\" allows (pathLenConstraint)",
    "r:SIGNER_KEY_USAGE": "The key usage of the signer certificate \"{subject}\" does not allow signatures",
    "r:SIGNER_REVOKED_BEFORE_TIMESTAMP": "The signer's certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the timestamp",
    "r:SIGNER_REVOKED_BEFORE_VALIDATION_TIME": "The signer's certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the validation time",
    "r:CA_REVOKED_BEFORE_TIMESTAMP": "The CA certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the timestamp",
    "r:CA_REVOKED_BEFORE_VALIDATION_TIME": "The CA certificate \"{subject}\" was revoked[[ on {revocationTime}]][[ ({revocationReason})]], before the validation time",
    "r:TSA_REVOKED": "The timestamp authority's certificate \"{subject}\" is revoked",
    "r:REVOCATION_NOT_CHECKED": "Revocation was not checked (--revocation off): the signature cannot be called valid",
    "r:REVOCATION_NO_INFORMATION": "The revocation status of {subjects} is not known: the signature and the document carry no revocation information (offline: --revocation embedded)",
    "r:REVOCATION_UNKNOWN": "The revocation status of {subjects} could not be obtained ({detail})",
    "r:DOC_TIMESTAMP_NOT_FOR_TIMESTAMPING": "The document timestamp's certificate is not for timestamping",
    "r:TIMESTAMP_UNREADABLE": "Unreadable timestamp: {detail}",
    "r:DISALLOWED_MODIFICATION_LOCKED_FIELDS": "The document was changed after this signature in a way that is not allowed: {count} change(s) to fields this signature locks",
    "r:DISALLOWED_MODIFICATION_NEW_WIDGET": "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows form filling and signing, but no new visible widget or annotation",
    "r:DISALLOWED_MODIFICATION_APPROVAL": "The document was changed after this signature in a way that is not allowed: {count} change(s); without certification only signatures, validation data and form filling are allowed",
    "r:DISALLOWED_MODIFICATION_CERTIFIED_NO_CHANGES": "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows no changes",
    "r:DISALLOWED_MODIFICATION_CERTIFIED_FORMS": "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows form filling and signing",
    "r:DISALLOWED_MODIFICATION_CERTIFIED_ANNOTATIONS": "The document was changed after this signature in a way that is not allowed: {count} change(s); the certification allows form filling, signing and annotations",
    "r:FILE_DAMAGED_SIGNATURE_UNREADABLE": "The file's structure is damaged and the signature in it cannot be read (it may have been tampered with)",
    "r:NO_SIGNATURE_DAMAGED_FILE": "No signature found (the file's structure is damaged)",
    "r:NO_SIGNATURE": "The document carries no signature",
    "r:SIGNATURE_NOT_VALID": "{field}: {cause}",
    "r:ONE_SIGNATURE_VALID": "The signature is valid",
    "r:ALL_SIGNATURES_VALID": "All {count} signatures are valid",
    "r:NOT_A_PDF": "Not a PDF file: {detail}",
    "r:PDF_UNREADABLE": "The PDF cannot be read: {detail}",
    "r:VERIFICATION_FAILED": "The document could not be verified: {detail}",
    "w:PDF_READER": "The PDF's structure needed repair: {detail}",
    "w:SIGNATURES_NOT_LOCATED": "Signatures could not all be located: {detail}",
    "w:LTV_NOT_ANALYSED": "Long-term validation data could not be analysed: {detail}",
    "w:NO_SIGNED_ATTRIBUTES": "The CMS has no signed attributes: the signature is over the document bytes themselves (RFC 5652 §5.4)",
    "w:NO_SIGNING_CERTIFICATE_ATTRIBUTE": "PAdES signature without a signing-certificate-v2 attribute",
    "w:NO_TIMESTAMP": "The signature has no timestamp: the signing time is only claimed",
    "w:TIMESTAMP_INVALID": "The signature timestamp is not valid: {problems}",
    "w:DOC_TIMESTAMP_PROVES_TIME": "No signature timestamp; a document timestamp proves the signature existed at {proofTime}",
    "w:DOC_TIMESTAMP_INVALID": "The document timestamp is not valid: {detail}",
    "w:SIGNING_TIME_LOCAL_AS_UTC": "The signingTime attribute is 7 hours off the timestamp: local Vietnam time labelled as UTC; the timestamp's time is used",
    "w:SHA1_WEAK_BUT_TIMESTAMPED": "SHA-1 is a weak digest algorithm (ETSI TS 119 312); the signature was timestamped before 2014, while it was still accepted",
    "w:SHA1_WEAK": "SHA-1 is a weak digest algorithm (ETSI TS 119 312: not acceptable for signatures since 2014; validated at {validationTime}): the signature is checked, but its strength cannot be relied on",
    "w:AIA_ISSUER_FETCH_FAILED": "The issuer of \"{subject}\" could not be fetched from {url}: {detail}",
    "w:AIA_NO_ISSUER": "{url} did not return the issuer of \"{subject}\"",
    "w:AIA_ISSUER_FETCHED": "Issuer \"{subject}\" fetched from {url} (AIA caIssuers)",
    "w:SIGNER_REVOKED_AFTER_TIMESTAMP": "The signer's certificate \"{subject}\" was revoked on {revocationTime}, after the timestamp of {timestampTime}: the signature stays valid",
    "w:CA_REVOKED_AFTER_TIMESTAMP": "The CA certificate \"{subject}\" was revoked on {revocationTime}, after the timestamp of {timestampTime}: the signature stays valid",
    "w:CERTIFICATION_NOT_IN_PERMS": "The certification signature is not referenced from the catalog's /Perms /DocMDP",
    "w:VISIBLE_SIGNATURE_FIELD_ALLOWED": "A new visible signature field after a P=2 certification, allowed by policy (strict validators reject it)",
    "tp:TST_IMPRINT_MISMATCH": "the timestamp is for other data",
    "tp:TST_NONCE_MISMATCH": "the timestamp does not echo the request's nonce",
    "tp:TST_SIGNATURE_INVALID": "the timestamp's own signature is not valid",
    "tp:TST_SIGNER_UNKNOWN": "the timestamp's signer certificate is not available",
    "tp:TST_NOT_TIMESTAMPING_CERT": "the timestamp certificate is not for timestamping",
    "tp:TST_CERT_EXPIRED": "the timestamp authority's certificate was not valid at the timestamp's time",
    "tp:TST_ESS_MISMATCH": "the timestamp's signing-certificate attribute is missing or names another certificate",
    "tp:TST_IMPRINT_ALGORITHM": "the timestamp's imprint algorithm is not supported",
    "tp:TST_OTHER_SIGNATURE": "the timestamp is over another signature",
    "tp:TST_TSA_NOT_FOUND": "the timestamp authority's certificate was not found",
    "tp:TST_TSA_UNTRUSTED": "the timestamp authority is not trusted",
    "tp:TST_UNREADABLE": "the timestamp token cannot be read",
    "rr:unspecified": "no reason given",
    "rr:keyCompromise": "key compromise",
    "rr:cACompromise": "CA compromise",
    "rr:affiliationChanged": "affiliation changed",
    "rr:superseded": "superseded",
    "rr:cessationOfOperation": "cessation of operation",
    "rr:certificateHold": "certificate on hold",
    "rr:privilegeWithdrawn": "privilege withdrawn",
    "kind:signature": "signature",
    "kind:timestamp": "timestamp",
    "kind:dss": "validation data (DSS)",
    "kind:metadata": "metadata",
    "kind:form-fill": "form filling",
    "kind:annotation": "annotation",
    "kind:other": "other change",
  },
};
// Vietnamese unless the user chose English here before (remembered), whatever the browser's locale.
let lang = localStorage.getItem("kyso-lang") === "en" ? "en" : "vi";
const reports = [];
const t = (k) => (T[lang][k] ?? k);

/**
 * A reason or warning of the report ({code, params, message}) in the page's language: the code's text
 * with its parameters (times in Vietnam time, a [[ ... ]] part left out when a parameter in it is
 * empty); the report's English sentence when the page has no text for the code.
 */
function detailText(d, kind) {
  const tpl = T[lang][`${kind === "reason" ? "r" : "w"}:${d.code}`];
  if (tpl === undefined) return d.message;
  const values = {};
  for (const [k, v] of Object.entries(d.params || {})) {
    const s = String(v);
    if (s === "") continue;
    if (k.endsWith("Time")) values[k] = vnTime(s);
    else if (k === "revocationReason") values[k] = T[lang][`rr:${s}`] ?? s;
    else if (k === "subIndication") values[k] = t(s);
    else if (k === "problems") values[k] = s.split(",").map((p) => T[lang][`tp:${p}`] ?? p).join("; ");
    else values[k] = s;
  }
  if (d.cause) values.cause = detailText(d.cause, "reason");
  else if (d.code === "SIGNATURE_NOT_VALID" && values.subIndication) values.cause = values.subIndication;
  let complete = true;
  const out = tpl
    .replace(/\[\[(.*?)\]\]/g, (_, inner) => ([...inner.matchAll(/\{(\w+)\}/g)].every((m) => m[1] in values) ? inner : ""))
    .replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : ((complete = false), m)));
  return complete ? out : d.message;
}

/** The reasons or warnings of a report, entry for entry, in the page's language. */
function detailTexts(messages, details, kind) {
  return messages.map((m, i) => {
    const d = details && (details[i] && details[i].message === m ? details[i] : details.find((x) => x.message === m));
    return d ? detailText(d, kind) : m;
  });
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}


function cls(ind) {
  return ind === "TOTAL_PASSED" ? "pass" : ind === "TOTAL_FAILED" ? "fail" : ind === "NO_SIGNATURE" ? "none" : "indeterminate";
}

/** Vietnam time (UTC+07:00 all year): "20:07 01/12/2026". */
function vnTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const v = new Date(d.getTime() + 7 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${p(v.getUTCHours())}:${p(v.getUTCMinutes())} ${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
}

/** The revocation result in words: "chưa bị thu hồi (OCSP, 20:07 01/12/2026)", "đã bị thu hồi …", "không xác định được — …". */
function revocationText(r) {
  const when = r.producedAt || r.thisUpdate || r.checkedAt;
  const details = [r.source ? r.source.toUpperCase() : null, when ? vnTime(when) : null].filter(Boolean);
  if (r.status === "good") return `${t("good")}${details.length ? ` (${details.join(", ")})` : ""}`;
  if (r.status === "revoked") {
    const since = r.revocationTime ? ` ${t("since")} ${vnTime(r.revocationTime)}` : "";
    return `${t("revoked")}${since}${details.length ? ` (${details.join(", ")})` : ""}`;
  }
  return `${t("undetermined")} — ${t(r.status)}`;
}

/** Posts the file again asking for the printable report (Accept: application/pdf) and opens it. */
async function printReport(item, button) {
  // The window is opened during the click so that popup blockers let it through; it gets the PDF when ready.
  const win = window.open("", "_blank");
  button.disabled = true;
  button.textContent = t("printing");
  try {
    const res = await api(`api/v1/verify?name=${encodeURIComponent(item.name)}&lang=${lang}`, { method: "POST", headers: { "content-type": "application/pdf", accept: "application/pdf" }, body: item.file });
    if (!res.ok || !(res.headers.get("content-type") || "").startsWith("application/pdf")) throw new Error(res.statusText);
    const url = URL.createObjectURL(await res.blob());
    if (win) win.location.href = url;
    else {
      const a = el("a", { href: url, download: `${item.name.replace(/\.pdf$/i, "")}.report.pdf` });
      document.body.append(a);
      a.click();
      a.remove();
    }
    item.li.dataset.printed = "true";
  } catch (e) {
    if (win) win.close();
    item.li.append(el("p", { class: "reason" }, `${t("printFailed")}: ${e.message || e}`));
  } finally {
    button.disabled = false;
    button.textContent = t("print");
  }
}

function renderDoc(item) {
  const li = item.li;
  li.replaceChildren();
  if (item.error) {
    li.className = "doc fail";
    li.append(el("h2", {}, item.name), el("p", { class: "reason" }, `${t("error")}: ${item.error}`));
    return;
  }
  const r = item.report;
  if (!r) {
    li.className = "doc";
    li.append(el("h2", {}, item.name), el("p", {}, t("checking")));
    return;
  }
  li.className = `doc ${cls(r.indication)}`;
  li.dataset.indication = r.indication;
  li.append(el("h2", {}, item.name, " ", el("span", { class: "verdict" }, t(r.indication))));
  const print = el("button", { type: "button", class: "print" }, t("print"));
  print.addEventListener("click", () => printReport(item, print));
  li.append(print);
  if (r.subIndication) li.append(el("p", { class: "reason" }, t(r.subIndication)));
  if (r.signatures.length === 0) for (const x of detailTexts(r.reasons, r.reasonDetails, "reason")) li.append(el("p", {}, x));
  r.signatures.forEach((s, i) => {
    const dl = el("dl");
    const row = (k, v) => dl.append(el("dt", {}, t(k)), el("dd", {}, v));
    if (s.signer) row("signer", s.signer.commonName || s.signer.subject);
    if (s.signer && s.signer.organization) row("organization", s.signer.organization);
    if (s.signingTime) row("time", `${new Date(s.signingTime).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" })} (${t(s.timeSource === "timestamp" ? "ts" : "claimed")})`);
    row("chain", t(s.chain.trusted ? "trusted" : "untrusted"));
    row("coverage", t(s.coverage));
    if (s.type !== "timestamp") row("revocation", revocationText(s.revocation));
    const mods = s.modifications.changes.length === 0 ? t("none") : s.modifications.changes.slice(0, 6).map((c) => `${lang === "vi" ? [t(`kind:${c.kind}`), c.object, c.field !== undefined ? `"${c.field}"` : null].filter(Boolean).join(" ") : c.description} (${t(c.allowed ? "allowed" : "disallowed")})`).join("; ");
    row("modifications", mods);
    const box = el("div", { class: `sig ${cls(s.indication)}` }, el("strong", {}, `${t("signature")} ${i + 1}: ${s.field} — `, el("span", { class: "sig-verdict" }, t(s.indication))), dl);
    if (s.indication !== "TOTAL_PASSED") {
      if (s.subIndication) box.append(el("p", { class: "reason" }, t(s.subIndication)));
      for (const x of detailTexts(s.reasons.slice(0, 2), s.reasonDetails, "reason")) box.append(el("p", { class: "reason detail" }, x));
    }
    for (const w of detailTexts(s.warnings, s.warningDetails, "warning")) box.append(el("p", { class: "warn" }, w));
    li.append(box);
  });
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  document.title = `Kyso – ${t("title")}`;
  for (const item of reports) renderDoc(item);
}

async function check(file) {
  const li = el("li", { class: "doc" });
  document.getElementById("results").prepend(li);
  const item = { name: file.name, file, li, report: null, error: null };
  reports.push(item);
  renderDoc(item);
  try {
    const res = await api(`api/v1/verify?name=${encodeURIComponent(file.name)}`, { method: "POST", headers: { "content-type": "application/pdf" }, body: file });
    const body = await res.json();
    if (!res.ok) item.error = body.error || res.statusText;
    else item.report = body;
  } catch (e) {
    item.error = String(e);
  }
  renderDoc(item);
}

function handle(files) {
  for (const f of files) check(f);
}

document.getElementById("files").addEventListener("change", (e) => handle(e.target.files));
const drop = document.getElementById("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); handle(e.dataTransfer.files); });
for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { lang = b.dataset.lang; localStorage.setItem("kyso-lang", lang); applyLang(); });
applyLang();
userBar();
