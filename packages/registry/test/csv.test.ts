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
    const values = ["a,b", 'say "hi"', "x\ny", " padded", "Nguyễn"];
    assert.deepEqual(parseCsv(csvLine(values))[0].fields, values);
  });

  it("names unknown and missing columns and rows of the wrong width by line", () => {
    const cols = { required: ["code", "name"], optional: ["parent"] };
    assert.throws(() => csvObjects("code,nom\n", cols, "u.csv"), (e: KysoError) => e.code === "CSV_HEADER" && /u\.csv: line 1: unknown column nom/.test(e.message));
    const rows = csvObjects("code,name\nA,B,C\nD,E\n", cols, "u.csv");
    assert.equal(rows[0].line, 2);
    assert.match(rows[0].values.__error, /3 fields, the header has 2/);
    assert.deepEqual(rows[1], { line: 3, values: { code: "D", name: "E" } });
    assert.throws(() => parseCsv('a,"open\n'), (e: KysoError) => e.code === "CSV_SYNTAX" && /line 1/.test(e.message));
  });
});
