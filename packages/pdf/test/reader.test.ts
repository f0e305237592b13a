import { strict as assert } from "node:assert";
import { PdfReader } from "../src/reader.js";
import { PdfDict, PdfString } from "../src/objects.js";
import { prepareSignature } from "../src/signature.js";
import { basicObjects, classicPdf, hybridPdf } from "./build.js";

describe("pdf reader", function () {
  it("reads a classic file: trailer, catalog, page tree", function () {
    const r = PdfReader.fromBytes(classicPdf(basicObjects));
    assert.equal(r.xrefKind, "table");
    assert.equal(r.pageCount(), 1);
    assert.equal(r.page(0).dict.getName("Type"), "Page");
    assert.equal(r.repaired, false);
    assert.equal(r.sections.length, 1);
    assert.ok(r.sections[0].end > 0);
  });

  it("reads a hybrid-reference file: objects only in the /XRefStm stream are found", function () {
    const r = PdfReader.fromBytes(hybridPdf());
    const hidden = r.dict(r.catalog().get("Extra"));
    assert.ok(hidden, "object 5 resolved through the hybrid stream");
    assert.equal((hidden.get("Hidden") as PdfString).asText(), "from the object stream");
    assert.equal(r.sections[0].hybridStreamOffset !== undefined, true);
  });

  it("appends a classic table after a hybrid file and the result reads back", function () {
    const input = hybridPdf();
    const r = PdfReader.fromBytes(input);
    const p = prepareSignature(r, { contentsLength: 100 });
    const out = Buffer.concat([input, Buffer.from(p.update)]);
    const tail = Buffer.from(p.update).toString("latin1");
    assert.match(tail, /\nxref\n/);
    assert.ok(out.subarray(0, input.length).equals(input));
    const r2 = PdfReader.fromBytes(out);
    assert.equal(r2.sections.length, 2);
    assert.ok(r2.dict(r2.catalog().get("Extra")), "the hybrid object is still reachable");
  });

  it("refuses files that are not PDFs with a clear code", function () {
    assert.throws(() => PdfReader.fromBytes(Buffer.from("hello world")), (e: { code?: string }) => e.code === "PDF_NOT_PDF");
  });

  it("finds objects by scanning when the xref offsets are wrong, and says so", function () {
    const pdf = classicPdf(basicObjects);
    // Shift every object by inserting bytes after the header: all table offsets become wrong.
    const broken = Buffer.concat([pdf.subarray(0, 15), Buffer.from("% padding padding padding\n"), pdf.subarray(15)]);
    const r = PdfReader.fromBytes(broken);
    assert.equal(r.pageCount(), 1);
    assert.ok(r.warnings.length > 0 || r.repaired);
  });

  it("survives a reference loop in the page tree and deep nesting without crashing", function () {
    const loop = classicPdf([
      { num: 1, body: "<< /Type /Catalog /Pages 2 0 R >>" },
      { num: 2, body: "<< /Type /Pages /Kids [2 0 R] /Count 5 >>" },
      { num: 3, body: "[".repeat(500) + "]".repeat(500) },
    ]);
    const r = PdfReader.fromBytes(loop);
    assert.throws(() => r.page(0), (e: { code?: string }) => e.code === "PDF_NO_PAGE");
    assert.throws(() => r.getObject(3), (e: { code?: string }) => e.code === "PDF_SYNTAX" || e.code === "PDF_CORRUPT");
  });

  it("refuses a Flate bomb beyond the decoded-size limit", async function () {
    const { deflateSync } = await import("node:zlib");
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024));
    const objs = [...basicObjects.slice(0, 3), { num: 4, body: `<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n${bomb.toString("latin1")}\nendstream` }];
    const r = PdfReader.fromBytes(classicPdf(objs), { maxDecodedStream: 1024 * 1024 });
    const s = r.getObject(4);
    assert.ok(s && !(s instanceof PdfDict));
    assert.throws(() => r.streamData(s as never), (e: { code?: string }) => e.code === "PDF_STREAM_TOO_LARGE");
  });
});
