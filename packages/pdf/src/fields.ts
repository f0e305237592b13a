import { PdfArray, PdfDict, PdfRef, PdfString, type PdfObject } from "./objects.js";
import type { PdfReader } from "./reader.js";

export interface FieldInfo {
  /** Fully qualified field name (partial names joined with "."). */
  name: string;
  ref: PdfRef | undefined;
  dict: PdfDict;
  /** The field type, inherited from parents when absent. */
  type: string | undefined;
  /** The field's value (for a signature field: the signature dictionary), unresolved. */
  value: PdfObject | undefined;
}

/** Every terminal field of the AcroForm (ISO 32000-1 §12.7.3.1), with loop and depth limits. */
export function listFields(reader: PdfReader, limit = 100_000): FieldInfo[] {
  const acro = reader.dict(reader.catalog().get("AcroForm"));
  const fields = reader.array(acro?.get("Fields"));
  const out: FieldInfo[] = [];
  if (!fields) return out;
  const seen = new Set<string>();
  const walk = (o: PdfObject, prefix: string, inheritedType: string | undefined, depth: number): void => {
    if (out.length >= limit || depth > 32) return;
    const ref = o instanceof PdfRef ? o : undefined;
    if (ref) {
      if (seen.has(ref.key())) return;
      seen.add(ref.key());
    }
    const d = reader.dict(o);
    if (!d) return;
    const t = d.get("T");
    const partial = t instanceof PdfString ? t.asText() : undefined;
    const name = partial === undefined ? prefix : prefix ? `${prefix}.${partial}` : partial;
    const type = d.getName("FT") ?? inheritedType;
    const kids = reader.array(d.get("Kids"));
    // Kids that have no /T are widgets of this field, not fields.
    const fieldKids = kids?.items.filter((k) => reader.dict(k)?.has("T")) ?? [];
    if (fieldKids.length > 0) {
      for (const k of fieldKids) walk(k, name, type, depth + 1);
      return;
    }
    out.push({ name, ref, dict: d, type, value: d.get("V") });
  };
  for (const f of fields.items) walk(f, "", undefined, 0);
  return out;
}

/** The signature fields, signed or not. */
export function listSignatureFields(reader: PdfReader): FieldInfo[] {
  return listFields(reader).filter((f) => f.type === "Sig");
}

export function isArrayOfRefs(a: PdfArray | undefined): boolean {
  return !!a && a.items.every((x) => x instanceof PdfRef);
}
