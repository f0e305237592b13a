// The document as each trailer describes it (ISO 32000-1 §7.5.5, §7.5.6): a later revision that
// rewrites no object but points its trailer at other objects that already existed in the signed
// revision (the trailer-only hide-and-replace shadow attack, RUB 2021) changes what the document is.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { emptyFieldName, samples } from "@kyso/certs-test";
import { PdfArray, PdfDict, PdfName, PdfReader, PdfRef, PdfStream, serializeObject } from "@kyso/pdf";
import { sign, tempDir } from "../support.js";
import { amount, assertModifications, bytesOf, fileOf, judge, load, str, update } from "./helpers.js";

/**
 * An unsigned document with the empty signature field, its AcroForm an indirect object, and a hidden
 * second document: a catalog, page tree and page ("999 000 000 VND") that nothing refers to, sharing
 * the form. Returns the hidden catalog's object number.
 */
function withHiddenDocument(bytes: Uint8Array): { bytes: Buffer; hiddenCatalog: number } {
  let hiddenCatalog = 0;
  const out = update(bytes, (w, r) => {
    const catalog = r.catalog();
    const acro = w.add((r.dict(catalog.get("AcroForm")) as PdfDict).clone());
    w.set(r.catalogRef, catalog.clone().set("AcroForm", acro));
    const text = amount("999 000 000 VND");
    const content = w.add(new PdfStream(new PdfDict([["Length", text.length]]), new Uint8Array(Buffer.from(text, "latin1"))));
    const pagesRef = w.allocate();
    const page = r.page(0);
    const fake = w.add(page.dict.clone().set("Parent", pagesRef).set("Contents", content).set("Resources", new PdfDict([["Font", new PdfDict([["Helv", new PdfDict([["Type", PdfName.of("Font")], ["Subtype", PdfName.of("Type1")], ["BaseFont", PdfName.of("Helvetica")]])]])]])));
    w.set(pagesRef, new PdfDict([["Type", PdfName.of("Pages")], ["Kids", new PdfArray([fake])], ["Count", 1]]));
    hiddenCatalog = w.add(new PdfDict([["Type", PdfName.of("Catalog")], ["Pages", pagesRef], ["AcroForm", acro]])).num;
  });
  return { bytes: out, hiddenCatalog };
}

/** A revision of nothing but a cross-reference section and a trailer (no object written). */
function trailerOnly(bytes: Buffer, root: number): Buffer {
  const r = PdfReader.fromBytes(bytes);
  const prev = r.sections[0].offset;
  const keep = ["Info", "ID"].filter((k) => r.trailer.has(k)).map((k) => ` /${k} ${serializeObject(r.trailer.get(k)!)}`).join("");
  const at = bytes.length + 1;
  const text = `\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size ${r.size} /Root ${root} 0 R /Prev ${prev}${keep} >>\nstartxref\n${at}\n%%EOF\n`;
  return Buffer.concat([bytes, Buffer.from(text, "latin1")]);
}

describe("verify modifications: the document each trailer describes", function () {
  const dir = tempDir("kyso-mod-trailer-");

  it("a trailer-only update pointing /Root at a catalog hidden in the signed revision fails", async function () {
    const base = withHiddenDocument(load(samples.emptyField));
    const signed = await sign(fileOf(dir, "hidden.pdf", base.bytes), join(dir, "hidden-signed.pdf"), "officerRsa", { fieldName: emptyFieldName });
    const before = await judge(signed);
    assertModifications(before.signatures[0], true, []);
    const attacked = fileOf(dir, "hidden-replaced.pdf", trailerOnly(bytesOf(signed), base.hiddenCatalog));
    // qpdf reads the attacked file as a sound PDF: the attack is a well-formed incremental update.
    const qpdf = spawnSync("qpdf", ["--check", attacked], { encoding: "utf8" });
    assert.equal(qpdf.status, 0, qpdf.stdout + qpdf.stderr);
    const report = await judge(attacked);
    assert.equal(report.signatures.length, 1);
    const s = report.signatures[0];
    assert.equal(s.integrity, true, "the signed bytes are intact");
    assertModifications(s, false, ["hidden-replace-trailer", "hidden-object-revealed"]);
    const c = s.modifications.changes.find((x) => x.rule === "hidden-replace-trailer")!;
    assert.equal(c.object, "trailer /Root");
    assert.match(c.description, new RegExp(`object ${base.hiddenCatalog}\\b`));
    assert.equal(report.indication, "TOTAL_FAILED");
  });

  it("a trailer-only update that keeps the document (new /Info) is allowed as metadata", async function () {
    const signed = bytesOf(await sign(samples.onePage, join(dir, "info-signed.pdf")));
    const withInfo = update(signed, (w) => {
      const info = w.add(new PdfDict([["Title", str("Cong van so 12")]]));
      void info;
    });
    const r = PdfReader.fromBytes(withInfo);
    const infoNum = Math.max(...[...r.sections[0].entries.keys()]);
    const text = `\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size ${r.size} /Root ${r.catalogRef.num} 0 R /Prev ${r.sections[0].offset} /Info ${infoNum} 0 R >>\nstartxref\n${withInfo.length + 1}\n%%EOF\n`;
    const report = await judge(fileOf(dir, "info.pdf", Buffer.concat([withInfo, Buffer.from(text, "latin1")])));
    assertModifications(report.signatures[0], true, ["trailer-info"]);
  });

  it("an object that existed unreferenced in the signed revision and is revealed through a page fails", async function () {
    const base = withHiddenDocument(load(samples.emptyField));
    const signed = bytesOf(await sign(fileOf(dir, "reveal.pdf", base.bytes), join(dir, "reveal-signed.pdf"), "officerRsa", { fieldName: emptyFieldName }));
    // A new page tree (new objects) whose only page is the hidden page of the signed revision.
    const attacked = update(signed, (w, r) => {
      const hidden = r.dict(new PdfRef(base.hiddenCatalog, 0))!;
      w.set(r.catalogRef, r.catalog().clone().set("Pages", hidden.get("Pages")!));
    });
    const report = await judge(fileOf(dir, "revealed.pdf", attacked));
    assertModifications(report.signatures[0], false, ["hidden-object-revealed", "catalog-changed"]);
  });
});
