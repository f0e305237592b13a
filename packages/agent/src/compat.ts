import { KysoError, vietnamDateAndTime } from "@kyso/core";
import { parseCertificateDer } from "@kyso/cms";
import type { AgentOperations, AppearanceRequest, DocumentOutcome, SignJob } from "./operations.js";
import { STATUS, failureOf } from "./status.js";
import type { AgentAppearanceKind, TokenCertificate } from "./types.js";

/**
 * The compatible contract (VGCASignService's): one JSON message per call, named by `FunctionName`
 * (or `Function`), its fields at the top level or in `Parameters` (an object, or a JSON string as
 * some versions send it). Field names are matched without regard to case. See docs/agent-protocol.md.
 */

export const COMPAT_FUNCTIONS = ["SignApproved", "SignIssued", "SignIncome", "SignAppendix", "SignCopy", "SignPDF", "VerifyPDF", "GetCertInfo"] as const;
export type CompatFunction = (typeof COMPAT_FUNCTIONS)[number];

/** Decree 30/2020 kinds for the signing functions. */
export const COMPAT_KINDS: Record<Exclude<CompatFunction, "VerifyPDF" | "GetCertInfo">, AgentAppearanceKind> = {
  SignApproved: "personal",
  SignIssued: "organization",
  SignIncome: "incoming",
  SignAppendix: "attachment",
  SignCopy: "copy",
  SignPDF: "personal",
};

type Json = Record<string, unknown>;

/** True when a parsed message is meant for the compatible contract. */
export function isCompatMessage(m: unknown): m is Json {
  return !!m && typeof m === "object" && !Array.isArray(m) && (field(m as Json, "FunctionName") !== undefined || field(m as Json, "Function") !== undefined);
}

function field(o: Json, name: string): unknown {
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return v;
  try {
    return JSON.parse(t);
  } catch (cause) {
    throw new KysoError("AGENT_BAD_REQUEST", "A field holds a JSON text that cannot be parsed", { cause });
  }
}

/** The message's parameters: `Parameters` (object or JSON string) merged over the top-level fields. */
function parametersOf(m: Json): Json {
  const p = parseMaybeJson(field(m, "Parameters") ?? field(m, "Params"));
  if (p !== undefined && (typeof p !== "object" || p === null || Array.isArray(p))) throw new KysoError("AGENT_BAD_REQUEST", "Parameters must be an object (or a JSON text of one)");
  return { ...m, ...((p as Json | undefined) ?? {}) };
}

function str(o: Json, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = field(o, n);
    if (typeof v === "string" && v !== "") return v;
    if (typeof v === "number") return String(v);
  }
  return undefined;
}

/** MetaData as `[{Key, Value}]`, an object, or a JSON string of either. */
export function metaDataOf(p: Json): Map<string, string> {
  const raw = parseMaybeJson(field(p, "MetaData") ?? field(p, "Metadata"));
  const out = new Map<string, string>();
  if (raw === undefined || raw === null || raw === "") return out;
  if (Array.isArray(raw)) {
    for (const e of raw) {
      if (!e || typeof e !== "object") throw new KysoError("AGENT_BAD_REQUEST", "MetaData entries must be {Key, Value} objects");
      const k = field(e as Json, "Key");
      const v = field(e as Json, "Value");
      if (typeof k !== "string") throw new KysoError("AGENT_BAD_REQUEST", "A MetaData entry lacks its Key");
      if (v !== undefined && v !== null) out.set(k.toLowerCase(), String(v));
    }
  } else if (typeof raw === "object") {
    for (const [k, v] of Object.entries(raw as Json)) if (v !== undefined && v !== null) out.set(k.toLowerCase(), String(v));
  } else throw new KysoError("AGENT_BAD_REQUEST", "MetaData must be a list of {Key, Value}");
  return out;
}

function meta(md: Map<string, string>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = md.get(n.toLowerCase());
    if (v !== undefined && v !== "") return v;
  }
  return undefined;
}

