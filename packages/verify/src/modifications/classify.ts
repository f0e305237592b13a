/**
 * Every change between two revisions of the same file: the trailer and the document it describes,
 * then object by object. Rules after pyHanko's default diff policy (form_field_rules, file_structure
 * rules) and ISO 32000-1 §12.8.2.2: an object the signed revision's pages draw (content streams,
 * resources, and what they use) is never rewritten, not even as a new signature's appearance (the
 * "sneaky signature"); only the field being signed may change, and only in the keys signing changes.
 */
import { PdfDict, PdfStream, changedKeys, sameObject, type PdfObject, type PdfReader } from "@kyso/pdf";
import type { Change, ChangeKind } from "../modifications.js";
import { buildContext, isSigDict, type RevisionContext } from "./context.js";
import { classifyAcroForm, classifyAnnots, classifyFieldList, type Push } from "./forms.js";
import { drawnObjects, reachableObjects, type DrawnObjects, type SharedObjects } from "./graph.js";
import { classifyTrailer } from "./trailer.js";

/** Keys filling or signing a field changes (pyHanko's VALUE_UPDATE_KEYS, less /F and /Ff: see lockFlagsOnly). */
const FILL_KEYS = new Set(["V", "AS", "AP", "MK", "DA", "RV", "Q"]);
/** Annotation flags that only lock (ISO 32000-1 Table 165): ReadOnly 64, Locked 128, LockedContents 512. */
const ANNOT_LOCK_BITS = 64 | 128 | 512;
/** Field flag ReadOnly (Table 221, bit 1). */
const FIELD_READONLY = 1;

function describeType(o: PdfObject): string {
  const d = o instanceof PdfStream ? o.dict : o;
  if (d instanceof PdfDict) {
    const t = d.getName("Type");
    const s = d.getName("Subtype");
    return [t, s].filter(Boolean).join("/") || (o instanceof PdfStream ? "stream" : "dictionary");
  }
  return o === null ? "null" : typeof o === "object" ? "array" : typeof o;
}

/** True when `b` is `a` with only bits of `mask` added (absent counts as 0). */
function onlyAddsBits(a: PdfObject | undefined, b: PdfObject | undefined, mask: number): boolean {
  const x = typeof a === "number" ? a : a === undefined ? 0 : NaN;
  const y = typeof b === "number" ? b : NaN;
  if (!Number.isInteger(x) || !Number.isInteger(y)) return false;
  return (x & ~mask) === (y & ~mask) && (y & x) === x;
}

function get(r: PdfReader, n: number): PdfObject {
  try {
    return r.getObject(n);
  } catch {
    return null;
  }
}

/**
 * Every change between two revisions of the same file. `oldR` reads the file up to the end of the
 * earlier revision, `newR` up to the end of the later one; `shared` lets the readers of one file
 * share parsed objects.
 */
