/** The roles objects play in one revision: catalog, form, fields, widgets, pages, annotations, DSS. */
import { PdfArray, PdfDict, PdfRef, PdfStream, listFields, type PdfObject, type PdfReader } from "@kyso/pdf";
import { displayName } from "./locks.js";

export interface FieldRole {
  type: string | undefined;
  /** The field's /V is a signature dictionary. */
  signed: boolean;
  /** The field's /V is a document timestamp (ISO 32000-2 §12.8.5). */
  timestamp: boolean;
  /** Some widget of the field shows on a page (non-empty /Rect, not Hidden or NoView). */
  visible: boolean;
  name: string;
}

export interface RevisionContext {
  catalogNum: number;
  acroNum: number | undefined;
  fieldsArrayNum: number | undefined;
  infoNum: number | undefined;
  metadataNum: number | undefined;
  pages: Set<number>;
  annotsArrays: Set<number>;
  /** Annotation object number -> subtype (Widget for form widgets). */
  annots: Map<number, string>;
  /** Field or widget object number -> the field's role. */
  fields: Map<number, FieldRole>;
  /** Appearance stream object number -> owning annotation number. */
  appearances: Map<number, number>;
  dss: Set<number>;
  sigDicts: Set<number>;
}

export const refNum = (o: PdfObject | undefined): number | undefined => (o instanceof PdfRef ? o.num : undefined);

export function isSigDict(d: PdfDict | undefined): boolean {
  if (!d) return false;
  const t = d.getName("Type");
  return t === "Sig" || t === "DocTimeStamp" || (d.has("ByteRange") && d.has("Contents") && d.has("Filter"));
}

/** Annotation flags (ISO 32000-1 §12.5.3 Table 165). */
export const ANNOT_HIDDEN = 2;
export const ANNOT_NOVIEW = 32;

/** pyHanko's is_annot_visible, plus the Hidden and NoView flags: does the annotation show on the page? */
export function isVisibleAnnot(r: PdfReader, d: PdfDict | undefined): boolean {
  if (!d) return false;
  const flags = r.resolve(d.get("F"));
  if (typeof flags === "number" && (flags & (ANNOT_HIDDEN | ANNOT_NOVIEW)) !== 0) return false;
  const rect = r.array(d.get("Rect"))?.items.map((x) => r.resolve(x));
  if (!rect || rect.length !== 4 || !rect.every((x) => typeof x === "number")) return false;
  const [x1, y1, x2, y2] = rect as number[];
  return Math.abs(x2 - x1) * Math.abs(y2 - y1) > 0;
}

export function buildContext(r: PdfReader): RevisionContext {
  const ctx: RevisionContext = {
    catalogNum: r.catalogRef.num,
    acroNum: undefined,
    fieldsArrayNum: undefined,
    infoNum: refNum(r.trailer.get("Info")),
    metadataNum: undefined,
    pages: new Set(),
    annotsArrays: new Set(),
    annots: new Map(),
    fields: new Map(),
    appearances: new Map(),
    dss: new Set(),
    sigDicts: new Set(),
  };
  const catalog = r.catalog();
  ctx.metadataNum = refNum(catalog.get("Metadata"));
  ctx.acroNum = refNum(catalog.get("AcroForm"));
  const acro = r.dict(catalog.get("AcroForm"));
  ctx.fieldsArrayNum = refNum(acro?.get("Fields"));
  const addAppearances = (annotNum: number, annot: PdfDict): void => {
    const ap = r.dict(annot.get("AP"));
    for (const k of ["N", "R", "D"]) {
      const v = ap?.get(k);
      const n = refNum(v);
      if (n !== undefined) ctx.appearances.set(n, annotNum);
      const states = v instanceof PdfRef ? r.resolve(v) : v;
      if (states instanceof PdfDict)
        for (const s of states.entries.values()) {
          const sn = refNum(s);
          if (sn !== undefined) ctx.appearances.set(sn, annotNum);
        }
    }
  };
  for (const f of listFields(r, 10_000)) {
    const value = r.dict(f.value);
    const signed = f.type === "Sig" && isSigDict(value);
    const vn = refNum(f.value);
    if (signed && vn !== undefined) ctx.sigDicts.add(vn);
    const kids = r.array(f.dict.get("Kids"))?.items ?? [];
    const visible = isVisibleAnnot(r, f.dict) || kids.some((k) => isVisibleAnnot(r, r.dict(k)));
    const role: FieldRole = { type: f.type, signed, timestamp: signed && value?.getName("Type") === "DocTimeStamp", visible, name: displayName(r, f.name) };
    if (f.ref) ctx.fields.set(f.ref.num, role);
    for (const k of kids) {
      const kn = refNum(k);
      if (kn !== undefined) ctx.fields.set(kn, role);
    }
  }
  for (const pageRef of r.allPageRefs(20_000)) {
    ctx.pages.add(pageRef.num);
    const page = r.dict(pageRef);
    const annotsEntry = page?.get("Annots");
    const an = refNum(annotsEntry);
    if (an !== undefined) ctx.annotsArrays.add(an);
    for (const a of r.array(annotsEntry)?.items ?? []) {
      const n = refNum(a);
      const d = r.dict(a);
      if (n === undefined || !d) continue;
      ctx.annots.set(n, d.getName("Subtype") ?? "Unknown");
      addAppearances(n, d);
    }
  }
  for (const [n] of ctx.fields) {
    const d = r.dict(new PdfRef(n, 0));
    if (d) addAppearances(n, d);
  }
  const dssEntry = catalog.get("DSS");
  const dn = refNum(dssEntry);
  if (dn !== undefined) ctx.dss.add(dn);
  const dss = r.dict(dssEntry);
  const addAll = (o: PdfObject | undefined, depth: number): void => {
    if (depth > 4) return;
    const n = refNum(o);
    if (n !== undefined) ctx.dss.add(n);
    const v = r.resolve(o);
    if (v instanceof PdfArray) for (const x of v.items) addAll(x, depth + 1);
    else if (v instanceof PdfDict) for (const x of v.entries.values()) addAll(x, depth + 1);
    else if (v instanceof PdfStream && depth === 0) for (const x of v.dict.entries.values()) addAll(x, depth + 1);
  };
  if (dss) for (const k of ["Certs", "OCSPs", "CRLs", "VRI"]) addAll(dss.get(k), 0);
  return ctx;
}
