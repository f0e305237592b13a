/**
 * The document as a trailer describes it: the object graph reachable from the trailer, the objects a
 * page draws (its content streams and resources, transitively), and the objects each annotation's
 * appearance uses (ISO 32000-1 §7.7.3 page objects, §8.10 form XObjects, §12.5.5 appearance streams).
 */
import { PdfArray, PdfDict, PdfRef, PdfStream, type PdfObject, type PdfReader } from "@kyso/pdf";

/** Back-pointers up a tree: following them from a page's resources would reach the whole document. */
const UP = new Set(["Parent", "P"]);

/**
 * Parsed objects shared by the readers of one file's revisions, keyed by where the object's bytes
 * are: an object at the same offset reads the same in every revision that lists it. Streams are not
 * shared (an indirect /Length may differ between revisions).
 */
export type SharedObjects = Map<string, PdfObject>;

function getObject(r: PdfReader, ref: PdfRef, shared?: SharedObjects): PdfObject {
  const e = shared ? r.entry(ref.num) : undefined;
  const key = e?.type === 1 ? `${ref.num}@${e.offset}` : undefined;
  if (key !== undefined && shared!.has(key)) return shared!.get(key)!;
  let v: PdfObject;
  try {
    v = r.getObject(ref);
  } catch {
    v = null;
  }
  if (key !== undefined && !(v instanceof PdfStream)) shared!.set(key, v);
  return v;
}

/**
 * Calls `visit` for every indirect object reachable from `roots` (each once), following every key
 * except those in `skip`. Stops after `limit` objects and returns false then.
 */
export function walkGraph(r: PdfReader, roots: PdfObject[], visit: (num: number, value: PdfObject) => void, skip: ReadonlySet<string> = new Set(), limit = 500_000, seen = new Set<number>(), shared?: SharedObjects): boolean {
  const stack: PdfObject[] = [...roots];
  let steps = 0;
  while (stack.length > 0) {
    if (++steps > limit * 8) return false;
    const o = stack.pop();
    if (o instanceof PdfRef) {
      if (seen.has(o.num)) continue;
      if (seen.size >= limit) return false;
      seen.add(o.num);
      const v = getObject(r, o, shared);
      visit(o.num, v);
      if (v !== null) stack.push(v);
    } else if (o instanceof PdfArray) stack.push(...o.items);
    else if (o instanceof PdfDict || o instanceof PdfStream) {
      const d = o instanceof PdfStream ? o.dict : o;
      for (const [k, v] of d.entries) if (!skip.has(k)) stack.push(v);
    }
  }
  return true;
}

/**
 * Object numbers reachable from the trailer (/Root, /Info, /Encrypt and anything else it names),
 * with the objects the graph refers to but that do not exist. `undefined` when the graph is larger
 * than the limit (the analysis then relies on the per-object comparison alone).
 */
export interface Reachable {
  reachable: Set<number>;
  dangling: Set<number>;
}

export function reachableObjects(r: PdfReader, limit = 500_000, shared?: SharedObjects): Reachable | undefined {
  const reachable = new Set<number>();
  const dangling = new Set<number>();
  const roots = [...r.trailer.entries].filter(([k]) => k !== "Prev" && k !== "XRefStm").map(([, v]) => v);
  const ok = walkGraph(r, roots, (num, v) => (v === null ? dangling.add(num) : reachable.add(num)), new Set(), limit, new Set(), shared);
  return ok ? { reachable, dangling } : undefined;
}

/** What the pages of one revision draw and what each annotation's appearance uses. */
export interface DrawnObjects {
  /** Object number -> where the page draws it from ("page 1 /Contents", "page 2 /Resources"). */
  drawn: Map<number, string>;
  /** Object number -> the annotations whose /AP uses it. */
  appearanceUsers: Map<number, Set<number>>;
}

function inheritedResources(r: PdfReader, page: PdfDict): PdfObject | undefined {
  let d: PdfDict | undefined = page;
  for (let depth = 0; d && depth < 64; depth++) {
    const res = d.get("Resources");
    if (res !== undefined) return res;
    d = r.dict(d.get("Parent"));
  }
  return undefined;
}

export function drawnObjects(r: PdfReader, shared?: SharedObjects, pageLimit = 20_000, objectLimit = 500_000): DrawnObjects {
  const drawn = new Map<number, string>();
  const appearanceUsers = new Map<number, Set<number>>();
  let pageRefs: PdfRef[] = [];
  try {
    pageRefs = r.allPageRefs(pageLimit);
  } catch {
    pageRefs = [];
  }
  const seen = new Set<number>();
  pageRefs.forEach((ref, i) => {
    const page = r.dict(ref);
    if (!page) return;
    for (const [key, value] of [["Contents", page.get("Contents")], ["Resources", inheritedResources(r, page)]] as const) {
      if (value === undefined) continue;
      walkGraph(r, [value], (num) => void (drawn.has(num) || drawn.set(num, `page ${i + 1} /${key}`)), UP, objectLimit, seen, shared);
    }
  });
  for (const ref of pageRefs) {
    const page = r.dict(ref);
    for (const a of r.array(page?.get("Annots"))?.items ?? []) {
      if (!(a instanceof PdfRef)) continue;
      const ap = r.dict(a)?.get("AP");
      if (ap === undefined) continue;
      walkGraph(r, [ap], (num) => {
        let users = appearanceUsers.get(num);
        if (!users) appearanceUsers.set(num, (users = new Set()));
        users.add(a.num);
      }, UP, objectLimit, new Set(), shared);
    }
  }
  return { drawn, appearanceUsers };
}
