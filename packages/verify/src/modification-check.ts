import { KysoError } from "@kyso/core";
import { listFields, readerAtRevision, type ByteSource, type PdfDict, type PdfReader } from "@kyso/pdf";
import { classifyChanges, fieldLockFrom, isLocked, judgeChange, type Change, type FieldLock, type ModificationPolicy } from "./modifications.js";
import { reachableObjects, type Reachable, type SharedObjects } from "./modifications/graph.js";
import { revealedChange, revealedObjects } from "./modifications/trailer.js";
import type { Indication, SignatureReport, SubIndication } from "./report.js";
import { detail, warn, type ReasonCode, type ReportDetail } from "./codes.js";

/** A signature dictionary as the engine located it. */
export interface LocatedSignature {
  field: string;
  num: number;
  /** Offset of "N G obj", -1 when inside an object stream. */
  offset: number;
  dict: PdfDict;
}

/** What the modification analysis needs of the engine's per-file context. */
export interface ModificationContext {
  reader: PdfReader;
  src: ByteSource;
  /** Revision ends, oldest first. */
  ends: number[];
  /** Bytes after the last revision that no revision describes. */
  trailing: number;
  located: LocatedSignature[];
  /** Per-file caches (start them empty). */
  revisionReaders: Map<number, PdfReader | Error>;
  changes: Map<number, Change[]>;
  /** The verification options: the modification policy switches are read from them. */
  options?: object;
}

/** What it needs of the signature under test. */
export interface ModificationSubject {
  loc: LocatedSignature;
  report: SignatureReport;
  fail: [Indication, SubIndication, string, ReportDetail][];
  coveredEnd?: number;
}

type PipelineContext = ModificationContext;
type SigState = ModificationSubject;

function check(s: SigState, step: string, ok: boolean, message: string): void {
  s.report.checks.push({ step, ok, message });
}

function revisionReader(ctx: PipelineContext, end: number): PdfReader | Error {
  let r = ctx.revisionReaders.get(end);
  if (!r) {
    if (end === ctx.ends[ctx.ends.length - 1] && ctx.trailing === 0 && end === ctx.src.length) r = ctx.reader;
    else {
      try {
        r = readerAtRevision(ctx.reader, end);
      } catch (e) {
        r = e instanceof Error ? e : new Error(String(e));
      }
    }
    ctx.revisionReaders.set(end, r);
  }
  return r;
}

/** The changes of revision `i` (0-based index into ends) relative to revision i-1, cached. */
function revisionChanges(ctx: PipelineContext, i: number): Change[] {
  let c = ctx.changes.get(i);
  if (c) return c;
  const oldR = revisionReader(ctx, ctx.ends[i - 1]);
  const newR = revisionReader(ctx, ctx.ends[i]);
  if (oldR instanceof Error || newR instanceof Error) {
    c = [{ revision: i + 1, kind: "other", rule: "unreadable-revision", description: `revision ${i + 1} cannot be read: ${(oldR instanceof Error ? oldR : (newR as Error)).message}` }];
  } else {
    try {
      c = classifyChanges(oldR, newR, i + 1, shared(ctx));
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      c = [{ revision: i + 1, kind: "other", rule: "unreadable-revision", description: `revision ${i + 1} cannot be analysed: ${e.message}` }];
    }
  }
  ctx.changes.set(i, c);
  return c;
}

/**
 * The field locks of a signature: FieldMDP in its /Reference (ISO 32000-1 §12.8.2.4) and the /Lock
 * of its field (§12.7.4.5, Table 233) as the signed revision has it: a later revision that drops
 * the /Lock changes the signature field, which is itself a disallowed change.
 */
