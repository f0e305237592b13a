import { parse, CsvError } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { KysoError } from "@kyso/core";

/** One CSV record with the (1-based) line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** csv-parse's codes that have a reason of our own (a form of CSV_SYNTAX: quoteNotClosed, invalidClosingQuote). */
const SYNTAX_REASONS: Record<string, { text: string; form: string }> = {
  CSV_QUOTE_NOT_CLOSED: { text: "unterminated quoted field", form: "quoteNotClosed" },
  CSV_INVALID_CLOSING_QUOTE: { text: "text after a closing quote", form: "invalidClosingQuote" },
};

/**
 * RFC 4180 CSV through csv-parse: comma separated, fields optionally in double quotes ("" inside
 * quotes is one quote), quoted fields may span lines, CRLF or LF (mixed), a UTF-8 BOM is ignored.
 * Blank lines are skipped. Errors name the line (`line N: ...`).
 */
export function parseCsv(text: string): CsvRecord[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ["\r\n", "\n", "\r"] }) as unknown as typeof parsed;
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = (e as CsvError & { lines?: number }).lines ?? 1;
    const known = SYNTAX_REASONS[e.code];
    const detail = known?.text ?? e.message.replace(/ at line \d+/, "");
    throw new KysoError("CSV_SYNTAX", `line ${line}: ${detail}`, { cause: e, details: { params: { line, detail }, form: known?.form ?? "other" } });
  }
  const out: CsvRecord[] = [];
  for (const { record, info } of parsed) {
    if (record.length === 1 && record[0].trim() === "") continue;
    // csv-parse counts the line a record ends on; a quoted field's line breaks move its start up.
    const breaks = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    out.push({ line: info.lines - breaks, fields: record });
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
  if (records.length === 0) throw new KysoError("CSV_EMPTY", `${file}: no header line`, { details: { params: { file } } });
  const header = records[0].fields.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, "_"));
  const known = new Set([...columns.required, ...columns.optional]);
  const unknown = header.filter((h) => !known.has(h));
  if (unknown.length > 0)
    throw new KysoError("CSV_HEADER", `${file}: line ${records[0].line}: unknown column ${unknown.join(", ")} (known: ${[...known].join(", ")})`, {
      details: { params: { file, line: records[0].line, columns: unknown.join(", "), known: [...known].join(", ") }, form: "unknown" },
    });
  const missing = columns.required.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new KysoError("CSV_HEADER", `${file}: line ${records[0].line}: missing column ${missing.join(", ")}`, {
      details: { params: { file, line: records[0].line, columns: missing.join(", ") }, form: "missing" },
    });
  return records.slice(1).map((r) => {
    if (r.fields.length !== header.length)
      // The counts beside the English reason, for a caller that says it in another language.
      return { line: r.line, values: { __error: `has ${r.fields.length} fields, the header has ${header.length}`, __fields: String(r.fields.length), __header: String(header.length) } };
    return { line: r.line, values: Object.fromEntries(header.map((h, k) => [h, r.fields[k].trim()])) };
  });
}

/**
 * A text cell a spreadsheet would read as a formula gets a leading `'` (OWASP "CSV Injection":
 * cells starting with =, +, -, @, tab or carriage return). Numbers are written as numbers.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV record (CRLF-terminated, RFC 4180 §2), through csv-stringify, with formulas neutralised. */
export function csvLine(values: readonly unknown[]): string {
  return stringify([values as unknown[]], {
    record_delimiter: "\r\n",
    // Any line break (csv-stringify quotes only the record delimiter itself), and leading or
    // trailing blanks, kept visible (and kept at all by readers that trim).
    quoted_match: /[\r\n]|^\s|\s$/,
    cast: {
      string: (s) => neutraliseFormula(s),
      boolean: (b) => String(b),
      date: (d) => d.toISOString(),
      object: (o) => neutraliseFormula(JSON.stringify(o)),
    },
  });
}

/** One CSV field as it appears in a line (quoted when it must be, formulas neutralised). */
export function csvField(value: unknown): string {
  return csvLine([value]).slice(0, -2);
}