/** Placement and texts from MetaData: page, rect ("x,y,w,h" in points), anchor, and the kind's own fields. */
export function appearanceFromMetaData(kind: AgentAppearanceKind, md: Map<string, string>): AppearanceRequest {
  const a: AppearanceRequest = { kind };
  const page = meta(md, "page", "Page", "PageNumber");
  if (page !== undefined) {
    const n = Number(page);
    if (!Number.isInteger(n) || n === 0) throw new KysoError("AGENT_BAD_REQUEST", `MetaData page must be a page number (1-based, -1 the last), not "${page}"`);
    a.page = n;
  }
  const rect = meta(md, "rect", "Rect");
  if (rect !== undefined) {
    const parts = rect.split(/[,\s;]+/).filter(Boolean).map(Number);
    if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) throw new KysoError("AGENT_BAD_REQUEST", `MetaData rect must be four numbers x,y,w,h in points, not "${rect}"`);
    a.rect = { x: parts[0], y: parts[1], w: parts[2], h: parts[3] };
  }
  a.anchor = meta(md, "anchor", "Anchor");
  if (kind === "personal") a.title = meta(md, "title", "ChucDanh");
  if (kind === "incoming") a.arrivalNo = meta(md, "arrivalNo", "ArrivalNumber", "SoDen", "IncomingNumber");
  if (kind === "attachment") a.docCode = meta(md, "docCode", "DocumentNumber", "SoKyHieu");
  if (kind === "copy") {
    const form = meta(md, "copyForm", "HinhThucSao");
    if (form !== undefined && !["SAO Y", "SAO LỤC", "TRÍCH SAO"].includes(form.toUpperCase()))
      throw new KysoError("AGENT_BAD_REQUEST", `MetaData copyForm must be SAO Y, SAO LỤC or TRÍCH SAO, not "${form}"`);
    a.copyForm = form?.toUpperCase() as AppearanceRequest["copyForm"];
  }
  return a;
}

export interface CompatAnswer {
  Status: number;
  Message: string;
  FileName?: string;
  FileServer?: string;
  DocumentNumber?: string;
  DocumentDate?: string;
  [more: string]: unknown;
}

function fileServerOf(answer: unknown): string | undefined {
  if (typeof answer === "string") return answer.trim() || undefined;
  if (answer && typeof answer === "object") {
    const a = answer as Json;
    const v = field(a, "FileServer") ?? field(a, "url") ?? field(a, "path") ?? field(a, "FileName");
    return typeof v === "string" ? v : undefined;
  }
  return undefined;
}

function oneAnswer(o: DocumentOutcome, md: Map<string, string>): CompatAnswer {
  if (!o.ok) return { Status: o.failure.status, Message: o.failure.message, Code: o.failure.code, FileName: o.name, ...(o.fileId !== undefined ? { FileID: o.fileId } : {}) };
  const server = o.upload ? fileServerOf(o.upload.answer) : undefined;
  const fromUpload = o.upload?.answer && typeof o.upload.answer === "object" ? (o.upload.answer as Json) : {};
  return {
    Status: STATUS.OK,
    Message: o.upload ? "Đã ký số và tải lên" : "Đã ký số",
    FileName: (typeof field(fromUpload, "FileName") === "string" ? (field(fromUpload, "FileName") as string) : undefined) ?? o.name,
    FileServer: server ?? "",
    DocumentNumber: (field(fromUpload, "DocumentNumber") as string | undefined) ?? meta(md, "DocumentNumber", "SoKyHieu", "docCode") ?? "",
    DocumentDate: (field(fromUpload, "DocumentDate") as string | undefined) ?? meta(md, "DocumentDate", "NgayBanHanh") ?? vietnamDateAndTime(new Date()).date,
    ...(o.fileId !== undefined ? { FileID: o.fileId } : {}),
    // Without FileUploadHandler the signed PDF comes back in the answer.
    ...(o.bytes ? { FileContent: Buffer.from(o.bytes).toString("base64") } : {}),
  };
}

function certificateInfo(c: TokenCertificate): Json {
  let parsed: ReturnType<typeof parseCertificateDer> | undefined;
  try {
    parsed = parseCertificateDer(c.der);
  } catch {
    parsed = undefined;
  }
  return {
    Token: c.token,
    Label: c.label,
    KeyId: c.id,
    Subject: parsed?.subject ?? "",
    CommonName: parsed?.commonName ?? "",
    Issuer: parsed?.issuer ?? "",
    SerialNumber: parsed?.serialHex ?? "",
    NotBefore: parsed?.notBefore.toISOString() ?? "",
    NotAfter: parsed?.notAfter.toISOString() ?? "",
    Base64: Buffer.from(c.der).toString("base64"),
  };
}

