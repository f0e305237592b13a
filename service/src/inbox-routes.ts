import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response } from "express";
import type { PackageReport } from "@kyso/edxml";
import type { Inbox, InboxReceipt, InboxStatus } from "@kyso/inbox";
import type { FileReport } from "@kyso/verify";
import { contentDisposition } from "./content-disposition.js";
import { errorMiddleware, httpError } from "./errors.js";
import { ACCESS, type Auth, type Principal } from "./auth.js";
import type { Upload } from "./uploads.js";
import { auditAs, callerOf, recordAudit, type Caller } from "./audit.js";

/**
 * The inbox of documents received from the axis:
 *   POST /api/v1/inbox                       an edXML package (application/xml, or ?name=x.edxml),
 *                                            or a bare PDF (application/pdf) with its metadata in the
 *                                            query (sender, senderName, documentId, number, notation,
 *                                            subject, date, name): verified, stored once per SHA-256;
 *                                            201 {id, indication, ...}, or 200 with the existing id
 *                                            when the same bytes were received before
 *   GET  /api/v1/inbox?indication=&sender=&status=&limit=&before=   newest first
 *   GET  /api/v1/inbox/:id                   the record: header fields, report, attachments, events
 *   GET  /api/v1/inbox/:id/attachments/:n    attachment n (0-based) as received, byte for byte
 *   GET  /api/v1/inbox/:id/package           the package as received
 *   POST /api/v1/inbox/:id/register {arrivalNumber}   POST /api/v1/inbox/:id/return {reason}
 *                                            (recorded under the signed-in clerk; no request header
 *                                            can name another actor)
 *   GET  /inbox                              the clerks' page (public/inbox.html)
 * Access (./auth.ts ACCESS): receiving needs a clerk or an `inbox:write` key; reading (records,
 * attachments, packages, the page) a clerk or an auditor; register/return a clerk.
 * Verification is handed in (the service's worker pool); storage is @kyso/inbox's Inbox.
 */
export interface InboxRoutesOptions {
  openInbox: () => Promise<Inbox> | Inbox;
  /** Verifies a package; `onAttachment` receives each decoded attachment's bytes. */
  verifyPackage: (input: Upload, name: string, caller: Caller, onAttachment?: (index: number, bytes: Uint8Array) => void) => Promise<PackageReport<FileReport>>;
  verifyPdf: (input: Upload, name: string, caller: Caller) => Promise<FileReport>;
  /** The request body streamed to a temporary file (bounded in size; 413 past it). */
  receiveUpload: (req: Request) => Promise<Upload>;
  /** True when the verification pool is full (the request gets 503). */
  busy: () => boolean;
  auth: Auth;
  log?: (entry: Record<string, unknown>) => void;
}

const publicDir = fileURLToPath(new URL("../public/", import.meta.url));
const STATUSES: readonly InboxStatus[] = ["received", "registered", "returned"];

function query(req: Request, name: string, max = 500): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string") throw httpError(400, "USAGE", `query parameter ${name} must be given once`);
  if (v.length > max) throw httpError(400, "USAGE", `query parameter ${name} is too long`);
  return v;
}

function idParam(value: string | undefined, what = "id"): number {
  if (!value || !/^\d{1,15}$/.test(value)) throw httpError(400, "USAGE", `${what} must be a number`);
  return Number(value);
}

const disposition = (name: string): string => contentDisposition(name, "attachment");

function receiptOfPackage(body: Buffer, sha256: string, r: PackageReport<FileReport>, attachmentBytes: Map<number, Uint8Array>): InboxReceipt {
  const h = r.header;
  return {
    kind: "edxml",
    sha256,
    body,
    senderId: h?.from.organId ?? null,
    senderName: h?.from.organName ?? h?.from.organizationInCharge ?? null,
    documentId: h?.documentId ?? null,
    codeNumber: h?.code?.codeNumber ?? null,
    codeNotation: h?.code?.codeNotation ?? null,
    subject: h?.subject ?? null,
    promulgationDate: h?.promulgationInfo?.promulgationDate ?? null,
    indication: r.indication,
    subIndication: r.subIndication,
    attachments: r.attachments.map((a) => ({ name: a.name, contentType: a.contentType, sha256: a.sha256, bytes: attachmentBytes.get(a.index)!, indication: a.report?.indication ?? null })),
    report: r,
    signedDigest: r.signedContentDigest ?? null,
  };
}