function fieldLocks(ctx: PipelineContext, s: SigState): FieldLock[] {
  const locks: FieldLock[] = [];
  for (const ref of ctx.reader.array(s.loc.dict.get("Reference"))?.items ?? []) {
    const sr = ctx.reader.dict(ref);
    if (sr?.getName("TransformMethod") !== "FieldMDP") continue;
    const l = fieldLockFrom(ctx.reader.dict(sr.get("TransformParams")), ctx.reader, "/Reference FieldMDP");
    if (l) locks.push(l);
  }
  if (s.coveredEnd !== undefined && !s.loc.field.startsWith("(no field")) {
    const rr = revisionReader(ctx, s.coveredEnd);
    if (!(rr instanceof Error)) {
      try {
        const f = listFields(rr, 10_000).find((x) => x.name === s.loc.field && x.type === "Sig");
        const l = f && fieldLockFrom(rr.dict(f.dict.get("Lock")), rr, `/Lock of field ${JSON.stringify(f.name)}`);
        if (l) locks.push(l);
      } catch (e) {
        if (!(e instanceof KysoError)) throw e;
      }
    }
  }
  return locks;
}

/** DocMDP of a certification signature (ISO 32000-1 §12.8.2.2). */
function certificationLevel(d: PdfDict, reader: PdfReader): 1 | 2 | 3 | undefined {
  for (const ref of reader.array(d.get("Reference"))?.items ?? []) {
    const sr = reader.dict(ref);
    if (sr?.getName("TransformMethod") !== "DocMDP") continue;
    const p = reader.dict(sr.get("TransformParams"))?.getNumber("P") ?? 2;
    return p === 1 || p === 3 ? p : 2;
  }
  return undefined;
}

const reachCache = new WeakMap<PdfReader, Reachable | null>();
/** Parsed objects shared by the revision readers of one file (see SharedObjects). */
const sharedObjects = new WeakMap<object, SharedObjects>();
function shared(ctx: PipelineContext): SharedObjects {
  let m = sharedObjects.get(ctx.revisionReaders);
  if (!m) sharedObjects.set(ctx.revisionReaders, (m = new Map()));
  return m;
}
function reach(ctx: PipelineContext, r: PdfReader): Reachable | undefined {
  let x = reachCache.get(r);
  if (x === undefined) reachCache.set(r, (x = reachableObjects(r, undefined, shared(ctx)) ?? null));
  return x ?? undefined;
}

/**
 * The document revision `i` describes, against the signed revision `signed` (indexes into ends):
 * objects that existed unreferenced when it was signed and are part of the document now. `seen`
 * keeps each object to the first revision that reveals it.
 */
function revealedSince(ctx: PipelineContext, signed: number, i: number, seen: Set<number>): Change[] {
  const signedR = revisionReader(ctx, ctx.ends[signed]);
  const laterR = revisionReader(ctx, ctx.ends[i]);
  if (signedR instanceof Error || laterR instanceof Error || laterR.repaired) return [];
  const a = reach(ctx, signedR);
  const b = reach(ctx, laterR);
  if (!a || !b) return [{ revision: i + 1, kind: "other", rule: "graph-too-large", description: `revision ${i + 1}: the document's object graph is too large to compare in full` }];
  const nums = revealedObjects(signedR, a, b).filter((n) => !seen.has(n));
  for (const n of nums) seen.add(n);
  return nums.length > 0 ? [revealedChange(i + 1, nums)] : [];
}

