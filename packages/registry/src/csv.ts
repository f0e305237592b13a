import { KysoError } from "@kyso/core";

/** One CSV record with the (1-based) line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 CSV: comma separated, fields optionally in double quotes ("" inside quotes is one
 * quote), quoted fields may span lines, CRLF or LF, a UTF-8 BOM is ignored. Blank lines are skipped.
 */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let atEnd = false;
    while (!atEnd) {
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new KysoError("CSV_SYNTAX", `line ${startLine}: unterminated quoted field`);
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n") line++;
          field += ch;
          i++;
        }
        if (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r")
          throw new KysoError("CSV_SYNTAX", `line ${line}: text after a closing quote`);
      } else {
        while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      }
      fields.push(field);
      field = "";
      if (text[i] === ",") {
        i++;
      } else {
        if (text[i] === "\r") i++;
        if (text[i] === "\n") i++;
        line++;
        atEnd = true;
      }
    }
    if (!(fields.length === 1 && fields[0].trim() === "")) out.push({ line: startLine, fields });
  }
  return out;
}

/** Records as objects keyed by the header's (trimmed, lower-case) column names. */
export function csvObjects(
  text: string,
  columns: { required: readonly string[]; optional: readonly string[] },
  file: string,
): { line: number; values: Record<string, string> }[] {
  const records = parseCsv(text);
  if (records.length === 0) throw new KysoError("CSV_EMPTY", `${file}: no header line`);
  const header = records[0].fields.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, "_"));
  const known = new Set([...columns.required, ...columns.optional]);
  const unknown = header.filter((h) => !known.has(h));
  if (unknown.length > 0)
    throw new KysoError("CSV_HEADER", `${file}: line ${records[0].line}: unknown column ${unknown.join(", ")} (known: ${[...known].join(", ")})`);
  const missing = columns.required.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new KysoError("CSV_HEADER", `${file}: line ${records[0].line}: missing column ${missing.join(", ")}`);
  return records.slice(1).map((r) => {
    if (r.fields.length !== header.length)
      return { line: r.line, values: { __error: `has ${r.fields.length} fields, the header has ${header.length}` } };
    return { line: r.line, values: Object.fromEntries(header.map((h, k) => [h, r.fields[k].trim()])) };
  });
}

/** One CSV field, quoted when it must be. */
export function csvField(value: unknown): string {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
