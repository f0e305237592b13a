import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from "express";
import type { FileReport, VerifyPool } from "@kyso/verify";
import { flatTexts } from "@kyso/verify/texts";
import { looksLikeXml, type PackageReport } from "@kyso/edxml";
import type { EdxmlJobParams, EdxmlJobResult } from "./edxml-job.js";
import { errorMiddleware, httpError } from "./errors.js";
import { securityHeaders } from "./security-headers.js";
import { discardAll, receiveBody, receiveFiles, type Upload } from "./uploads.js";
import { inboxRouter, type InboxRoutesOptions } from "./inbox-routes.js";
import { ACCESS, type Auth } from "./auth.js";
import { authRouter } from "./auth-routes.js";
import { auditAs, auditRequests, auditSignIn, callerOf, type Caller, type ServiceAudit } from "./audit.js";
import { Metrics } from "./metrics.js";
import { requestedFormat, requireSingleReport, sendReport } from "./report-response.js";

export interface AppOptions {
  pool: VerifyPool;
  /** Who may do what (./auth.ts): every route but /healthz, /metrics and the sign-in page needs a principal. */
  auth: Auth;
  /**
   * Express's `trust proxy` (e.g. "loopback" or the proxy's address): only then are
   * X-Forwarded-For/-Proto believed, for the client address and `Secure` cookies behind TLS.
   */
  trustProxy?: string | string[];
  /** The audit (./audit.ts): every verification, inbox and registry action, and every refusal, under the principal. */
  audit: ServiceAudit;
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
  /** Settings of the edXML package check, sent to each worker job (plain data, e.g. `senders`). */
  edxmlOptions?: EdxmlJobParams;
  /** The inbox of received packages (/inbox, /api/v1/inbox); without it those routes are not mounted. */
  openInbox?: InboxRoutesOptions["openInbox"];
  /** Per-client rate limits (./rate-limit.ts `rateLimit(limiter)`), counted after the principal is known. */
  rateLimit?: RequestHandler;
}

const publicDir = fileURLToPath(new URL("../public/", import.meta.url));
/** Reasons (r:), warnings (w:), timestamp problems (tp:), revocation reasons (rr:) and change kinds (kind:), by language. */
const verifyTexts = { vi: flatTexts("vi"), en: flatTexts("en") };

/**
 * The verification service: POST /api/v1/verify (raw PDF -> one report; multipart `file` parts ->
 * an array), GET /healthz, GET /metrics, and the clerks' page at / (its texts of the report's codes
 * at GET /i18n/verify-texts.json). Verification itself runs in the pool's worker threads; this
 * layer only moves bytes and maps errors to statuses.
 */
