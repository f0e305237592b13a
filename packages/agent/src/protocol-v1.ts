import { KysoError } from "@kyso/core";
import { PADES_LEVELS, type PadesLevel } from "@kyso/sign";
import { digestAlgorithmOf, type AgentOperations, type AppearanceRequest, type DocumentOutcome, type DocumentSource, type SignJob } from "./operations.js";
import { STATUS, failureOf } from "./status.js";
import type { AgentAppearanceKind } from "./types.js";

/**
 * Kyso's own protocol, version 1: `{ v: 1, id, op, ... }` over the WebSocket, and the same
 * operations as `POST /v1/<op>` (the body is the message without `v` and `op`). Answers:
 * `{ v: 1, id, ok: true, result }` or `{ v: 1, id, ok: false, status, error: { code, message } }`.
 */

export const V1_OPS = ["sign", "signHash", "certificates", "verify", "batch"] as const;
export type V1Op = (typeof V1_OPS)[number];

type Json = Record<string, unknown>;

export interface V1Answer {
  v: 1;
  id: unknown;
  ok: boolean;
  status: number;
  result?: unknown;
  error?: { code: string; message: string };
}

const KINDS: readonly AgentAppearanceKind[] = ["personal", "organization", "incoming", "attachment", "copy", "none"];

export function isV1Message(m: unknown): m is Json {
  return !!m && typeof m === "object" && !Array.isArray(m) && (m as Json).v === 1;
}

function bad(message: string): never {
  throw new KysoError("AGENT_BAD_REQUEST", message);
}

function optString(o: Json, k: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") bad(`${k} must be a string`);
  return v;
}

function base64(o: Json, k: string): Uint8Array | undefined {
  const v = optString(o, k);
  if (v === undefined) return undefined;
  if (!/^[A-Za-z0-9+/=\s_-]*$/.test(v)) bad(`${k} must be base64`);
  return new Uint8Array(Buffer.from(v, "base64"));
}

/** `appearance`: a kind name, or `{ kind, page, rect: [x,y,w,h] | {x,y,w,h}, anchor, title, arrivalNo, docCode, copyForm }`. */
function appearanceOf(v: unknown): AppearanceRequest {
  if (v === undefined || v === null) return { kind: "none" };
  if (typeof v === "string") {
    if (!KINDS.includes(v as AgentAppearanceKind)) bad(`appearance must be one of ${KINDS.join(", ")}`);
    return { kind: v as AgentAppearanceKind };
  }
  if (typeof v !== "object" || Array.isArray(v)) bad("appearance must be a kind or an object");
  const a = v as Json;
  const kind = (a.kind ?? "personal") as AgentAppearanceKind;
  if (!KINDS.includes(kind)) bad(`appearance.kind must be one of ${KINDS.join(", ")}`);
  let rect: AppearanceRequest["rect"];
  if (Array.isArray(a.rect)) {
    const [x, y, w, h] = a.rect.map(Number);
    rect = { x, y, w, h };
  } else if (a.rect && typeof a.rect === "object") {
    const r = a.rect as Json;
    rect = { x: Number(r.x), y: Number(r.y), w: Number(r.w), h: Number(r.h) };
  }
  if (rect && [rect.x, rect.y, rect.w, rect.h].some((n) => !Number.isFinite(n))) bad("appearance.rect must be four numbers [x, y, w, h]");
  if (a.page !== undefined && typeof a.page !== "number") bad("appearance.page must be a number");
  return {
    kind, rect, page: a.page as number | undefined,
    anchor: optString(a, "anchor"), title: optString(a, "title"), arrivalNo: optString(a, "arrivalNo"), docCode: optString(a, "docCode"),
    copyForm: optString(a, "copyForm") as AppearanceRequest["copyForm"],
  };
}

function documentOf(d: unknown): DocumentSource {
  if (!d || typeof d !== "object" || Array.isArray(d)) bad("a document must be an object {name, url | data, uploadUrl}");
  const o = d as Json;
  const doc: DocumentSource = { name: optString(o, "name"), url: optString(o, "url"), bytes: base64(o, "data"), uploadUrl: optString(o, "uploadUrl"), fileId: optString(o, "fileId") };
  if (!doc.url && !doc.bytes) bad("a document needs url or data (base64)");
  if (doc.url && doc.bytes) bad("give a document's url or its data, not both");
  return doc;
}

