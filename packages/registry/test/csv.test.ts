import assert from "node:assert/strict";
import { csvLine, csvObjects, parseCsv } from "../src/csv.js";
import { KysoError } from "@kyso/core";

describe("registry CSV", () => {
  it("reads quotes, doubled quotes, quoted line breaks, CRLF and a BOM, keeping each record's first line", () => {
    const text = '\ufeffcode,name\r\nA,"Sở ""Tư"" pháp"\r\n\r\nB,"two\nlines"\nC,plain\n';
    assert.deepEqual(parseCsv(text), [
      { line: 1, fields: ["code", "name"] },
      { line: 2, fields: ["A", 'Sở "Tư" pháp'] },
      { line: 4, fields: ["B", "two\nlines"] },
      { line: 6, fields: ["C", "plain"] },
    ]);
  });

  it("round-trips fields that need quoting", () => {
    const values = ["a,b", 'say "hi"', "x\ny", "x\r\ny", " padded", "Nguyễn", ""];
    assert.deepEqual(parseCsv(csvLine(values))[0].fields, values);
  });

  it("neutralises cells a spreadsheet would run as formulas (=, +, -, @, tab, CR), numbers excepted (OWASP CSV injection)", () => {
    const cells = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "a=b", 'say "hi"'];
    const line = csvLine([...cells, -5, 0]);
    assert.equal(line.split(",")[0], "'=cmd|' /C calc'!A0");
    const back = parseCsv(line)[0].fields;
    assert.deepEqual(back, ["'=cmd|' /C calc'!A0", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", "plain", "a=b", 'say "hi"', "-5", "0"]);
    for (const f of back.slice(0, 6)) assert.ok(!/^[=+\-@\t\r]/.test(f), f);
  });

  it("names unknown and missing columns and rows of the wrong width by line", () => {
    const cols = { required: ["code", "name"], optional: ["parent"] };
    assert.throws(() => csvObjects("code,nom\n", cols, "u.csv"), (e: KysoError) => e.code === "CSV_HEADER" && /u\.csv: line 1: unknown column nom/.test(e.message));
    const rows = csvObjects("code,name\nA,B,C\nD,E\n", cols, "u.csv");
    assert.equal(rows[0].line, 2);
    assert.match(rows[0].values.__error, /3 fields, the header has 2/);
    assert.deepEqual(rows[1], { line: 3, values: { code: "D", name: "E" } });
    assert.throws(() => parseCsv('a,"open\n'), (e: KysoError) => e.code === "CSV_SYNTAX" && /^line 1: unterminated quoted field$/.test(e.message));
    assert.throws(() => parseCsv('a,b\nc,d\n"e"f,g\n'), (e: KysoError) => e.code === "CSV_SYNTAX" && /^line 3: text after a closing quote$/.test(e.message));
  });
});
