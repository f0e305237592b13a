import type { SignWarning } from "@kyso/sign";
import type { Io } from "../../command.js";
import type { Lang } from "../../i18n.js";

/**
 * What `kyso sign` says of a document it signs but strict validators may reject (on stderr, in
 * text and JSON mode alike: stdout keeps one JSON line per file).
 */
export function warningText(w: SignWarning, lang: Lang): string {
  if (w.code === "CERTIFIED_VISIBLE_NEW_FIELD") {
    const field = w.emptyFields[0];
    if (lang === "vi")
      return `${w.input}: tài liệu đã được chứng nhận (DocMDP P=2): chữ ký hiển thị trong một trường mới làm mất hiệu lực chứng nhận với các phần mềm kiểm tra nghiêm ngặt; ${field ? `hãy ký vào trường trống có sẵn: --field ${JSON.stringify(field)}` : "hãy ký vào một trường chữ ký trống có sẵn (--field TÊN) hoặc ký không hiển thị"}`;
    return `${w.input}: ${w.message}`;
  }
  return `${w.input}: ${w.message}`;
}

export function printWarning(io: Io, w: SignWarning, lang: Lang): void {
  io.stderr.write(`kyso: ${lang === "vi" ? "cảnh báo" : "warning"}: ${warningText(w, lang)}\n`);
}