export function classifyChanges(oldR: PdfReader, newR: PdfReader, revision: number, shared?: SharedObjects): Change[] {
  const changes: Change[] = [];
  const push: Push = (kind, rule, description, num, extra = {}) => {
    const object = extra.object ?? (num === undefined ? undefined : `${num} 0 R`);
    changes.push({ revision, kind, rule, description, ...(object !== undefined ? { object } : {}), ...(extra.subtype !== undefined ? { subtype: extra.subtype } : {}), ...(extra.field !== undefined ? { field: extra.field } : {}), ...(extra.visible ? { visible: true } : {}) });
  };
  if (newR.repaired) {
    push("other", "unreadable-revision", `revision ${revision} has no usable cross-reference data: what a viewer shows cannot be tied to the signed revision`);
    return changes;
  }
  const newSections = newR.sections.length - oldR.sections.length;
  if (newSections < 1) {
    push("other", "not-incremental", `revision ${revision} is not an incremental update of the signed revision (its cross-reference chain does not lead back to it)`);
    return changes;
  }
  const candidates = new Map<number, number | undefined>();
  for (const s of newR.sections.slice(0, newSections)) {
    if (s.offset < oldR.length) push("other", "xref-inside-signed-bytes", `revision ${revision}'s cross-reference section lies inside the signed bytes`);
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

  // The trailer and the document it describes.
  // Listed after the objects' changes: the most significant kind is reported first among equals.
  const trailerChanges: Change[] = [];
  const { replacedCatalog } = classifyTrailer(oldR, newR, newSections, (...a) => {
    const n = changes.length;
    push(...a);
    trailerChanges.push(...changes.splice(n));
  });

  let ctx: RevisionContext | undefined;
  let oldCtx: RevisionContext | undefined;
  let dangling: Set<number> | undefined;
  let drawn: DrawnObjects | undefined;
  const newCtx = (): RevisionContext => (ctx ??= buildContext(newR));
  if (replacedCatalog !== undefined) classifyCatalog(oldR, newR, oldR.catalog(), newR.catalog(), newCtx(), push, replacedCatalog);

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
        push("other", "unlisted-object-body", `object ${num} is rewritten in revision ${revision} outside its cross-reference data`, num);
        continue;
      }
      if (!newR.entry(num) || newR.entry(num)?.type === 0) newObj = oldObj;
    }
    if (sameObject(oldObj, newObj, oldR, newR)) continue;
    const nd = newObj instanceof PdfStream ? newObj.dict : newObj instanceof PdfDict ? newObj : undefined;
    const od = oldObj instanceof PdfStream ? oldObj.dict : oldObj instanceof PdfDict ? oldObj : undefined;
    if (newObj instanceof PdfStream && (nd?.getName("Type") === "XRef" || nd?.getName("Type") === "ObjStm")) continue;
    const nc = newCtx();
    if (oldObj === null) {
      dangling ??= reachableObjects(oldR, undefined, shared)?.dangling ?? new Set();
      if (dangling.has(num)) {
        push("other", "dangling-reference-filled", `object ${num} (${describeType(newObj)}) was referred to but absent in the signed revision and now has content`, num);
        continue;
      }
      if (nc.sigDicts.has(num) || isSigDict(nd)) {
        const ts = nd?.getName("Type") === "DocTimeStamp";
        push(ts ? "timestamp" : "signature", ts ? "doc-timestamp-added" : "signature-added", `new ${ts ? "document timestamp" : "signature"} dictionary ${num}`, num);
      } else if (nc.dss.has(num)) push("dss", "dss", `new validation data (DSS) object ${num}`, num);
      // Any other new object only matters through the objects that refer to it, which are judged themselves.
      continue;
    }
    if (newObj === null) {
      push("other", "object-deleted", `object ${num} (${describeType(oldObj)}) deleted`, num);
      continue;
    }
    // An object the signed pages draw, or an appearance shared by several annotations, is never
    // rewritten (pyHanko: "we generally never want to whitelist an update for an existing stream").
    drawn ??= drawnObjects(oldR, shared);
    const drawnAt = drawn.drawn.get(num);
    const users = drawn.appearanceUsers.get(num);
    if (drawnAt !== undefined || (users && users.size > 1)) {
      const owner = nc.appearances.get(num);
      const sigOwner = owner !== undefined ? nc.fields.get(owner) : undefined;
      if (sigOwner?.type === "Sig")
        push("other", "sneaky-signature-overwrite", `object ${num} (${describeType(newObj)}), which the signed revision's ${drawnAt ?? "annotations"} draw${drawnAt ? "s" : ""}, is rewritten as the appearance of signature field ${JSON.stringify(sigOwner.name)} (sneaky signature)`, num, { field: sigOwner.name });
      else if (drawnAt !== undefined) push("other", "page-content-overwrite", `object ${num} (${describeType(newObj)}), drawn by ${drawnAt} of the signed revision, is rewritten`, num);
      else push("other", "shared-appearance-overwrite", `object ${num} (${describeType(newObj)}), an appearance shared by annotations ${[...users!].join(", ")}, is rewritten`, num);
      continue;
    }
    oldCtx ??= buildContext(oldR);
    if (num === nc.catalogNum) classifyCatalog(oldR, newR, od, nd, nc, push, num);
    else if (num === nc.acroNum || num === oldCtx.acroNum) classifyAcroForm(oldR, newR, od, nd, nc, push);
    else if (num === nc.fieldsArrayNum || num === oldCtx.fieldsArrayNum) classifyFieldList(oldR.array(oldObj), newR.array(newObj), nc, push, num);
    else if (nc.pages.has(num) || oldCtx.pages.has(num)) {
      for (const k of changedKeys(od, nd)) {
        if (k === "Annots") classifyAnnots(oldR.array(od?.get(k)), newR.array(nd?.get(k)), newR, nc, push, num);
        else push("other", "page-changed", `page object ${num}: /${k} changed`, num);
      }
    } else if (nc.annotsArrays.has(num) || oldCtx.annotsArrays.has(num)) classifyAnnots(oldR.array(oldObj), newR.array(newObj), newR, nc, push, num);
    else if (oldCtx.sigDicts.has(num) || isSigDict(od)) push("other", "signature-dict-changed", `signature dictionary ${num} changed after signing`, num);
    else if (nc.fields.has(num) && oldCtx.fields.has(num)) classifyField(oldR, od, nd, nc, oldCtx, push, num);
    else if (nc.annots.has(num) && oldCtx.annots.has(num)) {
      const rest = lockFlags(od, nd, nc.annots.get(num)!, num, push);
      if (rest.length > 0) push("annotation", "annotation-modified", `annotation ${num} (${nc.annots.get(num)}) modified`, num, { subtype: nc.annots.get(num) });
    } else if (nc.appearances.has(num)) {
      const owner = nc.appearances.get(num)!;
      const f = nc.fields.get(owner);
      const wasSigned = oldCtx.fields.get(owner)?.signed === true;
      if (f?.type === "Sig" && wasSigned) push("other", "signed-field-appearance-changed", `appearance of the already signed field ${JSON.stringify(f.name)} (${owner}) rewritten`, num, { field: f.name });
      else if (f?.type === "Sig") push(f.signed ? "signature" : "annotation", "sig-appearance", `appearance of signature field ${JSON.stringify(f.name)} (${owner})`, num, { field: f.name, ...(f.signed ? {} : { subtype: "Widget" }) });
      else if (f) push("form-fill", "field-appearance", `appearance of form field ${JSON.stringify(f.name)} (${owner})`, num, { field: f.name });
      else push("annotation", "annotation-appearance", `appearance of annotation ${owner}`, num, { subtype: nc.annots.get(owner) });
    } else if (nc.dss.has(num)) push("dss", "dss", `validation data (DSS) object ${num}`, num);
    else if (num === nc.infoNum || num === nc.metadataNum) push("metadata", "document-info", `document information ${num}`, num);
    else push("other", "object-changed", `object ${num} (${describeType(newObj)}) changed`, num);
  }
  return [...changes, ...trailerChanges];
}

