import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import express, { type Request, type Response } from "express";
import { samples } from "../layout.js";
import { boundaryOf, parseMultipart } from "./multipart.js";
import { docsysPage, DOCSYS_SCRIPT } from "./page.js";
import { docsysTls } from "./tls.js";

/**
 * A demo document-management system ("hệ thống quản lý văn bản"): a list of documents, a "Ký số"
 * button per document and "Ký tất cả", calling the local signing agent from the browser with the
 * compatible contract (VGCASignService's), receiving the signed file as multipart `uploadfile`
 * and showing the result. For tests and the README; test material only.
 */
export interface DocsysDocument {
  id: string;
  /** Shown in the list. */
  title: string;
  /** The PDF served for signing. */
  file: string;
}

export interface DocsysOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** HTTPS with a certificate from the test intermediate (default true); false: plain http. */
  https?: boolean;
  /** The agent's WebSocket URL; a page may override it with `?agent=`. Default wss://127.0.0.1:8987. */
  agentUrl?: string;
  documents?: DocsysDocument[];
  /** Where uploads are written (default a new temp directory). */
  dataDir?: string;
}

export interface DocsysUpload {
  docId: string;
  fileName: string;
  path: string;
  size: number;
  sessionId?: string;
  /** True when the upload carried this page's JWTToken as `Authorization: Bearer`. */
  authorized: boolean;
}

export interface RunningDocsys {
  /** `https://127.0.0.1:PORT` (the origin to allow in the agent). */
  url: string;
  port: number;
  dataDir: string;
  uploads: DocsysUpload[];
  close(): Promise<void>;
}

/** The sample documents: a one-page document, a provincial decision, an already signed one. */
export function defaultDocuments(): DocsysDocument[] {
  return [
    { id: "cong-van-01", title: "Công văn về việc kiểm tra công tác văn thư", file: samples.onePage },
    { id: "quyet-dinh-123", title: "Quyết định số 123/QĐ-UBND", file: samples.vietnamese },
    { id: "da-ky-01", title: "Văn bản đã có chữ ký lãnh đạo", file: samples.presignedPdfsig },
  ];
}

export async function startDocsys(options: DocsysOptions = {}): Promise<RunningDocsys> {
  const documents = options.documents ?? defaultDocuments();
  const byId = new Map(documents.map((d) => [d.id, d]));
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "kyso-docsys-"));
  await fs.mkdir(join(dataDir, "signed"), { recursive: true });
  const uploads: DocsysUpload[] = [];
  // The page's "JWT": one random session token per server, checked on every download and upload.
  const jwt = randomBytes(18).toString("base64url");
  const agentUrl = options.agentUrl ?? "wss://127.0.0.1:8987";
  const useHttps = options.https ?? true;
  let origin = "";

  const bearerOk = (req: Request): boolean => req.headers.authorization === `Bearer ${jwt}`;

  const app = express();
  app.disable("x-powered-by");
  app.get("/", (req, res) => {
    const agent = typeof req.query.agent === "string" && /^wss?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(req.query.agent) ? req.query.agent : agentUrl;
    res.type("html").send(docsysPage({ documents, agentUrl: agent, origin, jwt }));
  });
  app.get("/app.js", (_req, res) => {
    res.type("text/javascript").send(DOCSYS_SCRIPT);
  });
  app.get("/files/:id", (req, res) => {
    const d = byId.get(String(req.params.id));
    if (!d) return void res.status(404).send("Không có văn bản này");
    if (!bearerOk(req)) return void res.status(401).send("Thiếu hoặc sai JWTToken");
    res.type("application/pdf").setHeader("content-disposition", `attachment; filename="${d.id}.pdf"`);
    res.send(readFileSync(d.file));
  });
  app.post("/upload/:id", express.raw({ type: "multipart/form-data", limit: "64mb" }), (req: Request, res: Response) => {
    const d = byId.get(String(req.params.id));
    if (!d) return void res.status(404).json({ Status: 1, Message: "Không có văn bản này" });
    const authorized = bearerOk(req);
    if (!authorized) return void res.status(401).json({ Status: 1, Message: "Thiếu hoặc sai JWTToken" });
    const boundary = boundaryOf(req.headers["content-type"]);
    const parts = boundary && Buffer.isBuffer(req.body) ? parseMultipart(req.body, boundary) : [];
    const file = parts.find((p) => p.name === "uploadfile");
    if (!file || file.data.subarray(0, 5).toString("latin1") !== "%PDF-") return void res.status(400).json({ Status: 1, Message: "Thiếu tệp uploadfile (PDF)" });
    const n = uploads.filter((u) => u.docId === d.id).length + 1;
    const name = `${d.id}.signed-${n}.pdf`;
    const path = join(dataDir, "signed", name);
    void fs
      .writeFile(path, file.data)
      .then(() => {
        const sessionId = parts.find((p) => p.name === "SessionId")?.data.toString("utf8");
        uploads.push({ docId: d.id, fileName: file.filename ?? name, path, size: file.data.length, sessionId, authorized });
        res.json({ Status: 0, FileName: name, FileServer: `${origin}/signed/${encodeURIComponent(name)}`, DocumentNumber: d.id === "quyet-dinh-123" ? "123/QĐ-UBND" : "" });
      })
      .catch((e: Error) => res.status(500).json({ Status: 1, Message: e.message }));
  });
  app.get("/signed/:name", (req, res) => {
    const name = basename(String(req.params.name));
    if (!uploads.some((u) => basename(u.path) === name)) return void res.status(404).send("Không có tệp này");
    res.type("application/pdf").sendFile(join(dataDir, "signed", name));
  });

  const server: HttpsServer | HttpServer = useHttps ? createHttpsServer(docsysTls(), app) : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  origin = `${useHttps ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    url: origin,
    port,
    dataDir,
    uploads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
