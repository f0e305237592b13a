import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Router } from "express";
import type { ExpectedSender } from "@kyso/edxml";
import { VerifyPool, type RevocationMode } from "@kyso/verify";
import type { AuditTrail } from "@kyso/audit";
import { ServiceAudit } from "./audit.js";
import { createApp, type AppOptions } from "./app.js";
import { edxmlJobModule } from "./edxml-job.js";
import { Metrics } from "./metrics.js";
import { rateLimit, type RateLimiter } from "./rate-limit.js";
import type { Auth } from "./auth.js";

export interface ServerOptions {
  /** Who may do what (./auth.ts `new Auth({ accounts, publicVerify })`); required: nothing is open by accident. */
  auth: Auth;
  /** Express's `trust proxy`: the reverse proxies whose X-Forwarded-For/-Proto are believed. */
  trustProxy?: string | string[];
  port?: number;
  host?: string;
  trustAnchors?: Uint8Array[];
  /** Certificates that only help build paths (the trust store's intermediates). */
  intermediates?: Uint8Array[];
  /** Default `online`: a revoked signer is never shown valid. */
  revocation?: RevocationMode;
  /** Folder of the on-disk revocation cache (default: memory only). */
  cacheDir?: string;
  bodyLimit?: number;
  workers?: number;
  maxPending?: number;
  /** Per-document time bound of a worker job in ms (default 30 s). */
  timeoutMs?: number;
  /**
   * Time to receive a whole request, headers and body, in ms (default 30 s): a slower client gets
   * 408 and its connection is closed (slowloris, slow bodies). Headers alone get the smaller of this
   * and 20 s.
   */
  requestTimeoutMs?: number;
  /**
   * Who each sender is (edXML sender binding, issue 12): OrganId -> the certificate its packages
   * must be signed with. Without an entry the signer's organization must be the sender's name.
   */
  senders?: Record<string, ExpectedSender>;
  /** Per-worker heap bound in MB (default 512). */
  maxHeapMb?: number;
  /** The hash-chained audit in the service's database (`new AuditTrail(db)` of @kyso/audit): every state change and document read. */
  auditTrail?: AuditTrail;
  /** An optional JSON-lines copy of the same audit entries (`kyso serve --audit-log`). */
  auditPath?: string;
  /**
   * Extra routers. The registry's read-only API (service/src/registry-routes.ts,
   * `registryRouter({ openRegistry, auth })`) is mounted here by whoever starts the server.
   */
  routers?: Router[];
  /** The inbox of received packages (@kyso/registry's Inbox); mounts /inbox and /api/v1/inbox. */
  openInbox?: AppOptions["openInbox"];
  /** Per-client rate limits with counters in the database (./rate-limit.ts `RateLimiter.open(db, rule)`), shared by replicas. */
  rateLimiter?: RateLimiter;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningServer {
  server: Server;
  url: string;
  /** The JSON-lines copy of the audit, when one is written. */
  auditPath: string | undefined;
  close(): Promise<void>;
}

/** Starts the verification service; `close` stops accepting, finishes and stops the workers. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const pool = new VerifyPool({
    size: options.workers,
    maxPending: options.maxPending,
    timeoutMs: options.timeoutMs,
    trustAnchors: options.trustAnchors,
    intermediates: options.intermediates,
    revocation: options.revocation ?? "online",
    cacheDir: options.cacheDir,
    maxHeapMb: options.maxHeapMb,
    // edXML packages are parsed and verified in the same workers as PDFs, never on the event loop.
    jobModules: { edxml: edxmlJobModule },
  });
  const auditPath = options.auditPath;
  const audit = new ServiceAudit({ trail: options.auditTrail, file: auditPath, log: options.log });
  const app = createApp({ pool, audit, auth: options.auth, trustProxy: options.trustProxy, metrics: new Metrics(), bodyLimit: options.bodyLimit, requestTimeoutMs: options.timeoutMs ? options.timeoutMs * 2 : undefined, routers: options.routers, log: options.log, openInbox: options.openInbox, rateLimit: options.rateLimiter ? rateLimit(options.rateLimiter, options.log) : undefined, edxmlOptions: options.senders ? { senders: options.senders } : undefined });
  // Node's own bounds on receiving a request (checked every connectionsCheckingInterval): past
  // them the server answers 408 and closes the connection, on every route.
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(requestTimeout, 20_000), connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(requestTimeout / 4))) }, app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    auditPath,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
      await audit.flush();
    },
  };
}
