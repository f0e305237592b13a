/**
 * A small message catalogue for what `kyso sign` and `kyso token` say to an officer: English, or
 * Vietnamese with `--lang vi`, `KYSO_LANG=vi` or a `vi` locale (LC_ALL, LC_MESSAGES, LANG).
 */
export type Lang = "en" | "vi";

const en = {
  signed: "signed",
  skipped: "skipped",
  failed: "failed",
  planned: "would sign",
  summary: "{signed} signed, {skipped} skipped, {failed} failed in {seconds} s ({rate}/s)",
  stopped: "The run stopped: {message}. {notProcessed} file(s) were not processed; the report lists them.",
  noInputs: "No PDF files found in the inputs given",
  reportWritten: "Report written to {file}",
  resumeFrom: "Resuming: {count} file(s) already signed according to {file}",
  dryRunSummary: "{count} file(s) would be signed (dry run: nothing was written and the token was not opened)",
  reasonALREADY_SIGNED: "already signed with this certificate (use --force to sign again)",
  reasonOUTPUT_SIGNED: "the output exists and is already signed with this certificate",
  reasonJOURNAL: "signed in an earlier run",
  reasonNOT_PROCESSED: "not processed: the run stopped",
  usingLibrary: "PKCS#11 library: {library} ({how})",
  foundBy: "found by searching the usual places",
  givenBy: "given",
  noLibrary: "No PKCS#11 middleware found (looked for {names}); install your token's middleware or pass --pkcs11-lib",
  noTokens: "no token present",
  keyGenerated: "Key pair \"{label}\" ({algo}) generated on token \"{token}\", CKA_ID {id}; the private key cannot be extracted",
  csrWritten: "Certificate request written to {file}",
  certImported: "Certificate \"{subject}\" written to token \"{token}\" with label \"{label}\", CKA_ID {id}",
} as const;

export type MessageKey = keyof typeof en;

const vi: Record<MessageKey, string> = {
  signed: "đã ký",
  skipped: "bỏ qua",
  failed: "lỗi",
  planned: "sẽ ký",
  summary: "{signed} tệp đã ký, {skipped} bỏ qua, {failed} lỗi trong {seconds} giây ({rate} tệp/giây)",
  stopped: "Phiên ký đã dừng: {message}. {notProcessed} tệp chưa được xử lý; báo cáo liệt kê các tệp này.",
  noInputs: "Không tìm thấy tệp PDF nào trong các đầu vào đã cho",
  reportWritten: "Đã ghi báo cáo vào {file}",
  resumeFrom: "Tiếp tục: {count} tệp đã được ký theo nhật ký {file}",
  dryRunSummary: "{count} tệp sẽ được ký (chạy thử: không ghi tệp nào và không mở token)",
  reasonALREADY_SIGNED: "đã được ký bằng chứng thư số này (dùng --force để ký lại)",
  reasonOUTPUT_SIGNED: "tệp đầu ra đã tồn tại và đã được ký bằng chứng thư số này",
  reasonJOURNAL: "đã ký trong lần chạy trước",
  reasonNOT_PROCESSED: "chưa xử lý: phiên ký đã dừng",
  usingLibrary: "Thư viện PKCS#11: {library} ({how})",
  foundBy: "tìm thấy ở vị trí cài đặt thông thường",
  givenBy: "do người dùng chỉ định",
  noLibrary: "Không tìm thấy phần mềm điều khiển token (đã tìm {names}); hãy cài middleware của token hoặc dùng --pkcs11-lib",
  noTokens: "không có token",
  keyGenerated: "Đã sinh cặp khóa \"{label}\" ({algo}) trên token \"{token}\", CKA_ID {id}; khóa bí mật không thể trích xuất",
  csrWritten: "Đã ghi yêu cầu cấp chứng thư số vào {file}",
  certImported: "Đã ghi chứng thư số \"{subject}\" vào token \"{token}\" với nhãn \"{label}\", CKA_ID {id}",
};

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, vi };

/** The language: an explicit `--lang`, else KYSO_LANG, else the locale variables. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  const v = flag ?? env.KYSO_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? "";
  return /^vi([_.-]|$)/i.test(v) ? "vi" : "en";
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const cat = catalogues[lang];
  return (key, params = {}) => cat[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
