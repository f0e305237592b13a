import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { KysoError } from "@kyso/core";
import { WebSocketServer, type WebSocket } from "ws";
import { AuditLog } from "./audit-log.js";
import { agentEvent } from "./log-events.js";
import { handleCompat, isCompatMessage } from "./compat.js";
import { AgentOperations } from "./operations.js";
import { OriginPolicy } from "./origins.js";
import { PagePrompt } from "./page-prompt.js";
import { PairingStore } from "./pairing.js";
import { handleV1, isV1Message, V1_OPS } from "./protocol-v1.js";
import { TokenSession } from "./session.js";
import { STATUS } from "./status.js";
import type { AgentOptions, AgentPrompt, RunningAgent } from "./types.js";

const LOOPBACK = new Set(["127.0.0.1", "::1"]);

/**
 * Starts the agent: one port on loopback for the WebSocket (both protocols), `POST /v1/<op>` and the
 * confirmation page. Every connection and route checks the page's Origin against the allow-list
 * first; a refused handshake is answered 403 before any upgrade and written to the audit log.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new KysoError("AGENT_NOT_LOOPBACK", `The agent listens on loopback only (127.0.0.1), not on ${host}`);
  const policy = new OriginPolicy(options.allowedOrigins, options.originHosts ?? {}, options.allowHttp ?? false);
  const log = options.log ?? (() => undefined);
  const audit = new AuditLog(options.auditLog);
  const pairing = await PairingStore.open(options.pairingStore);
  const page = new PagePrompt(options.lang ?? "vi", log);
  const prompt: AgentPrompt = typeof options.prompt === "function" ? options.prompt(page) : (options.prompt ?? page);
  const session = new TokenSession(options.signerFactory, options.idleTimeoutMs ?? 10 * 60_000, log, {
    everyMs: options.sessionWatchMs ?? 2000,
    screenLocked: options.screenLocked,
  });
  const ops = new AgentOperations({ options, policy, pairing, prompt, session, audit, log });
  const maxMessage = options.limits?.maxMessageBytes ?? 64 * 1024 * 1024;
  const auditError = (e: unknown): void => log(agentEvent.auditFailed(e));

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void route(req, res).catch((e: unknown) => {
      log(agentEvent.requestFailed(e));
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, status: STATUS.INTERNAL, error: { code: "AGENT_INTERNAL", message: "Internal error" } }));
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessage });
  const scheme = options.tls ? "https" : "http";

  /** True when the request is addressed to this agent by a loopback name (DNS rebinding gets a foreign Host). */
  const ownHost = (req: IncomingMessage): boolean => {
    const h = String(req.headers.host ?? "").toLowerCase();
    const port = (server.address() as { port: number } | null)?.port;
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(h);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `${scheme}://127.0.0.1`);
    const origin = req.headers.origin;
    if (!ownHost(req)) {
      res.writeHead(421, { "content-type": "text/plain" }).end("Misdirected request");
      return;
    }
    // The confirmation page: its own origin only (checked on each POST by the page prompt).
    if (url.pathname.startsWith("/confirm")) {
      if (origin !== undefined && origin !== page.selfOrigin) {
        refuse(res, origin, `the confirmation page is not for other sites`);
        return;
      }
      page.handle(req, res, url);
      return;
    }
    if (url.pathname.startsWith("/v1/")) {
      const allowed = policy.check(origin);
      if (!allowed) {
        void audit.write({ origin: origin ?? "(none)", operation: `http ${url.pathname}`, outcome: "refused", code: "AGENT_ORIGIN_REFUSED" }, auditError);
        log(agentEvent.requestRefused(req.method ?? "GET", url.pathname, origin));
        refuse(res, origin, `origin ${origin ?? "(none)"} is not allowed`);
        return;
      }
      cors(res, allowed);
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-methods": "POST",
          "access-control-allow-headers": "content-type",
          "access-control-allow-private-network": "true",
          "access-control-max-age": "600",
        });
        res.end();
        return;
      }
      const op = url.pathname.slice(4);
      if (req.method !== "POST" || !(V1_OPS as readonly string[]).includes(op)) {
        json(res, 404, { v: 1, id: null, ok: false, status: STATUS.BAD_REQUEST, error: { code: "AGENT_BAD_REQUEST", message: `No such operation: ${req.method} ${url.pathname}` } });
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, maxMessage)).toString("utf8"));
      } catch (e) {
        json(res, e instanceof KysoError ? 413 : 400, { v: 1, id: null, ok: false, status: STATUS.BAD_REQUEST, error: { code: "AGENT_BAD_REQUEST", message: (e as Error).message } });
        return;
      }
      if (!body || typeof body !== "object" || Array.isArray(body)) {
        json(res, 400, { v: 1, id: null, ok: false, status: STATUS.BAD_REQUEST, error: { code: "AGENT_BAD_REQUEST", message: "The body must be a JSON object" } });
        return;
      }
      const answer = await handleV1(ops, allowed, op, body as Record<string, unknown>);
      json(res, answer.ok ? 200 : answer.status === STATUS.BAD_REQUEST ? 400 : 422, answer);
      return;
    }
    if (url.pathname === "/" && req.method === "GET") {
      if (origin !== undefined && !policy.check(origin) && origin !== page.selfOrigin) {
        refuse(res, origin, `origin ${origin} is not allowed`);
        return;
      }
      if (origin && policy.check(origin)) cors(res, origin);
      json(res, 200, { name: "kyso-agent", protocols: ["vgca", "kyso-v1"], confirm: `${page.selfOrigin}/confirm` });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
  }

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const origin = req.headers.origin;
    const allowed = ownHost(req) ? policy.check(origin) : undefined;
    if (!allowed) {
      log(agentEvent.handshakeRefused(origin));
      void audit.write({ origin: origin ?? "(none)", operation: "connect", outcome: "refused", code: "AGENT_ORIGIN_REFUSED" }, auditError);
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 18\r\n\r\nOrigin not allowed");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, allowed));
  });

  function onConnection(ws: WebSocket, origin: string): void {
    log(agentEvent.connected(origin));
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        send(ws, { Status: STATUS.BAD_REQUEST, Message: "Messages are JSON text" });
        return;
      }
      void (async () => {
        let m: unknown;
        try {
          m = JSON.parse(data.toString());
          // Some page scripts send the message JSON-encoded twice (a JSON string holding the object).
          if (typeof m === "string") m = JSON.parse(m);
        } catch {
          send(ws, { Status: STATUS.BAD_REQUEST, Message: "The message is not JSON" });
          return;
        }
        if (isV1Message(m)) send(ws, await handleV1(ops, origin, String(m.op ?? ""), m));
        else if (isCompatMessage(m)) send(ws, await handleCompat(ops, origin, m));
        else send(ws, { Status: STATUS.BAD_REQUEST, Message: 'Unknown message: give FunctionName (compatible contract) or "v": 1 with "op" (Kyso protocol)' });
      })().catch((e: unknown) => {
        log(agentEvent.messageFailed(e));
        send(ws, { Status: STATUS.INTERNAL, Message: "Internal error" });
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new KysoError("AGENT_PORT_IN_USE", `Port ${options.port ?? 8987} on ${host} is already in use (another agent running?)`, { cause: e }) : e),
    );
    server.listen(options.port ?? 8987, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  page.selfOrigin = `${scheme}://${hostPart}:${port}`;
  const httpUrl = page.selfOrigin;
  const url = `${options.tls ? "wss" : "ws"}://${hostPart}:${port}`;
  log(agentEvent.listening({ url, confirm: `${httpUrl}/confirm`, origins: policy.list() }));

  return {
    url,
    port,
    httpUrl,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await session.close();
      ops.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await audit.flush();
    },
  };
}

function send(ws: WebSocket, answer: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(answer));
}

function cors(res: ServerResponse, origin: string): void {
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "Origin");
}

function refuse(res: ServerResponse, _origin: string | undefined, why: string): void {
  res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
  res.end(`Forbidden: ${why}`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new KysoError("AGENT_BAD_REQUEST", `The request body is larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
