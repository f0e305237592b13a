import { currentLang, type Lang } from "../../messages/index.js";

/**
 * What kyso says about remote signing (CSC), in English and Vietnamese (same keys). Kept beside the
 * csc command while cli/src/messages is being consolidated; the keys are ready to move there.
 */
const en = {
  "opt.csc": "Sign remotely with a CSC API service at this URL (e.g. https://ca.example.vn/csc/v2); default: the config file's csc.url or $KYSO_CSC_URL",
  "opt.credential": "Credential (key and certificate) at the service to sign with; default csc.credential or $KYSO_CSC_CREDENTIAL",
  "opt.clientId": "OAuth 2.0 client id at the service; default csc.clientId or $KYSO_CSC_CLIENT_ID",
  "opt.auth": "client: a service account (client secret); browser: the officer logs in in the browser (PKCE); default client",
  "opt.secretFile": "Read the OAuth client secret from this file (else $KYSO_CSC_CLIENT_SECRET, else a prompt)",
  "opt.async": "Ask the service for approval on the officer's phone (asynchronous) instead of an OTP",
  "opt.approvalTimeout": "Longest wait for an approval on the phone, in seconds (default 300)",
  "opt.json": "JSON output",
  group: "Remote signing (CSC API):",
  describe: "Remote signing services (CSC API): list the credentials the account may use",
  credentialsDescribe: "List the credentials: id, holder, key, validity, multisign, SCAL, authentication",
  noUrl: "No remote signing service given: use --csc URL (or csc.url in the config file, or $KYSO_CSC_URL)",
  noCredential: "No credential given: use --csc-credential ID (kyso csc credentials --csc URL lists them)",
  noClientId: "No OAuth client id given: use --csc-client-id ID (or csc.clientId in the config file, or $KYSO_CSC_CLIENT_ID)",
  secretPrompt: "Client secret for {client} at {service}: ",
  secretWhat: "The client secret for {client}",
  secretFileUnreadable: "Cannot read the client secret file {file}: {code}",
  pinPrompt: "PIN of the remote credential {credential}: ",
  pinWhat: "The PIN of the remote credential {credential}",
  otpPrompt: "OTP for {credential} ({count} document(s)): ",
  otpWhat: "The OTP for the remote credential {credential}",
  openBrowser: "Sign in at the signing service in your browser; if it did not open, visit:\n  {url}",
  waiting: "Waiting for approval on your phone… ({count} document(s), {seconds} s)",
  approved: "Approved on the phone ({count} document(s))",
  signerDescribe: "remote credential \"{credential}\" at {service}",
  CSC_INVALID_PIN: "Wrong PIN for the remote credential \"{credential}\"{detail}. Nothing was signed in this step; check the PIN before trying again (the credential locks after 3 wrong tries).",
  CSC_INVALID_OTP: "Wrong OTP for the remote credential \"{credential}\"{detail}. Nothing was signed in this step.",
  CSC_ACCESS_DENIED: "The signing service refused the credential \"{credential}\" (locked, or not allowed){detail}",
  CSC_APPROVAL_REJECTED: "The signing was refused on the phone",
  CSC_APPROVAL_TIMEOUT: "No approval on the phone in time; nothing more was signed",
  CSC_CANCELLED: "Cancelled while waiting for the signing service",
  CSC_AUTH_FAILED: "The signing service refused the sign-in{detail}",
  CSC_UNREACHABLE: "Cannot reach the signing service{detail}",
  colId: "ID",
  colHolder: "Holder",
  colKey: "Key",
  colValidTo: "Valid until",
  colAuth: "Authentication",
} as const;

export type CscKey = keyof typeof en;