export function analyseModifications(ctx: PipelineContext, s: SigState): void {
  const r = s.report;
  const idx = (r.revision ?? 1) - 1;
  // The strictest certification at or before this signature's revision applies.
  let permission: 1 | 2 | 3 | undefined;
  const own = certificationLevel(s.loc.dict, ctx.reader);
  if (own !== undefined) {
    permission = own;
    r.modifications.certification = true;
    const perms = ctx.reader.dict(ctx.reader.catalog().get("Perms"));
    const docMdp = perms?.get("DocMDP");
    if (!(docMdp && "num" in (docMdp as object) && (docMdp as { num: number }).num === s.loc.num))
      warn(r, "CERTIFICATION_NOT_IN_PERMS", {}, "certification signature not referenced from the catalog's /Perms /DocMDP");
  }
  for (const other of ctx.located) {
    const p = certificationLevel(other.dict, ctx.reader);
    if (p === undefined || other.offset < 0 || other.offset >= (s.coveredEnd ?? 0)) continue;
    permission = permission === undefined ? p : (Math.min(permission, p) as 1 | 2 | 3);
  }
  r.modifications.permission = permission ?? "default";
  const locks = fieldLocks(ctx, s);
  if (locks.length > 0) r.modifications.fieldLocks = locks;
  const policy = (ctx.options ?? {}) as ModificationPolicy;
  const changes: (Change & { allowed: boolean; locked?: boolean })[] = [];
  const revealed = new Set<number>();
  for (let i = idx + 1; i < ctx.ends.length; i++)
    for (const c of [...revisionChanges(ctx, i), ...revealedSince(ctx, idx, i, revealed)]) {
      const lock = c.field !== undefined && c.rule !== "widget-lock-flag" && c.rule !== "field-readonly-flag" ? locks.find((l) => isLocked(c.field!, l)) : undefined;
      if (lock) {
        changes.push({ ...c, description: `${c.description}, a field locked by this signature (${lock.source}, /Action /${lock.action})`, rule: "field-locked", allowed: false, locked: true });
        continue;
      }
      const j = judgeChange(c, permission, policy);
      changes.push({ ...c, rule: j.rule, allowed: j.allowed });
      if (j.warning && !r.warnings.includes(j.warning)) warn(r, "VISIBLE_SIGNATURE_FIELD_ALLOWED", { change: c.description }, j.warning);
    }
  if (ctx.trailing > 0)
    changes.push({ revision: ctx.ends.length + 1, kind: "other", rule: "trailing-bytes", description: `${ctx.trailing} bytes after the last revision are covered by no signature and no revision`, allowed: false });
  const rank: Record<string, number> = { none: 0, metadata: 1, dss: 1, timestamp: 1, signature: 2, "form-fill": 3, annotation: 4, other: 5 };
  let level: SignatureReport["modifications"]["level"] = "none";
  for (const c of changes) if (rank[c.kind] > rank[level]) level = c.kind;
  r.modifications.level = level;
  r.modifications.changes = changes;
  const bad = changes.filter((c) => !c.allowed);
  r.modifications.allowed = bad.length === 0;
  const locked = bad.every((c) => c.locked);
  const newWidget = !locked && bad.some((c) => c.rule === "visible-widget-after-certification") && permission === 2;
  const permText = locked
    ? "the signature locks these fields"
    : newWidget
      ? "the certification allows form filling and signing, but no new visible widget or annotation"
      : permission === undefined ? "without certification only signatures, validation data and form filling are allowed" : `the certification allows ${permission === 1 ? "no changes" : permission === 2 ? "form filling and signing" : "form filling, signing and annotations"}`;
  const code: ReasonCode = locked
    ? "DISALLOWED_MODIFICATION_LOCKED_FIELDS"
    : newWidget
      ? "DISALLOWED_MODIFICATION_NEW_WIDGET"
      : permission === undefined ? "DISALLOWED_MODIFICATION_APPROVAL" : permission === 1 ? "DISALLOWED_MODIFICATION_CERTIFIED_NO_CHANGES" : permission === 2 ? "DISALLOWED_MODIFICATION_CERTIFIED_FORMS" : "DISALLOWED_MODIFICATION_CERTIFIED_ANNOTATIONS";
  check(s, "modifications", bad.length === 0, changes.length === 0 ? "No changes after signing" : bad.length === 0 ? `${changes.length} allowed change(s) after signing (${level})` : `Disallowed changes after signing (${permText}): ${bad.slice(0, 5).map((c) => c.description).join("; ")}`);
  if (bad.length > 0) {
    const message = `The document was changed after this signature in a way that is not allowed (${permText}): ${bad.slice(0, 3).map((c) => c.description).join("; ")}${bad.length > 3 ? ` and ${bad.length - 3} more` : ""}`;
    s.fail.push(["TOTAL_FAILED", "DISALLOWED_MODIFICATION", message, detail(code as "DISALLOWED_MODIFICATION_APPROVAL", { count: bad.length, changes: bad.map((c) => c.description).join("; ") }, message)]);
  }
}

