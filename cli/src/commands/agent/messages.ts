/** The agent command's own strings (vi, en: identical keys), until they join cli/src/messages. */
export const AGENT_RUN_MESSAGES = {
  vi: {
    describe: "Chạy tác tử ký số cục bộ cho hệ thống quản lý văn bản (wss://127.0.0.1:8987); install|uninstall|status quản lý dịch vụ người dùng",
    noOrigins: "Chưa có trang web nào được phép: dùng --allow-origin https://vanban.example.gov.vn hoặc khóa agent.allowOrigins trong tệp cấu hình",
    noTls: "Không tìm thấy chứng thư TLS của tác tử ({cert}). Hãy chạy \"kyso agent install\" (tạo CA cục bộ và chứng thư), hoặc dùng --tls-cert/--tls-key, hoặc --no-tls để phục vụ ws:// trên 127.0.0.1",
    noLibrary: "Chưa chỉ định thư viện PKCS#11 của token: --pkcs11-lib PATH, $KYSO_PKCS11_LIB hoặc khóa pkcs11Lib trong tệp cấu hình",
    listening: "Tác tử ký số đang chạy tại {url}; trang xác nhận: {confirm}; trang được phép: {origins}. Nhấn Ctrl-C để dừng.",
    stopped: "Đã dừng tác tử ký số.",
    confirmQuestion: "Trang {origin} yêu cầu {operation} {count} văn bản:\n{list}\nĐồng ý ký? [y/N] ",
    pairQuestion: "Trang {origin} muốn dùng chữ ký số lần đầu. Cho phép? [y/N] ",
    pinQuestion: "Mã PIN của token (yêu cầu từ {origin}): ",
    pages: "trang",
  },
  en: {
    describe: "Run the local signing agent for web document systems (wss://127.0.0.1:8987); install|uninstall|status manage the user service",
    noOrigins: "No site is allowed: give --allow-origin https://vanban.example.gov.vn or the key agent.allowOrigins in the config file",
    noTls: "The agent's TLS certificate was not found ({cert}). Run \"kyso agent install\" (it makes a local CA and the certificate), or give --tls-cert/--tls-key, or --no-tls to serve ws:// on 127.0.0.1",
    noLibrary: "No PKCS#11 library for the token: --pkcs11-lib PATH, $KYSO_PKCS11_LIB or the key pkcs11Lib in the config file",
    listening: "The signing agent is running on {url}; confirmation page: {confirm}; allowed sites: {origins}. Press Ctrl-C to stop.",
    stopped: "The signing agent stopped.",
    confirmQuestion: "The site {origin} asks to {operation} {count} document(s):\n{list}\nSign? [y/N] ",
    pairQuestion: "The site {origin} wants to use your digital signature for the first time. Allow it? [y/N] ",
    pinQuestion: "Token PIN (asked by {origin}): ",
    pages: "pages",
  },
} as const;

export type AgentRunKey = keyof (typeof AGENT_RUN_MESSAGES)["vi"];

export function agentText(lang: "vi" | "en", key: AgentRunKey, vars: Record<string, string | number> = {}): string {
  return AGENT_RUN_MESSAGES[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}