export function inboxRouter(options: InboxRoutesOptions): express.Router {
  const router = express.Router();
  const log = options.log ?? (() => undefined);
  const auth = options.auth;
  const read = auth.require(ACCESS.inboxRead);
  const act = auth.require(ACCESS.inboxAct);
  let opened: Promise<Inbox> | undefined;
  const inbox = (): Promise<Inbox> => {
    // Open (and migrate) once and share; a failed open is retried on the next request.
    opened ??= Promise.resolve(options.openInbox()).catch((e) => {
      opened = undefined;
      throw e;
    });
    return opened;
  };

  router.get("/inbox", auth.page(ACCESS.inboxRead), (_req, res) => {
    res.sendFile("inbox.html", { root: publicDir });
  });

  router.use("/api/v1/inbox", (_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  router.post("/api/v1/inbox", auditAs("inbox.receive"), auth.require(ACCESS.inboxReceive), async (req: Request, res: Response, next: NextFunction) => {
    let upload: Upload | undefined;
    try {
      const type = (req.headers["content-type"] ?? "").toLowerCase();
      const name = query(req, "name");
      const isXml = /^(application|text)\/([\w.+-]*\+)?xml/.test(type) || (!!name && /\.(edxml|xml)$/i.test(name));
      const isPdf = type.startsWith("application/pdf");
      if (!isXml && !isPdf) throw httpError(415, "UNSUPPORTED_MEDIA_TYPE", "Send an edXML package (application/xml) or a PDF (application/pdf)");
      if (options.busy()) throw httpError(503, "VERIFY_BUSY", "The service is busy; try again shortly");
      upload = await options.receiveUpload(req);
      if (upload.size === 0) throw httpError(400, "EMPTY_BODY", "The request has no document");
      const sha256 = upload.sha256;
      const store = await inbox();
      // Received before (here or by another instance): answer the record, do not verify again.
      const known = await store.findBySha256(sha256);
      if (known !== undefined) {
        const rec = await store.get(known);
        await recordAudit(req, res, { target: String(known), status: 200, details: { sha256, duplicate: true } });
        res.status(200).location(`/api/v1/inbox/${known}`).json({ id: known, indication: rec?.indication, subIndication: rec?.subIndication ?? null, duplicate: true });
        return;
      }
      const caller = callerOf(req, res);
      let receipt: InboxReceipt;
      if (isXml) {
        // The attachments are stored as the verifier decoded them, byte for byte.
        const bytes = new Map<number, Uint8Array>();
        const report = await options.verifyPackage(upload, name ?? "package.edxml", caller, (i, b) => bytes.set(i, b));
        receipt = receiptOfPackage(await upload.read(), sha256, report, bytes);
      } else {
        const report = await options.verifyPdf(upload, name ?? "document.pdf", caller);
        const body = await upload.read();
        receipt = {
          kind: "pdf",
          sha256,
          body,
          senderId: query(req, "sender", 35) ?? null,
          senderName: query(req, "senderName") ?? null,
          documentId: query(req, "documentId") ?? null,
          codeNumber: query(req, "number", 50) ?? null,
          codeNotation: query(req, "notation", 100) ?? null,
          subject: query(req, "subject", 2000) ?? null,
          promulgationDate: query(req, "date", 10) ?? null,
          indication: report.indication,
          subIndication: report.subIndication,
          attachments: [{ name: name ?? "document.pdf", contentType: "application/pdf", sha256, bytes: body, indication: report.indication }],
          report,
        };
      }
      const stored = await store.receive(receipt, actorOf(res));
      log({ msg: stored.created ? "inbox-received" : "inbox-duplicate", id: stored.id, sha256, indication: stored.indication });
      await recordAudit(req, res, { target: String(stored.id), status: stored.created ? 201 : 200, details: { sha256, kind: receipt.kind, indication: stored.indication, duplicate: !stored.created } });
      res
        .status(stored.created ? 201 : 200)
        .location(`/api/v1/inbox/${stored.id}`)
        .json({ id: stored.id, indication: stored.indication, subIndication: stored.created ? receipt.subIndication ?? null : undefined, duplicate: !stored.created });
    } catch (e) {
      next(e);
    } finally {
      void upload?.discard();
    }
  });

  router.get("/api/v1/inbox", auditAs("inbox.list"), read, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const status = query(req, "status");
      if (status && !STATUSES.includes(status as InboxStatus)) throw httpError(400, "USAGE", `status must be one of ${STATUSES.join(", ")}`);
      const limit = query(req, "limit");
      const before = query(req, "before");
      const items = await (await inbox()).list({
        indication: query(req, "indication", 40),
        sender: query(req, "sender", 200),
        status: status as InboxStatus | undefined,
        limit: limit === undefined ? undefined : idParam(limit, "limit"),
        before: before === undefined ? undefined : idParam(before, "before"),
      });
      await recordAudit(req, res, { details: { query: req.query as Record<string, unknown>, count: items.length } });
      res.json({ items });
    } catch (e) {
      next(e);
    }
  });

  router.get("/api/v1/inbox/:id", auditAs("inbox.read"), read, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const id = idParam(req.params.id as string);
      const rec = await (await inbox()).get(id);
      if (!rec) throw httpError(404, "INBOX_NOT_FOUND", `No document ${id} in the inbox`);
      await recordAudit(req, res, { details: { sha256: rec.sha256 } });
      res.json(rec);
    } catch (e) {
      next(e);
    }
  });

  router.get("/api/v1/inbox/:id/attachments/:n", auditAs("attachment.download"), read, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const id = idParam(req.params.id as string);
      const n = idParam(req.params.n as string, "n");
      const a = await (await inbox()).attachment(id, n);
      if (!a) throw httpError(404, "INBOX_NOT_FOUND", `No attachment ${n} of document ${id}`);
      await recordAudit(req, res, { target: `${id}/${n}`, details: { sha256: createHash("sha256").update(a.bytes).digest("hex"), name: a.name, size: a.bytes.length } });
      // Served as a download, never rendered on this origin whatever type the sender declared.
      res
        .status(200)
        .set("Content-Type", /^application\/pdf$/i.test(a.contentType) ? "application/pdf" : "application/octet-stream")
        .set("Content-Disposition", disposition(a.name))
        .set("X-Content-Type-Options", "nosniff")
        .set("Content-Security-Policy", "sandbox")
        .end(Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength));
    } catch (e) {
      next(e);
    }
  });

  router.get("/api/v1/inbox/:id/package", auditAs("package.download"), read, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const id = idParam(req.params.id as string);
      const body = await (await inbox()).body(id);
      if (!body) throw httpError(404, "INBOX_NOT_FOUND", `No document ${id} in the inbox`);
      await recordAudit(req, res, { details: { size: body.length } });
      res.status(200).set("Content-Type", "application/octet-stream").set("Content-Disposition", disposition(`${id}.edxml`)).set("X-Content-Type-Options", "nosniff").end(Buffer.from(body));
    } catch (e) {
      next(e);
    }
  });

  const json = express.json({ limit: "16kb" });
  router.post("/api/v1/inbox/:id/register", auditAs("inbox.register"), act, json, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const id = idParam(req.params.id as string);
      const number = (req.body as { arrivalNumber?: unknown } | undefined)?.arrivalNumber;
      if (typeof number !== "string" || number.length > 100) throw httpError(400, "USAGE", "arrivalNumber (text) is needed");
      const done = await (await inbox()).register(id, number, actorOf(res));
      await recordAudit(req, res, { details: { arrivalNumber: number } });
      res.json(done);
    } catch (e) {
      next(e);
    }
  });
  router.post("/api/v1/inbox/:id/return", auditAs("inbox.return"), act, json, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const id = idParam(req.params.id as string);
      const reason = (req.body as { reason?: unknown } | undefined)?.reason;
      if (typeof reason !== "string" || reason.length > 2000) throw httpError(400, "USAGE", "reason (text) is needed");
      const done = await (await inbox()).returnToSender(id, reason, actorOf(res));
      await recordAudit(req, res, { details: { reason } });
      res.json(done);
    } catch (e) {
      next(e);
    }
  });

  // Errors of these routes through the service's one error middleware (./errors.ts).
  router.use("/api/v1/inbox", errorMiddleware(log));
  return router;
}

/** Who acts: the authenticated principal (./auth.ts), never a client-supplied header such as X-Kyso-Actor. */
function actorOf(res: Response): string {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw httpError(401, "UNAUTHENTICATED", "Sign in first");
  return p.name;
}
