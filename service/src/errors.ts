import type { Socket } from "node:net";
import type { NextFunction, Request, Response } from "express";
import { KysoError } from "@kyso/core";

/** A KysoError that carries the HTTP status it is answered with. */
export function httpError(status: number, code: string, message: string): KysoError {
  return new KysoError(code, message, { details: { status } });
}

/** Statuses of codes that do not carry their own (details.status wins over this table). */
const STATUS_BY_CODE: Record<string, number> = {
  USAGE: 400,
  BAD_MULTIPART: 400,
  UNKNOWN_UNIT: 404,
  INBOX_NOT_FOUND: 404,
  BODY_TOO_LARGE: 413,
  VERIFY_BUSY: 503,
  VERIFY_CLOSED: 503,
  VERIFY_TIMEOUT: 504,
};

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

/**
 * The status, code and message a failure is answered with. By code, not `instanceof`: a KysoError
 * may come from another copy of @kyso/core (a loader such as tsx can load the library twice).
 * Anything that is not a coded error is a 500 whose message is not shown (it may hold internals).
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  const e = err as { code?: unknown; message?: unknown; details?: { status?: unknown }; type?: unknown; status?: unknown } | undefined;
  if (err instanceof Error && typeof e?.code === "string" && (err instanceof KysoError || e.details !== undefined || e.code in STATUS_BY_CODE)) {
    const given = e.details?.status;
    const status = typeof given === "number" && given >= 400 && given < 600 ? given : (STATUS_BY_CODE[e.code] ?? 500);
    return { status, code: e.code, message: status === 500 && !(err instanceof KysoError) ? "Internal error" : err.message };
  }
  // body-parser (express.json): a body over its limit, or JSON that does not parse.
  if (e?.type === "entity.too.large") return { status: 413, code: "BODY_TOO_LARGE", message: "Request body too large" };
  if (e?.type === "entity.parse.failed") return { status: 400, code: "USAGE", message: "The request body is not valid JSON" };
  return { status: 500, code: "INTERNAL", message: "Internal error" };
}

/**
 * The one error middleware of the service, mounted last (after every router): error codes to HTTP
 * statuses, a JSON body `{ error, code }`, `Retry-After` on 503 (RFC 9110 §10.2.3) and a closed
 * connection after 413, so that a refused body is not read to its end.
 */
export function errorMiddleware(log: (entry: Record<string, unknown>) => void = () => undefined) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const a = errorAnswer(err);
    log({ msg: "error", status: a.status, code: a.code, path: req.path });
    if (res.headersSent) {
      next(err);
      return;
    }
    if (a.status === 503) res.set("Retry-After", "1");
    // A refused body is not read on: 413 always, 503 when the body has not been read yet.
    if (a.status === 413 || a.status === 408 || (a.status === 503 && !req.complete)) closeAfter(req, res);
    res.status(a.status).json({ error: a.message, code: a.code });
  };
}

/**
 * Answers with `Connection: close` (RFC 9112 §9.6) and closes the connection once the answer is
 * out, without taking the rest of the request body. A "lingering close" (as nginx and Apache do):
 * the answer is followed by a FIN, what the client still sends for a short while is discarded, and
 * only then is the socket destroyed. Destroying it at once with unread data would send a reset that
 * can make the client lose the answer it has not read yet.
 */
const LINGER_MS = 500;
const LINGER_BYTES = 1 << 20;
export function closeAfter(req: Request, res: Response): void {
  res.set("Connection", "close");
  req.unpipe();
  const socket = req.socket as Socket & { destroySoon: () => void };
  // Node's own end of a `Connection: close` answer (destroySoon) would destroy the socket as soon
  // as the answer is flushed, with the client's unread body still arriving: replaced, for this
  // socket only, by a lingering close.
  let lingering = false;
  const linger = (): void => {
    if (lingering) return;
    lingering = true;
    socket.end();
    let discarded = 0;
    socket.on("data", (d: Buffer) => {
      discarded += d.length;
      if (discarded > LINGER_BYTES) socket.destroy();
    });
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  socket.destroySoon = linger;
  res.on("finish", linger);
}
