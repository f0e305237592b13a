/**
 * The document as each trailer describes it (ISO 32000-1 §7.5.5 trailer, §7.5.6 incremental updates):
 * a later revision may change what the document *is* without rewriting any object, by pointing its
 * trailer (/Root, /Info, /Encrypt) at other objects, by a cross-reference chain that skips the signed
 * revision, or by making objects that existed unreferenced in the signed revision part of the document.
 */
import { PdfArray, PdfRef, sameObject, type PdfObject, type PdfReader } from "@kyso/pdf";
import type { Push } from "./forms.js";
import type { Change } from "../modifications.js";
import type { Reachable } from "./graph.js";

/** Trailer keys that only describe the cross-reference data (ISO 32000-1 Tables 15 and 17). */
const XREF_KEYS = new Set(["Size", "Prev", "XRefStm", "Type", "W", "Index", "Length", "Filter", "DecodeParms", "DL"]);

function exists(r: PdfReader, num: number): boolean {
  try {
    return r.getObject(num) !== null;
  } catch {
    return false;
  }
}

const show = (o: PdfObject | undefined): string => (o instanceof PdfRef ? `${o.num} ${o.gen} R` : o === undefined ? "nothing" : "a direct object");

/**
 * Compares the signed revision's trailer and cross-reference chain with a later one's. Returns the new
 * catalog's object number when /Root now points at an object the signed revision did not have (the
 * catalogs are then compared key by key by the caller).
 */
export function classifyTrailer(oldR: PdfReader, newR: PdfReader, newSections: number, push: Push): { replacedCatalog?: number } {
  // The chain must lead back through every section of the signed revision, in order.
  const oldOffsets = oldR.sections.map((s) => s.offset).join(",");
  const tail = newR.sections.slice(newSections).map((s) => s.offset).join(",");
  if (oldOffsets !== tail)
    push("other", "xref-chain-mismatch", "the later cross-reference chain does not lead back through the signed revision's sections (it describes another document)", undefined, { object: "trailer /Prev" });

  const ot = oldR.trailer;
  const nt = newR.trailer;
  const out: { replacedCatalog?: number } = {};
  const keys = new Set([...ot.keys(), ...nt.keys()]);
  for (const k of keys) {
    if (XREF_KEYS.has(k)) continue;
    const a = ot.get(k);
    const b = nt.get(k);
    if (sameObject(a, b)) continue;
    const object = `trailer /${k}`;
    if (k === "Root") {
      if (b instanceof PdfRef && exists(oldR, b.num) && !(a instanceof PdfRef && a.num === b.num))
        push("other", "hidden-replace-trailer", `the trailer's /Root now points at object ${b.num}, which existed in the signed revision in place of the signed catalog ${show(a)} (hide-and-replace)`, b.num, { object });
      else if (b instanceof PdfRef && !(a instanceof PdfRef && a.num === b.num)) out.replacedCatalog = b.num;
      else push("other", "trailer-root", `the trailer's /Root changed from ${show(a)} to ${show(b)}`, undefined, { object });
    } else if (k === "Info") {
      // The document information dictionary (§14.3.3) is metadata: nothing a reader sees on a page.
      push("metadata", "trailer-info", `the trailer's /Info changed from ${show(a)} to ${show(b)}`, b instanceof PdfRef ? b.num : undefined, { object });
    } else if (k === "ID") {
      // §14.4: the second identifier changes with every update; only the permanent first one is a change.
      const first = (o: PdfObject | undefined): PdfObject | undefined => (o instanceof PdfArray ? o.items[0] : undefined);
      if (!sameObject(first(a), first(b))) push("metadata", "trailer-id", "the trailer's permanent file identifier (/ID, first element) changed", undefined, { object });
    } else if (k === "Encrypt") {
      push("other", "trailer-encrypt", `the trailer's /Encrypt changed from ${show(a)} to ${show(b)} (the document reads differently)`, undefined, { object });
    } else {
      push("metadata", "trailer-unused-key", `the trailer's /${k} changed (no reader uses it)`, undefined, { object });
    }
  }
  return out;
}

/**
 * Objects that existed in the signed revision without being part of its document (unreachable from
 * its trailer) and are part of a later one: hidden content revealed after signing. `signed` and
 * `later` are the reachable sets of the two revisions (see reachableObjects).
 */
export function revealedObjects(signedR: PdfReader, signed: Reachable, later: Reachable): number[] {
  const revealed: number[] = [];
  for (const n of later.reachable) if (!signed.reachable.has(n) && !signed.dangling.has(n) && exists(signedR, n)) revealed.push(n);
  return revealed.sort((x, y) => x - y);
}

export function revealedChange(revision: number, revealed: number[]): Change {
  const list = revealed.slice(0, 10).join(", ") + (revealed.length > 10 ? ` and ${revealed.length - 10} more` : "");
  return {
    revision,
    kind: "other",
    rule: "hidden-object-revealed",
    object: `${revealed[0]} 0 R`,
    description: `object(s) ${list} existed unreferenced in the signed revision and are part of the document from revision ${revision} on (hide-and-replace)`,
  };
}
