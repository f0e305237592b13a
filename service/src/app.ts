import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import busboy from "busboy";
import { KysoError } from "@kyso/core";
import type { FileReport, VerifyPool } from "@kyso/verify";
import type { Inbox } from "@kyso/registry";
import { looksLikeXml, verifyEdxml, type CertificateValidator, type PackageReport } from "@kyso/edxml";
import { inboxRouter } from "./inbox-routes.js";
import type { AuditLog } from "./audit.js";
import { Metrics } from "./metrics.js";
import { requestedFormat, requireSingleReport, sendReport } from "./report-response.js";

export interface AppOptions {
  pool: VerifyPool;
  audit: AuditLog;
  metrics?: Metrics;
  /** Largest request body in bytes (default 50 MB): 413 above it. */
  bodyLimit?: number;
  /** Per-request time bound in ms (default 60 s). */
  requestTimeoutMs?: number;
  /** Most files in one multipart request (default 20). */
  maxFiles?: number;
  /** Extra routers, e.g. the registry's (registryRouter from ./registry-routes.js). */
  routers?: Router[];
  /** Structured log lines (JSON); never document content. */
  log?: (entry: Record<string, unknown>) => void;
  /** Trust anchors (DER) for the XML signatures of edXML packages (the pool has its own for PDFs). */
  trustAnchors?: Uint8Array[];
  /** Chain and revocation check of an XML signer's certificate (e.g. @kyso/verify's validateCertificate). */
  validateCertificate?: CertificateValidator;
  /** The inbox of received packages (/inbox, /api/v1/inbox); without it those routes are not mounted. */
  openInbox?: () => Promise<Inbox> | Inbox;
}

const publicDir = fileURLToPath(new URL("../public/", import.meta.url));

function httpError(status: number, code: string, message: string): KysoError {
  return new KysoError(code, message, { details: { status } });
}

/** Reads the raw body with a size bound, without buffering beyond it. */
function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) return reject(httpError(413, "BODY_TOO_LARGE", `The document is larger than ${limit} bytes`));
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause();
        reject(httpError(413, "BODY_TOO_LARGE", `The document is larger than ${limit} bytes`));
        return;
      }
      parts.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

/** Reads the `file` parts of a multipart/form-data body with busboy, bounded in size and count. */
function readFiles(req: Request, limit: number, maxFiles: number): Promise<{ name: string; bytes: Buffer }[]> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: limit, files: maxFiles, fields: 20, parts: maxFiles + 20 } });
    } catch (e) {
      return reject(httpError(400, "BAD_MULTIPART", (e as Error).message));
    }
    const files: { name: string; bytes: Buffer }[] = [];
    let total = 0;
    let failed = false;
    const fail = (e: KysoError): void => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      reject(e);
    };
    bb.on("file", (field, stream, info) => {
      if (field !== "file") {
        stream.resume();
        return;
      }
      const parts: Buffer[] = [];
      stream.on("data", (c: Buffer) => {
        total += c.length;
        if (total > limit) fail(httpError(413, "BODY_TOO_LARGE", `The upload is larger than ${limit} bytes`));
        else parts.push(c);
      });
      stream.on("limit", () => fail(httpError(413, "BODY_TOO_LARGE", `A file is larger than ${limit} bytes`)));
      stream.on("end", () => files.push({ name: info.filename || "document.pdf", bytes: Buffer.concat(parts) }));
    });
    bb.on("filesLimit", () => fail(httpError(413, "TOO_MANY_FILES", `At most ${maxFiles} files per request`)));
    bb.on("error", (e) => fail(httpError(400, "BAD_MULTIPART", (e as Error).message)));
    bb.on("close", () => {
      if (!failed) resolve(files);
    });
    req.pipe(bb);
  });
}

/**
 * The verification service: POST /api/v1/verify (raw PDF -> one report; multipart `file` parts ->
 * an array), GET /healthz, GET /metrics, and the clerks' page at /. Verification itself runs in the
 * pool's worker threads; this layer only moves bytes and maps errors to statuses.
 */