function levelOf(v: unknown): PadesLevel | undefined {
  if (v === undefined || v === null) return undefined;
  if (!PADES_LEVELS.includes(v as PadesLevel)) bad(`level must be one of ${PADES_LEVELS.join(", ")}`);
  return v as PadesLevel;
}

function outcomeResult(o: DocumentOutcome): Json {
  if (!o.ok) return { name: o.name, fileId: o.fileId, ok: false, status: o.failure.status, error: { code: o.failure.code, message: o.failure.message } };
  return {
    name: o.name, fileId: o.fileId, ok: true, sha256: o.sha256, signedSha256: o.signedSha256, signer: o.signer,
    ...(o.bytes ? { data: Buffer.from(o.bytes).toString("base64") } : {}),
    ...(o.upload ? { upload: { httpStatus: o.upload.status, answer: o.upload.answer } } : {}),
  };
}

/** Runs one v1 operation; never throws (a failure is an answer). */
export async function handleV1(ops: AgentOperations, origin: string, op: string, m: Json): Promise<V1Answer> {
  const id = m.id ?? null;
  try {
    if (!V1_OPS.includes(op as V1Op)) bad(`Unknown op "${op}" (known: ${V1_OPS.join(", ")})`);
    let result: unknown;
    switch (op as V1Op) {
      case "certificates": {
        const certs = await ops.certificates(origin);
        result = { certificates: certs.map((c) => ({ token: c.token, label: c.label, id: c.id, der: Buffer.from(c.der).toString("base64") })) };
        break;
      }
      case "verify": {
        const doc = documentOf(m.document ?? m);
        result = { report: await ops.verify(origin, doc, optString(m, "bearer")) };
        break;
      }
      case "signHash": {
        const digest = base64(m, "digest") ?? bad("signHash needs digest (base64)");
        const alg = digestAlgorithmOf(m.digestAlgorithm ?? "SHA-256");
        const lengths: Record<string, number> = { "SHA-1": 20, "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };
        if (digest.length !== lengths[alg]) bad(`digest must be ${lengths[alg]} bytes for ${alg} (got ${digest.length})`);
        const out = await ops.signHash(origin, digest, alg, optString(m, "name") ?? "hash");
        result = { cms: Buffer.from(out.cms).toString("base64"), certificate: Buffer.from(out.certificate).toString("base64") };
        break;
      }
      case "sign":
      case "batch": {
        const list = op === "batch" ? m.documents : [m.document ?? { name: m.name, url: m.url, data: m.data, uploadUrl: m.uploadUrl }];
        if (!Array.isArray(list) || list.length === 0) bad("batch needs documents: [{name, url | data, uploadUrl}]");
        const tsa = m.tsa === undefined ? undefined : Array.isArray(m.tsa) ? m.tsa.map(String) : [String(m.tsa)];
        const job: SignJob = {
          origin, operation: op, documents: list.map(documentOf), appearance: appearanceOf(m.appearance),
          reason: optString(m, "reason"), location: optString(m, "location"), level: levelOf(m.level), tsaUrls: tsa, bearer: optString(m, "bearer"),
        };
        const outcomes = await ops.sign(job);
        if (op === "sign") {
          const o = outcomes[0];
          if (!o.ok) return { v: 1, id, ok: false, status: o.failure.status, error: { code: o.failure.code, message: o.failure.message } };
          result = outcomeResult(o);
        } else {
          const failed = outcomes.filter((o) => !o.ok).length;
          result = { signed: outcomes.length - failed, failed, documents: outcomes.map(outcomeResult) };
          if (failed) return { v: 1, id, ok: false, status: (outcomes.find((o) => !o.ok) as { failure: { status: number } }).failure.status, result, error: { code: "AGENT_BATCH_PARTIAL", message: `${failed} of ${outcomes.length} documents were not signed` } };
        }
        break;
      }
    }
    return { v: 1, id, ok: true, status: STATUS.OK, result };
  } catch (e) {
    const f = failureOf(e);
    return { v: 1, id, ok: false, status: f.status, error: { code: f.code, message: f.message } };
  }
}