export function createApp(options: AppOptions): express.Express {
  const app = express();
  const metrics = options.metrics ?? new Metrics();
  const limit = options.bodyLimit ?? 50 * 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const maxFiles = options.maxFiles ?? 20;
  const log = options.log ?? (() => undefined);
  const pool = options.pool;
  const auth = options.auth;
  app.disable("x-powered-by");
  if (options.trustProxy !== undefined) app.set("trust proxy", options.trustProxy);
  app.use(securityHeaders());
  app.use((_req, res, next) => {
    res.on("finish", () => metrics.response(res.statusCode));
    next();
  });
  // First, so that every refusal below (cross-origin, sign-in, roles) is in the audit too.
  app.use(auditRequests(options.audit, log));
  app.post("/login", auditSignIn());
  app.post("/logout", auditAs("logout"));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", pending: pool.pending, workers: pool.size });
  });
  app.get("/metrics", (_req, res) => {
    res.type("text/plain; version=0.0.4").send(metrics.render(pool.pending));
  });
  // Past this point: a cross-origin state change is refused, and the principal is resolved.
  app.use(auth.sameOrigin);
  app.use(auth.authenticate);
  if (options.rateLimit) app.use(options.rateLimit);
  app.use(authRouter(auth, log));

  // Each verified document is in the audit (under the caller) before its report is answered.
  const recordPdf = async (report: FileReport, ms: number, caller: Caller): Promise<void> => {
    metrics.observe(report.indication, ms / 1000);
    const signers = report.signatures.map((s) => s.signer?.serialNumber).filter((x): x is string => !!x);
    log({ msg: "verified", sha256: report.sha256, size: report.size, indication: report.indication, subIndication: report.subIndication, signers, ms: Math.round(ms * 10) / 10 });
    await options.audit.verification(caller, report, ms);
  };
  const verifyOne = async (input: Upload | Uint8Array, name: string, caller: Caller): Promise<FileReport> => {
    const t0 = performance.now();
    const report = await pool.verify(input instanceof Uint8Array ? { bytes: input, name } : { path: input.path, name });
    if (!(input instanceof Uint8Array)) {
      // The worker read the file; the name shown is the client's, never the temporary path.
      report.file = name;
    }
    await recordPdf(report, performance.now() - t0, caller);
    return report;
  };
  // An edXML package: parsed, its XML signature and its PDFs checked in one worker job (the "edxml"
  // job of ./edxml-job.ts); each PDF's report then goes to the audit and the metrics.
  const verifyPackage = async (input: Upload | Uint8Array, name: string, caller: Caller, onAttachment?: (index: number, bytes: Uint8Array) => void): Promise<PackageReport<FileReport>> => {
    const t0 = performance.now();
    let out: EdxmlJobResult;
    try {
      out = await pool.run<EdxmlJobResult>("edxml", input instanceof Uint8Array ? { bytes: input, name } : { path: input.path, name }, { params: options.edxmlOptions });
    } catch (e) {
      if ((e as { code?: unknown }).code !== "JOB_BOUND") throw e;
      const bound = boundPackageReport(input, name, (e as Error).message);
      await options.audit.verification(caller, { ...bound, kind: "edxml" }, performance.now() - t0);
      return bound;
    }
    out.report.file = name;
    const ms = performance.now() - t0;
    for (const a of out.report.attachments) if (a.report) await recordPdf(a.report, ms, caller);
    await options.audit.verification(caller, { ...out.report, kind: "edxml", signatures: undefined }, ms);
    if (onAttachment) for (const [i, b] of out.attachments) onAttachment(i, b);
    return out.report;
  };
  const isPackage = (u: Upload): boolean => /\.(edxml|xml)$/i.test(u.name ?? "") || looksLikeXml(u.head);
  // Overload is answered before a byte of the body is read (RFC 9110 §15.6.4, with Retry-After).
  const refuseWhenBusy = (): void => {
    if (pool.full) throw httpError(503, "VERIFY_BUSY", "The service is busy; try again shortly");
  };

  app.post("/api/v1/verify", auth.require(auth.verifyAccess), async (req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (!res.headersSent) next(httpError(504, "VERIFY_TIMEOUT", `Verification took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    const uploads: Upload[] = [];
    try {
      const type = (req.headers["content-type"] ?? "").toLowerCase();
      const caller = callerOf(req, res);
      // Accept: application/pdf or application/xml asks for a report a clerk can file (one PDF per request).
      const format = requestedFormat(req);
      const name = typeof req.query.name === "string" ? req.query.name : undefined;
      if (type.startsWith("multipart/form-data")) {
        refuseWhenBusy();
        uploads.push(...(await receiveFiles(req, limit, maxFiles)));
        if (uploads.length === 0) throw httpError(400, "NO_FILE", 'No "file" part in the form');
        requireSingleReport(format, uploads.length, uploads.filter(isPackage).length);
        const reports = await Promise.all(uploads.map((f) => (isPackage(f) ? verifyPackage(f, f.name!, caller) : verifyOne(f, f.name!, caller))));
        if (res.headersSent) return;
        if (format === "json") res.json(reports);
        else await sendReport(req, res, reports[0] as FileReport, format);
      } else if (type.startsWith("application/pdf") || type.startsWith("application/octet-stream")) {
        refuseWhenBusy();
        const upload = await receiveBody(req, limit, name);
        uploads.push(upload);
        const report = await verifyOne(upload, name ?? "document.pdf", caller);
        if (!res.headersSent) await sendReport(req, res, report, format);
      } else if (/^(application|text)\/([\w.+-]*\+)?xml/.test(type)) {
        requireSingleReport(format, 1, 1);
        refuseWhenBusy();
        const upload = await receiveBody(req, limit, name);
        uploads.push(upload);
        const report = await verifyPackage(upload, name ?? "package.edxml", caller);
        if (!res.headersSent) res.json(report);
      } else {
        throw httpError(415, "UNSUPPORTED_MEDIA_TYPE", "Send application/pdf, application/xml (an edXML package) or multipart/form-data with file parts");
      }
    } catch (e) {
      if (!res.headersSent) next(e);
    } finally {
      clearTimeout(timer);
      void discardAll(uploads);
    }
  });

  if (options.openInbox)
    app.use(
      inboxRouter({
        openInbox: options.openInbox,
        verifyPackage,
        verifyPdf: (input, name, caller) => verifyOne(input, name, caller),
        receiveUpload: (req) => receiveBody(req, limit),
        busy: () => pool.full,
        auth,
        log,
      }),
    );
  for (const r of options.routers ?? []) app.use(r);
  // The pages (not their scripts and styles, which the sign-in page needs too) behind sign-in.
  app.get(["/", "/index.html"], auth.page(auth.verifyAccess));
  app.get("/inbox.html", auth.page(ACCESS.inboxRead));
  // The texts of a report's codes for the verify page (app.js), from their one source; open like the scripts.
  app.get("/i18n/verify-texts.json", (_req, res) => {
    res.set("cache-control", "public, max-age=3600").json(verifyTexts);
  });
  app.use(express.static(publicDir, { index: "index.html", maxAge: "1h" }));
  app.use((req, _res, next) => next(httpError(404, "NOT_FOUND", `No such resource: ${req.method} ${req.path}`)));
  app.use(errorMiddleware(log));
  return app;
}

/** A package whose job went past its time or memory bound still gets a report (INDETERMINATE). */
function boundPackageReport(input: Upload | Uint8Array, name: string, why: string): PackageReport<FileReport> {
  return {
    kind: "edxml-package",
    file: name,
    sha256: input instanceof Uint8Array ? createHash("sha256").update(input).digest("hex") : input.sha256,
    size: input instanceof Uint8Array ? input.length : input.size,
    indication: "INDETERMINATE",
    subIndication: "FORMAT_FAILURE",
    reasons: [why],
    header: null,
    traces: [],
    xmlSignature: null,
    senderBinding: null,
    signedContentDigest: null,
    attachments: [],
    error: { code: "JOB_BOUND", message: why },
    warnings: [],
    validationTime: new Date().toISOString(),
  };
}
