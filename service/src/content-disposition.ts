/**
 * File names for Content-Disposition, made safe whatever a sender declared: the last path segment
 * only (no `/` or `\`), no control characters, no leading dots, at most 200 characters; empty
 * becomes `fallback`. So `../../x.html` is offered as `x.html`, and never as a path.
 */
export function safeFileName(name: string, fallback = "download"): string {
  const last = name.split(/[\\/]/).pop() ?? "";
  const clean = last
    .normalize("NFC")
    // C0, DEL and C1 controls, and the Unicode direction overrides that disguise an extension.
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/^[\s.]+/, "")
    .trim();
  return Array.from(clean).slice(0, 200).join("") || fallback;
}

/** RFC 5987 §3.2 ext-value: UTF-8, percent-encoding all but attr-char. */
function extValue(name: string): string {
  return "UTF-8''" + encodeURIComponent(name).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * A Content-Disposition header (RFC 6266 §4.1, §4.3): the sanitised name as an ASCII quoted-string
 * fallback (diacritics dropped, đ as d, `"` and `\` and other non-ASCII as `_`) and exactly as
 * `filename*` (RFC 5987/8187) for clients that read it.
 */
export function contentDisposition(name: string, type: "attachment" | "inline" = "attachment"): string {
  const safe = safeFileName(name);
  const ascii = safe.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${type}; filename="${ascii}"; filename*=${extValue(safe)}`;
}