const vi: Record<CscKey, string> = {
  "opt.csc": "Ký từ xa qua dịch vụ CSC API tại địa chỉ này (ví dụ https://ca.example.vn/csc/v2); mặc định: csc.url trong tệp cấu hình hoặc $KYSO_CSC_URL",
  "opt.credential": "Chứng thư ký số từ xa (khóa và chứng thư) dùng để ký; mặc định csc.credential hoặc $KYSO_CSC_CREDENTIAL",
  "opt.clientId": "Mã ứng dụng OAuth 2.0 tại dịch vụ; mặc định csc.clientId hoặc $KYSO_CSC_CLIENT_ID",
  "opt.auth": "client: tài khoản dịch vụ (mật khẩu ứng dụng); browser: cán bộ đăng nhập trên trình duyệt (PKCE); mặc định client",
  "opt.secretFile": "Đọc mật khẩu ứng dụng OAuth từ tệp này (nếu không: $KYSO_CSC_CLIENT_SECRET, hoặc hỏi khi chạy)",
  "opt.async": "Yêu cầu phê duyệt trên điện thoại của cán bộ (bất đồng bộ) thay cho OTP",
  "opt.approvalTimeout": "Thời gian chờ phê duyệt trên điện thoại tối đa, tính bằng giây (mặc định 300)",
  "opt.json": "Xuất kết quả dạng JSON",
  group: "Ký số từ xa (CSC API):",
  describe: "Dịch vụ ký số từ xa (CSC API): liệt kê các chứng thư tài khoản được dùng",
  credentialsDescribe: "Liệt kê chứng thư: mã, chủ thể, khóa, hạn dùng, số chữ ký mỗi lần xác thực, mức SCAL, cách xác thực",
  noUrl: "Chưa chỉ định dịch vụ ký số từ xa: dùng --csc URL (hoặc csc.url trong tệp cấu hình, hoặc $KYSO_CSC_URL)",
  noCredential: "Chưa chỉ định chứng thư: dùng --csc-credential MÃ (lệnh kyso csc credentials --csc URL liệt kê các chứng thư)",
  noClientId: "Chưa chỉ định mã ứng dụng OAuth: dùng --csc-client-id MÃ (hoặc csc.clientId trong tệp cấu hình, hoặc $KYSO_CSC_CLIENT_ID)",
  secretPrompt: "Mật khẩu ứng dụng {client} tại {service}: ",
  secretWhat: "Mật khẩu ứng dụng {client}",
  secretFileUnreadable: "Không đọc được tệp mật khẩu ứng dụng {file}: {code}",
  pinPrompt: "Mã PIN của chứng thư ký từ xa {credential}: ",
  pinWhat: "Mã PIN của chứng thư ký từ xa {credential}",
  otpPrompt: "Mã OTP cho {credential} ({count} tài liệu): ",
  otpWhat: "Mã OTP của chứng thư ký từ xa {credential}",
  openBrowser: "Hãy đăng nhập dịch vụ ký số trên trình duyệt; nếu trình duyệt không tự mở, truy cập:\n  {url}",
  waiting: "Đang chờ phê duyệt trên điện thoại… ({count} tài liệu, {seconds} giây)",
  approved: "Đã được phê duyệt trên điện thoại ({count} tài liệu)",
  signerDescribe: "chứng thư ký từ xa \"{credential}\" tại {service}",
  CSC_INVALID_PIN: "Sai mã PIN của chứng thư ký từ xa \"{credential}\"{detail}. Bước này chưa ký tài liệu nào; hãy kiểm tra lại mã PIN trước khi thử lại (chứng thư bị khóa sau 3 lần nhập sai).",
  CSC_INVALID_OTP: "Sai mã OTP của chứng thư ký từ xa \"{credential}\"{detail}. Bước này chưa ký tài liệu nào.",
  CSC_ACCESS_DENIED: "Dịch vụ ký số từ chối chứng thư \"{credential}\" (đã bị khóa hoặc không được phép){detail}",
  CSC_APPROVAL_REJECTED: "Yêu cầu ký đã bị từ chối trên điện thoại",
  CSC_APPROVAL_TIMEOUT: "Hết thời gian chờ phê duyệt trên điện thoại; không ký thêm tài liệu nào",
  CSC_CANCELLED: "Đã hủy khi đang chờ dịch vụ ký số",
  CSC_AUTH_FAILED: "Dịch vụ ký số từ chối đăng nhập{detail}",
  CSC_UNREACHABLE: "Không kết nối được dịch vụ ký số{detail}",
  colId: "Mã",
  colHolder: "Chủ thể",
  colKey: "Khóa",
  colValidTo: "Hiệu lực đến",
  colAuth: "Xác thực",
};

const catalogues: Record<Lang, Record<CscKey, string>> = { en, vi };

export function cscT(key: CscKey, params: Record<string, string | number> = {}, lang: Lang = currentLang()): string {
  return catalogues[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function isCscKey(k: string): k is CscKey {
  return Object.prototype.hasOwnProperty.call(en, k);
}
