import { PdfArray, PdfDict, PdfRef, PdfStream, PdfString, changedKeys, listFields, sameObject, type PdfObject, type PdfReader } from "@kyso/pdf";

/**
 * What a later revision changed (ISO 32000-1 §12.8.2.2 DocMDP; the classes follow the RUB attack
 * papers' advice: classify every object of every later revision, allow only what the permission does).
 */
export type ChangeKind = "signature" | "timestamp" | "dss" | "metadata" | "form-fill" | "annotation" | "other";

export interface Change {
  /** 1-based revision number in the file (1 = the original document). */
  revision: number;
  kind: ChangeKind;
  /** "12 0 R" when the change concerns one object. */
  object?: string;
  /** For annotations: the /Subtype. */
  subtype?: string;
  /** Fully qualified name of the form field the change concerns (its dictionary, widgets or appearances). */
  field?: string;
  description: string;
}

/** Annotation types that only add a note or mark text; anything else can draw over the page. */
const BENIGN_ANNOTATIONS = new Set(["Text", "Popup", "Highlight", "Underline", "Squiggly", "StrikeOut", "Caret"]);

/** Kinds each DocMDP level allows (P=1 still allows LTV material: EN 319 142-1 §5.4). */
export function allowedKinds(p: 1 | 2 | 3 | undefined): Set<ChangeKind> {
  if (p === 1) return new Set(["dss", "timestamp"]);
  if (p === 2) return new Set(["dss", "timestamp", "metadata", "signature", "form-fill"]);
  if (p === 3) return new Set(["dss", "timestamp", "metadata", "signature", "form-fill", "annotation"]);
  return new Set(["dss", "timestamp", "metadata", "signature", "form-fill"]);
}

export function isAllowed(change: Change, p: 1 | 2 | 3 | undefined): boolean {
  if (!allowedKinds(p).has(change.kind)) return false;
  if (change.kind === "annotation" && change.subtype !== undefined && !BENIGN_ANNOTATIONS.has(change.subtype)) return false;
  return true;
}

interface Context {
  catalogNum: number;
  acroNum: number | undefined;
  fieldsArrayNum: number | undefined;
  infoNum: number | undefined;
  metadataNum: number | undefined;
  pages: Set<number>;
  annotsArrays: Set<number>;
  /** Annotation object number -> subtype (Widget for form widgets). */
  annots: Map<number, string>;
  /** Field or widget object number -> field type, and whether it carries a signature. */
  fields: Map<number, { type: string | undefined; signed: boolean; name: string }>;
  /** Appearance stream object number -> owning annotation number. */
  appearances: Map<number, number>;
  dss: Set<number>;
  sigDicts: Set<number>;
}

const refNum = (o: PdfObject | undefined): number | undefined => (o instanceof PdfRef ? o.num : undefined);

function isSigDict(d: PdfDict | undefined): boolean {
  if (!d) return false;
  const t = d.getName("Type");
  return t === "Sig" || t === "DocTimeStamp" || (d.has("ByteRange") && d.has("Contents") && d.has("Filter"));
}