/** Catalog keys (pyHanko's ROOT_EXEMPT_STRICT_COMPARISON): only these may change after signing. */
function classifyCatalog(oldR: PdfReader, newR: PdfReader, od: PdfDict | undefined, nd: PdfDict | undefined, nc: RevisionContext, push: Push, num: number): void {
  for (const k of changedKeys(od, nd)) {
    if (k === "AcroForm") classifyAcroForm(oldR, newR, oldR.dict(od?.get(k)), newR.dict(nd?.get(k)), nc, push);
    else if (k === "DSS") push("dss", "dss", "document catalog: /DSS", num);
    else if (k === "Version") push("metadata", "catalog-version", "document catalog: /Version", num);
    else if (k === "Extensions") push("metadata", "catalog-extensions", "document catalog: /Extensions", num);
    else if (k === "Metadata") push("metadata", "catalog-metadata", "document catalog: /Metadata", num);
    else push("other", "catalog-changed", `document catalog: /${k} changed`, num);
  }
}

/**
 * Lock flags Acrobat sets when it signs (a widget's /F from 4 to 132, a field's /Ff ReadOnly): allowed
 * on any field. Returns the other changed keys.
 */
function lockFlags(od: PdfDict | undefined, nd: PdfDict | undefined, label: string, num: number, push: Push, field?: string): string[] {
  const rest: string[] = [];
  for (const k of changedKeys(od, nd)) {
    if (k === "F" && onlyAddsBits(od?.get(k), nd?.get(k), ANNOT_LOCK_BITS)) push("signature", "widget-lock-flag", `${label} (${num}): /F lock flags set`, num, field !== undefined ? { field } : {});
    else if (k === "Ff" && onlyAddsBits(od?.get(k), nd?.get(k), FIELD_READONLY)) push("signature", "field-readonly-flag", `${label} (${num}): /Ff ReadOnly set`, num, field !== undefined ? { field } : {});
    else rest.push(k);
  }
  return rest;
}

/** pyHanko's SigFieldModificationRule and GenericFieldModificationRule. */
function classifyField(oldR: PdfReader, od: PdfDict | undefined, nd: PdfDict | undefined, nc: RevisionContext, oc: RevisionContext, push: Push, num: number): void {
  const f = nc.fields.get(num)!;
  const q = JSON.stringify(f.name);
  const keys = lockFlags(od, nd, `form field ${q}`, num, push, f.name);
  if (keys.length === 0) return;
  const field = { field: f.name };
  if (keys.some((k) => !FILL_KEYS.has(k))) return push("other", "field-changed", `form field ${q} (${num}): ${keys.map((k) => `/${k}`).join(" ")} changed`, num, field);
  if (f.type !== "Sig") return push("form-fill", "form-fill", `form field ${q} (${num}): value or appearance`, num, field);
  const wasSigned = oc.fields.get(num)?.signed === true || isSigDict(oldR.dict(od?.get("V")));
  if (wasSigned && keys.includes("V")) return push("other", "signature-replaced", `signature field ${q} (${num}): its signature was replaced`, num, field);
  // An already signed field does not change beyond its lock flags (pyHanko: "the state of the field better didn't change at all").
  if (wasSigned) return push("other", "signed-field-changed", `signature field ${q} (${num}), already signed: ${keys.map((k) => `/${k}`).join(" ")} changed`, num, field);
  // An empty signature field that changes without being signed (a new appearance drawn over a certified page).
  if (!f.signed) return push("other", "unsigned-sig-field-changed", `empty signature field ${q} (${num}): ${keys.map((k) => `/${k}`).join(" ")} changed without a signature`, num, field);
  const kind: ChangeKind = f.timestamp && !f.visible ? "timestamp" : "signature";
  push(kind, "sig-field-signed", `signature field ${q} (${num}) signed`, num, field);
}