export function createApp(options: AppOptions): express.Express {
  const app = express();
  const metrics = options.metrics ?? new Metrics();
  const limit = options.bodyLimit ?? 50 * 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const maxFiles = options.maxFiles ?? 20;
  const log = options.log ?? (() => undefined);
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    res.on("finish", () => metrics.response(res.statusCode));
    next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", pending: options.pool.pending, workers: options.pool.size });
  });
  app.get("/metrics", (_req, res) => {
    res.type("text/plain; version=0.0.4").send(metrics.render(options.pool.pending));
  });

  const verifyOne = async (name: string, bytes: Uint8Array, client: string | undefined): Promise<FileReport> => {
    const t0 = performance.now();
    const report = await options.pool.verify({ bytes, name });
    const ms = performance.now() - t0;
    metrics.observe(report.indication, ms / 1000);
    const rec = options.audit.record(report, ms, client);
    log({ msg: "verified", sha256: rec.sha256, size: rec.size, indication: rec.indication, subIndication: rec.subIndication, signers: rec.signers, ms: rec.ms });
    return report;
  };

  // An edXML package: its XML signature here, each PDF attachment through verifyOne (pool, audit, metrics).
  const verifyPackage = (bytes: Uint8Array, name: string, client: string | undefined, onAttachment?: (index: number, bytes: Uint8Array) => void): Promise<PackageReport<FileReport>> =>
    verifyEdxml(
      { bytes, name },
      {
        trustAnchors: options.trustAnchors,
        validateCertificate: options.validateCertificate,
        verifyPdf: (a) => verifyOne(a.name, a.bytes, client),
        onAttachment: onAttachment ? (i, a) => onAttachment(i, a.bytes) : undefined,
      },
    );
  const isPackage = (name: string, bytes: Uint8Array): boolean => /\.(edxml|xml)$/i.test(name) || looksLikeXml(bytes);

  app.post("/api/v1/verify", async (req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (!res.headersSent) next(httpError(504, "VERIFY_TIMEOUT", `Verification took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      const type = (req.headers["content-type"] ?? "").toLowerCase();
      const client = req.ip;
      // Accept: application/pdf or application/xml asks for a report a clerk can file (one PDF per request).
      const format = requestedFormat(req);
      if (type.startsWith("multipart/form-data")) {
        if (options.pool.pending >= options.pool.maxPending) throw httpError(503, "VERIFY_BUSY", "The service is busy; try again shortly");
        const files = await readFiles(req, limit, maxFiles);
        if (files.length === 0) throw httpError(400, "NO_FILE", 'No "file" part in the form');
        requireSingleReport(format, files.length, files.filter((f) => isPackage(f.name, f.bytes)).length);
        const reports = await Promise.all(files.map((f) => (isPackage(f.name, f.bytes) ? verifyPackage(f.bytes, f.name, client) : verifyOne(f.name, f.bytes, client))));
        if (res.headersSent) return;
        if (format === "json") res.json(reports);
        else await sendReport(req, res, reports[0] as FileReport, format);
      } else if (type.startsWith("application/pdf") || type.startsWith("application/octet-stream")) {
        if (options.pool.pending >= options.pool.maxPending) throw httpError(503, "VERIFY_BUSY", "The service is busy; try again shortly");
        const body = await readBody(req, limit);
        const name = typeof req.query.name === "string" ? req.query.name : "document.pdf";
        const report = await verifyOne(name, body, client);
        if (!res.headersSent) await sendReport(req, res, report, format);
      } else if (/^(application|text)\/([\w.+-]*\+)?xml/.test(type)) {
        requireSingleReport(format, 1, 1);
        if (options.pool.pending >= options.pool.maxPending) throw httpError(503, "VERIFY_BUSY", "The service is busy; try again shortly");
        const body = await readBody(req, limit);
        const name = typeof req.query.name === "string" ? req.query.name : "package.edxml";
        const report = await verifyPackage(body, name, client);
        if (!res.headersSent) res.json(report);
      } else {
        throw httpError(415, "UNSUPPORTED_MEDIA_TYPE", "Send application/pdf, application/xml (an edXML package) or multipart/form-data with file parts");
      }
    } catch (e) {
      if (!res.headersSent) next(e);
    } finally {
      clearTimeout(timer);
    }
  });

  if (options.openInbox)
    app.use(
      inboxRouter({
        openInbox: options.openInbox,
        verifyPackage,
        verifyPdf: (bytes, name, client) => verifyOne(name, bytes, client),
        readBody: (req) => readBody(req, limit),
        busy: () => options.pool.pending >= options.pool.maxPending,
        log,
      }),
    );
  for (const r of options.routers ?? []) app.use(r);
  app.use(express.static(publicDir, { index: "index.html", maxAge: "1h" }));

  // The one error middleware: error codes to HTTP statuses.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    let status = 500;
    let code = "INTERNAL";
    let message = "Internal error";
    if (err instanceof KysoError) {
      code = err.code;
      message = err.message;
      status = (err.details?.status as number | undefined) ?? (code === "VERIFY_BUSY" ? 503 : code === "USAGE" ? 400 : 500);
    } else if ((err as { type?: string }).type === "entity.too.large") {
      status = 413;
      code = "BODY_TOO_LARGE";
      message = "Request body too large";
    }
    if (status === 503) res.set("Retry-After", "1");
    log({ msg: "error", status, code, path: req.path });
    res.status(status).json({ error: message, code });
  });
  return app;
}