function buildContext(r: PdfReader): Context {
  const ctx: Context = {
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
      if (states instanceof PdfDict) for (const s of states.entries.values()) {
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
    if (f.ref) ctx.fields.set(f.ref.num, { type: f.type, signed, name: f.name });
    for (const k of r.array(f.dict.get("Kids"))?.items ?? []) {
      const kn = refNum(k);
      if (kn !== undefined) ctx.fields.set(kn, { type: f.type, signed, name: f.name });
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

/** Object numbers the old revision refers to but does not define (where a shadow "hide" attack puts content later). */
function danglingReferences(r: PdfReader, limit = 200_000): Set<number> {
  const dangling = new Set<number>();
  const seen = new Set<number>();
  const queue: PdfObject[] = [r.trailer];
  let steps = 0;
  while (queue.length > 0 && steps++ < limit) {
    const o = queue.pop();
    if (o instanceof PdfRef) {
      if (seen.has(o.num)) continue;
      seen.add(o.num);
      let v: PdfObject = null;
      try {
        v = r.getObject(o);
      } catch {
        v = null;
      }
      if (v === null) dangling.add(o.num);
      else queue.push(v);
    } else if (o instanceof PdfArray) queue.push(...o.items);
    else if (o instanceof PdfDict) for (const v of o.entries.values()) queue.push(v);
    else if (o instanceof PdfStream) for (const v of o.dict.entries.values()) queue.push(v);
  }
  return dangling;
}

function describeType(o: PdfObject): string {
  const d = o instanceof PdfStream ? o.dict : o;
  if (d instanceof PdfDict) {
    const t = d.getName("Type");
    const s = d.getName("Subtype");
    return [t, s].filter(Boolean).join("/") || (o instanceof PdfStream ? "stream" : "dictionary");
  }
  if (o instanceof PdfArray) return "array";
  return typeof o;
}

/**
 * Every change between two revisions of the same file, object by object. `oldR` reads the file up
 * to the end of the earlier revision, `newR` up to the end of the later one.
 */
export function classifyChanges(oldR: PdfReader, newR: PdfReader, revision: number): Change[] {
  const changes: Change[] = [];
  const push = (kind: ChangeKind, description: string, num?: number, subtype?: string, field?: string): void => {
    changes.push({ revision, kind, object: num === undefined ? undefined : `${num} 0 R`, subtype, description, ...(field !== undefined ? { field } : {}) });
  };
  if (newR.repaired) {
    push("other", `revision ${revision} has no usable cross-reference data: what a viewer shows cannot be tied to the signed revision`);
    return changes;
  }
  const newSections = newR.sections.length - oldR.sections.length;
  if (newSections < 1) {
    push("other", `revision ${revision} is not an incremental update of the signed revision (its cross-reference chain does not lead back to it)`);
    return changes;
  }
  const candidates = new Map<number, number | undefined>();
  for (const s of newR.sections.slice(0, newSections)) {
    if (s.offset < oldR.length) push("other", `revision ${revision}'s cross-reference section lies inside the signed bytes`);
    for (const [num] of s.entries) candidates.set(num, undefined);
  }
  // Object bodies written in the new revision's bytes, whether or not its xref lists them.
  const text = Buffer.from(newR.src.slice(oldR.length, newR.length)).toString("latin1");
  const re = /(?:^|[\r\n\s])(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj\b/g;
  for (let m = re.exec(text); m && candidates.size < 1_000_000; m = re.exec(text)) {
    const num = Number(m[1]);
    const at = oldR.length + m.index + (m[0].length - m[0].trimStart().length);
    const listed = newR.entry(num);
    if (listed?.type === 1 && listed.offset === at) continue;
    if (!candidates.has(num) || candidates.get(num) === undefined) candidates.set(num, at);
  }

  let ctx: Context | undefined;
  let oldCtx: Context | undefined;
  let dangling: Set<number> | undefined;
  const get = (r: PdfReader, n: number): PdfObject => {
    try {
      return r.getObject(n);
    } catch {
      return null;
    }
  };
  for (const [num, unlistedAt] of candidates) {
    const oldObj = get(oldR, num);
    let newObj = get(newR, num);
    if (unlistedAt !== undefined) {
      // A body the cross-reference data does not point to: a lenient viewer may still show it.
      let body: PdfObject = null;
      try {
        body = newR.parseAt(num, unlistedAt);
      } catch {
        body = null;
      }
      if (!sameObject(body, oldObj, newR, oldR) && !sameObject(body, newObj, newR, newR)) {
        push("other", `object ${num} is rewritten in revision ${revision} outside its cross-reference data`, num);
        continue;
      }
      if (!newR.entry(num) || newR.entry(num)?.type === 0) newObj = oldObj;
    }
    if (sameObject(oldObj, newObj, oldR, newR)) continue;
    const nd = newObj instanceof PdfStream ? newObj.dict : newObj instanceof PdfDict ? newObj : undefined;
    const od = oldObj instanceof PdfStream ? oldObj.dict : oldObj instanceof PdfDict ? oldObj : undefined;
    if (newObj instanceof PdfStream && (nd?.getName("Type") === "XRef" || nd?.getName("Type") === "ObjStm")) continue;
    ctx ??= buildContext(newR);
    if (oldObj === null) {
      dangling ??= danglingReferences(oldR);
      if (dangling.has(num)) {
        push("other", `object ${num} (${describeType(newObj)}) was referred to but absent in the signed revision and now has content`, num);
        continue;
      }
      if (ctx.sigDicts.has(num) || isSigDict(nd)) push(nd?.getName("Type") === "DocTimeStamp" ? "timestamp" : "signature", `new signature dictionary ${num}`, num);
      else if (ctx.dss.has(num)) push("dss", `new validation data (DSS) object ${num}`, num);
      // Any other new object only matters through the objects that refer to it, which are judged themselves.
      continue;
    }
    if (newObj === null) {
      push("other", `object ${num} (${describeType(oldObj)}) deleted`, num);
      continue;
    }
    oldCtx ??= buildContext(oldR);
    if (num === ctx.catalogNum) {
      for (const k of changedKeys(od, nd)) {
        if (k === "AcroForm") classifyAcroForm(oldR, newR, oldR.dict(od?.get(k)), newR.dict(nd?.get(k)), ctx, push);
        else if (k === "DSS" || k === "Extensions") push("dss", `document catalog: /${k}`, num);
        else if (k === "Metadata") push("metadata", "document catalog: /Metadata", num);
        else push("other", `document catalog: /${k} changed`, num);
      }
    } else if (num === ctx.acroNum || num === oldCtx.acroNum) {
      classifyAcroForm(oldR, newR, od, nd, ctx, push);
    } else if (num === ctx.fieldsArrayNum || num === oldCtx.fieldsArrayNum) {
      classifyFieldList(oldR.array(oldObj), newR.array(newObj), ctx, push, num);
    } else if (ctx.pages.has(num) || oldCtx.pages.has(num)) {
      for (const k of changedKeys(od, nd)) {
        if (k === "Annots") classifyAnnots(oldR.array(od?.get(k)), newR.array(nd?.get(k)), newR, ctx, push, num);
        else push("other", `page object ${num}: /${k} changed`, num);
      }
    } else if (ctx.annotsArrays.has(num) || oldCtx.annotsArrays.has(num)) {
      classifyAnnots(oldR.array(oldObj), newR.array(newObj), newR, ctx, push, num);
    } else if (oldCtx.sigDicts.has(num) || isSigDict(od)) {
      push("other", `signature dictionary ${num} changed after signing`, num);
    } else if (ctx.fields.has(num) && oldCtx.fields.has(num)) {
      const f = ctx.fields.get(num)!;
      const keys = changedKeys(od, nd);
      const fillKeys = new Set(["V", "AS", "AP", "MK", "DA", "RV"]);
      const q = JSON.stringify(f.name);
      if (keys.some((k) => !fillKeys.has(k))) push("other", `form field ${q} (${num}): ${keys.map((k) => `/${k}`).join(" ")} changed`, num, undefined, f.name);
      else if (f.type === "Sig") {
        const wasSigned = isSigDict(oldR.dict(od?.get("V")));
        if (wasSigned && keys.includes("V")) push("other", `signature field ${q} (${num}): its signature was replaced`, num, undefined, f.name);
        else push("signature", `signature field ${q} (${num}) signed`, num, undefined, f.name);
      } else push("form-fill", `form field ${q} (${num}): value or appearance`, num, undefined, f.name);
    } else if (ctx.annots.has(num) && oldCtx.annots.has(num)) {
      push("annotation", `annotation ${num} (${ctx.annots.get(num)}) modified`, num, ctx.annots.get(num));
    } else if (ctx.appearances.has(num)) {
      const owner = ctx.appearances.get(num)!;
      const f = ctx.fields.get(owner);
      if (f?.type === "Sig") push(f.signed ? "signature" : "annotation", `appearance of signature field ${JSON.stringify(f.name)} (${owner})`, num, f.signed ? undefined : "Widget", f.name);
      else if (f) push("form-fill", `appearance of form field ${JSON.stringify(f.name)} (${owner})`, num, undefined, f.name);
      else push("annotation", `appearance of annotation ${owner}`, num, ctx.annots.get(owner));
    } else if (ctx.dss.has(num)) {
      push("dss", `validation data (DSS) object ${num}`, num);
    } else if (num === ctx.infoNum || num === ctx.metadataNum) {
      push("metadata", `document information ${num}`, num);
    } else {
      push("other", `object ${num} (${describeType(newObj)}) changed`, num);
    }
  }
  return changes;
}

type Push = (kind: ChangeKind, description: string, num?: number, subtype?: string, field?: string) => void;

/**
 * The fields a signature locks (ISO 32000-1 §12.7.4.5 Table 233 /Lock, §12.8.2.4 FieldMDP):
 * All, the listed ones (Include), or all but the listed ones (Exclude). A listed name also locks
 * the fields below it ("a" locks "a.b").
 */
export interface FieldLock {
  action: "All" | "Include" | "Exclude";
  fields: string[];
  /** "/Lock of field X" or "/Reference FieldMDP". */
  source: string;
}

export function fieldLockFrom(d: PdfDict | undefined, r: PdfReader, source: string): FieldLock | undefined {
  if (!d) return undefined;
  const a = d.getName("Action");
  // An unknown or missing action locks everything: the conservative reading of a lock we cannot read.
  const action = a === "Include" || a === "Exclude" ? a : "All";
  const fields = (r.array(d.get("Fields"))?.items ?? []).flatMap((x) => {
    const v = r.resolve(x);
    return v instanceof PdfString ? [v.asText()] : [];
  });
  return { action, fields, source };
}

export function isLocked(field: string, lock: FieldLock): boolean {
  if (lock.action === "All") return true;
  const listed = lock.fields.some((f) => field === f || field.startsWith(`${f}.`));
  return lock.action === "Include" ? listed : !listed;
}

function classifyAcroForm(oldR: PdfReader, newR: PdfReader, od: PdfDict | undefined, nd: PdfDict | undefined, ctx: Context, push: Push): void {
  for (const k of changedKeys(od, nd)) {
    if (k === "Fields") classifyFieldList(oldR.array(od?.get(k)), newR.array(nd?.get(k)), ctx, push, ctx.acroNum);
    else if (k === "SigFlags") push("signature", "form: /SigFlags", ctx.acroNum);
    else if (k === "DA" || k === "DR" || k === "NeedAppearances") push("form-fill", `form: /${k}`, ctx.acroNum);
    else push("other", `form (AcroForm): /${k} changed`, ctx.acroNum);
  }
}

function classifyFieldList(oldA: PdfArray | undefined, newA: PdfArray | undefined, ctx: Context, push: Push, num: number | undefined): void {
  const oldNums = (oldA?.items ?? []).map(refNum);
  const newNums = new Set((newA?.items ?? []).map(refNum));
  for (const n of oldNums) if (n === undefined || !newNums.has(n)) push("other", `form field ${n ?? "(direct)"} removed from the form (hides a field or signature)`, num);
  for (const n of newNums) {
    if (n !== undefined && oldNums.includes(n)) continue;
    const f = n === undefined ? undefined : ctx.fields.get(n);
    if (f?.type === "Sig") push("signature", `signature field ${n} added`, n);
    else push("other", `form field ${n ?? "(direct)"} added`, n);
  }
}

function classifyAnnots(oldA: PdfArray | undefined, newA: PdfArray | undefined, newR: PdfReader, ctx: Context, push: Push, num: number): void {
  const oldNums = (oldA?.items ?? []).map(refNum);
  const newNums = (newA?.items ?? []).map(refNum);
  for (const n of oldNums) if (n === undefined || !newNums.includes(n)) push("annotation", `annotation ${n ?? "(direct)"} removed from page`, num, "Removed");
  for (const n of newNums) {
    if (n !== undefined && oldNums.includes(n)) continue;
    if (n === undefined) {
      push("other", "a direct annotation was added", num);
      continue;
    }
    const subtype = ctx.annots.get(n) ?? "Unknown";
    const f = ctx.fields.get(n);
    if (subtype === "Widget" && f?.type === "Sig") {
      // An unsigned signature widget that shows something is an overlay (sneaky signature attack).
      const d = newR.dict(new PdfRef(n, 0));
      const rect = newR.array(d?.get("Rect"))?.items.map((x) => newR.resolve(x));
      const visible = !!rect && rect.length === 4 && rect.every((x) => typeof x === "number") && (rect[2] as number) !== (rect[0] as number) && (rect[3] as number) !== (rect[1] as number);
      if (f.signed || !visible) push("signature", `signature widget ${n} added`, n);
      else push("annotation", `visible widget ${n} of an unsigned signature field added`, n, "Widget");
    } else if (subtype === "Widget") push("other", `widget ${n} of a new form field added`, n);
    else push("annotation", `annotation ${n} (${subtype}) added`, n, subtype);
  }
}

