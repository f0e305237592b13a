import { PdfDict, type PdfObject, type PdfReader } from "@kyso/pdf";
import { listSignatureFields } from "@kyso/pdf";
import type { Located } from "./context.js";

/** Every signature dictionary: AcroForm signature fields, then any other in any revision. */
export function locateSignatures(reader: PdfReader): Located[] {
  const out: Located[] = [];
  const seen = new Set<string>();
  const add = (field: string, num: number, offset: number, dict: PdfDict): void => {
    const key = `${num}@${offset}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ field, num, offset, dict });
  };
  for (const f of listSignatureFields(reader)) {
    const v = f.value;
    const d = reader.dict(v);
    if (!d || !(v instanceof Object) || !("num" in (v as object))) {
      if (d) add(f.name, -1, -1, d);
      continue;
    }
    const num = (v as { num: number }).num;
    const e = reader.entry(num);
    add(f.name, num, e?.type === 1 ? e.offset : -1, d);
  }
  // Signature dictionaries that no field shows (hidden, or replaced in a later revision).
  const sections = reader.repaired ? [] : reader.sections;
  for (const s of sections) {
    for (const [num, e] of s.entries) {
      if (e.type !== 1 || seen.has(`${num}@${e.offset}`)) continue;
      // Only what could be a signature dictionary is parsed (not every page): its /Type /Sig or
      // /DocTimeStamp, or /ByteRange; a '#' may spell a name in escapes, so it is parsed too.
      const h = reader.src.slice(e.offset, e.offset + 4096);
      const head = Buffer.from(h.buffer, h.byteOffset, h.byteLength);
      if (head.indexOf("/ByteRange") < 0 && head.indexOf("/Sig") < 0 && head.indexOf("/DocTimeStamp") < 0 && head.indexOf("#") < 0) continue;
      let o: PdfObject;
      try {
        o = reader.parseAt(num, e.offset);
      } catch {
        continue;
      }
      const d = o instanceof PdfDict ? o : undefined;
      if (!d) continue;
      const t = d.getName("Type");
      if (t === "Sig" || t === "DocTimeStamp" || (d.has("ByteRange") && d.has("Filter"))) add(`(no field: object ${num})`, num, e.offset, d);
    }
  }
  return out;
}
