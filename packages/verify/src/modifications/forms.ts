/** The form's and the pages' lists of fields and annotations: what was added, removed or signed. */
import { PdfRef, changedKeys, type PdfArray, type PdfDict, type PdfReader } from "@kyso/pdf";
import type { ChangeKind } from "../modifications.js";
import { isVisibleAnnot, refNum, type RevisionContext } from "./context.js";

export type Push = (kind: ChangeKind, rule: string, description: string, num?: number, extra?: { subtype?: string; field?: string; visible?: boolean; object?: string }) => void;

export function classifyAcroForm(oldR: PdfReader, newR: PdfReader, od: PdfDict | undefined, nd: PdfDict | undefined, ctx: RevisionContext, push: Push): void {
  for (const k of changedKeys(od, nd)) {
    if (k === "Fields") classifyFieldList(oldR.array(od?.get(k)), newR.array(nd?.get(k)), ctx, push, ctx.acroNum);
    // /SigFlags (ISO 32000-1 §12.7.2 Table 219) says the document holds signatures: no content.
    else if (k === "SigFlags") push("signature", "acroform-sigflags", "form: /SigFlags", ctx.acroNum);
    else if (k === "DA" || k === "DR" || k === "NeedAppearances") push("form-fill", "acroform-defaults", `form: /${k}`, ctx.acroNum);
    else push("other", "acroform-changed", `form (AcroForm): /${k} changed`, ctx.acroNum);
  }
}

/** pyHanko's SigFieldCreationRule: new signature fields may be added, no field may be removed, no other field added. */
export function classifyFieldList(oldA: PdfArray | undefined, newA: PdfArray | undefined, ctx: RevisionContext, push: Push, num: number | undefined): void {
  const oldNums = (oldA?.items ?? []).map(refNum);
  const newNums = new Set((newA?.items ?? []).map(refNum));
  for (const n of oldNums) if (n === undefined || !newNums.has(n)) push("other", "field-removed", `form field ${n ?? "(direct)"} removed from the form (hides a field or signature)`, num);
  for (const n of newNums) {
    if (n !== undefined && oldNums.includes(n)) continue;
    const f = n === undefined ? undefined : ctx.fields.get(n);
    if (f?.type === "Sig") push(f.timestamp && !f.visible ? "timestamp" : "signature", "sig-field-added", `signature field ${JSON.stringify(f.name)} (${n}) added`, n, { field: f.name });
    else push("other", "field-added", `form field ${n ?? "(direct)"} added`, n);
  }
}

/** Annotations added to or removed from a page's /Annots. */
export function classifyAnnots(oldA: PdfArray | undefined, newA: PdfArray | undefined, newR: PdfReader, ctx: RevisionContext, push: Push, num: number): void {
  const oldNums = (oldA?.items ?? []).map(refNum);
  const newNums = (newA?.items ?? []).map(refNum);
  for (const n of oldNums) if (n === undefined || !newNums.includes(n)) push("annotation", "annotation-removed", `annotation ${n ?? "(direct)"} removed from page`, num, { subtype: "Removed" });
  for (const n of newNums) {
    if (n !== undefined && oldNums.includes(n)) continue;
    if (n === undefined) {
      push("other", "annotation-direct", "a direct annotation was added", num);
      continue;
    }
    const d = newR.dict(new PdfRef(n, 0));
    const visible = isVisibleAnnot(newR, d);
    const subtype = ctx.annots.get(n) ?? "Unknown";
    const f = ctx.fields.get(n);
    if (subtype === "Widget" && f?.type === "Sig") {
      const what = f.signed ? `${visible ? "visible" : "invisible"} signature widget ${n}` : `${visible ? "visible" : "invisible"} widget ${n} of an unsigned signature field`;
      push(f.timestamp && !visible ? "timestamp" : "signature", "sig-widget-added", `${what} ${JSON.stringify(f.name)} added`, n, { field: f.name, visible });
    } else if (subtype === "Widget") push("other", "field-widget-added", `widget ${n} of a new form field added`, n);
    else push("annotation", "annotation-added", `annotation ${n} (${subtype}) added`, n, { subtype, visible });
  }
}