/** Handles one compatible-contract message from `origin`; never throws (a failure is an answer). */
export async function handleCompat(ops: AgentOperations, origin: string, message: Json): Promise<CompatAnswer> {
  const name = str(message, "FunctionName", "Function") ?? "";
  const echo: Json = { FunctionName: name };
  const requestId = field(message, "RequestId") ?? field(message, "id");
  if (requestId !== undefined) echo.RequestId = requestId;
  try {
    const fn = COMPAT_FUNCTIONS.find((f) => f.toLowerCase() === name.toLowerCase());
    if (!fn) throw new KysoError("AGENT_UNKNOWN_FUNCTION", `Unknown function "${name}" (known: ${COMPAT_FUNCTIONS.join(", ")})`);
    echo.FunctionName = fn;
    const p = parametersOf(message);
    const bearer = str(p, "JWTToken", "Token", "AccessToken");
    if (fn === "GetCertInfo") {
      const certs = await ops.certificates(origin);
      return { ...echo, Status: STATUS.OK, Message: certs.length ? `${certs.length} chứng thư số` : "Không có chứng thư số nào trên token", Certificates: certs.map(certificateInfo) };
    }
    const files = parseMaybeJson(field(p, "Files"));
    if (fn === "VerifyPDF") {
      const url = str(p, "FileName", "URL", "FileUrl");
      if (!url) throw new KysoError("AGENT_BAD_REQUEST", "VerifyPDF needs FileName (the document's URL)");
      const report = await ops.verify(origin, { url }, bearer);
      return { ...echo, Status: STATUS.OK, Message: "Đã kiểm tra", FileName: url, Report: report };
    }
    const md = metaDataOf(p);
    const uploadUrl = str(p, "FileUploadHandler", "UploadHandler", "UploadUrl");
    const documents: SignJob["documents"] = [];
    if (Array.isArray(files) && files.length > 0) {
      for (const f of files) {
        if (!f || typeof f !== "object") throw new KysoError("AGENT_BAD_REQUEST", "Files entries must be {FileID, FileName, URL}");
        const url = str(f as Json, "URL", "FileUrl", "Url");
        if (!url) throw new KysoError("AGENT_BAD_REQUEST", "A Files entry lacks its URL");
        documents.push({ url, name: str(f as Json, "FileName", "Name"), fileId: str(f as Json, "FileID", "Id"), uploadUrl: str(f as Json, "FileUploadHandler") ?? uploadUrl });
      }
    } else {
      const url = str(p, "FileName", "URL", "FileUrl");
      if (!url) throw new KysoError("AGENT_BAD_REQUEST", `${fn} needs FileName (the URL of the document) or Files`);
      documents.push({ url, name: str(p, "DisplayName", "Title") ?? undefined, uploadUrl });
    }
    const kind = COMPAT_KINDS[fn];
    const job: SignJob = {
      origin,
      operation: fn,
      documents,
      appearance: appearanceFromMetaData(kind, md),
      reason: meta(md, "reason", "LyDo"),
      location: meta(md, "location", "DiaDiem"),
      bearer,
      uploadFields: str(p, "SessionId") ? { SessionId: str(p, "SessionId") as string } : undefined,
    };
    const outcomes = await ops.sign(job);
    if (Array.isArray(files) && files.length > 0) {
      const answers = outcomes.map((o) => oneAnswer(o, md));
      const failed = answers.find((a) => a.Status !== STATUS.OK);
      return {
        ...echo,
        Status: failed ? failed.Status : STATUS.OK,
        Message: failed ? `${answers.filter((a) => a.Status !== STATUS.OK).length}/${answers.length} tệp không ký được: ${failed.Message}` : `Đã ký ${answers.length} tệp`,
        Files: answers,
      };
    }
    return { ...echo, ...oneAnswer(outcomes[0], md) };
  } catch (e) {
    const f = failureOf(e);
    return { ...echo, Status: f.status, Message: f.message, Code: f.code };
  }
}
