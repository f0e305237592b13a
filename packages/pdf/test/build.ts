// Builds small PDFs by hand for the reader tests, with exact control over the cross-reference data.
import { deflateSync } from "node:zlib";

export interface RawObject {
  num: number;
  body: string;
}

/** A classic PDF: header, objects, an xref table with correct offsets, trailer. */
export function classicPdf(objects: RawObject[], trailerExtra = ""): Buffer {
  let out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  const offsets = new Map<number, number>();
  for (const o of objects) {
    offsets.set(o.num, Buffer.byteLength(out, "latin1"));
    out += `${o.num} 0 obj\n${o.body}\nendobj\n`;
  }
  const size = Math.max(...objects.map((o) => o.num)) + 1;
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${size}\n0000000000 65535 f\r\n`;
  for (let n = 1; n < size; n++) {
    const off = offsets.get(n);
    out += off === undefined ? "0000000000 00000 f\r\n" : `${String(off).padStart(10, "0")} 00000 n\r\n`;
  }
  out += `trailer\n<< /Size ${size} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

export const basicObjects: RawObject[] = [
  { num: 1, body: "<< /Type /Catalog /Pages 2 0 R >>" },
  { num: 2, body: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>" },
  { num: 3, body: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>" },
  { num: 4, body: "<< /Length 18 >>\nstream\nBT /F1 12 Tf ET\n\nendstream" },
];

/**
 * A hybrid-reference file (ISO 32000-1 §7.5.8.4): the table lists objects 1-4, and an /XRefStm
 * stream gives object 5, which lives in an object stream (object 6).
 */
export function hybridPdf(): Buffer {
  let out = "%PDF-1.5\n%\xe2\xe3\xcf\xd3\n";
  const off = new Map<number, number>();
  const add = (num: number, body: string | Buffer): void => {
    off.set(num, Buffer.byteLength(out, "latin1"));
    out += `${num} 0 obj\n${typeof body === "string" ? body : body.toString("latin1")}\nendobj\n`;
  };
  add(1, "<< /Type /Catalog /Pages 2 0 R /Extra 5 0 R >>");
  add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  add(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>");
  add(4, "(unused)");
  const objStmBody = "5 0 << /Hidden (from the object stream) >>";
  const header = "5 0 ";
  const data = deflateSync(Buffer.from(objStmBody, "latin1"));
  add(6, `<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString("latin1")}\nendstream`);
  // The xref stream for the hybrid part: object 5 in stream 6 at index 0.
  const xrefStmNum = 7;
  const rows = Buffer.from([2, 0, 0, 6, 0]); // W [1 3 1]: type 2, stream 6, index 0
  const xrefStmOffset = Buffer.byteLength(out, "latin1");
  add(xrefStmNum, `<< /Type /XRef /Size 8 /W [1 3 1] /Index [5 1] /Length ${rows.length} >>\nstream\n${rows.toString("latin1")}\nendstream`);
  const xref = Buffer.byteLength(out, "latin1");
  out += "xref\n0 5\n0000000000 65535 f\r\n";
  for (let n = 1; n <= 4; n++) out += `${String(off.get(n)).padStart(10, "0")} 00000 n\r\n`;
  out += `6 2\n${String(off.get(6)).padStart(10, "0")} 00000 n\r\n${String(off.get(7)).padStart(10, "0")} 00000 n\r\n`;
  out += `trailer\n<< /Size 8 /Root 1 0 R /XRefStm ${xrefStmOffset} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}
