import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Router } from "express";
import { RevocationCache, VerifyPool, httpFetcher, validateCertificate, type RevocationMode } from "@kyso/verify";
import type { Inbox } from "@kyso/registry";
import { AuditLog, defaultAuditPath } from "./audit.js";
import { createApp } from "./app.js";
import { Metrics } from "./metrics.js";

export interface ServerOptions {
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
  timeoutMs?: number;
  auditPath?: string;
  /**
   * Extra routers. The registry's read-only API (service/src/registry-routes.ts,
   * `registryRouter({ openRegistry, apiKey })`) is mounted here by whoever starts the server.
   */
  routers?: Router[];
  /** The inbox of received packages (@kyso/registry's Inbox); mounts /inbox and /api/v1/inbox. */
  openInbox?: () => Promise<Inbox> | Inbox;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningServer {
  server: Server;
  url: string;
  auditPath: string;
  close(): Promise<void>;
}

/** Starts the verification service; `close` stops accepting, finishes and stops the workers. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const pool = new VerifyPool({
    size: options.workers,
    maxPending: options.maxPending,
    timeoutMs: options.timeoutMs,
    trustAnchors: options.trustAnchors,
    intermediates: options.intermediates,
    revocation: options.revocation ?? "online",
    cacheDir: options.cacheDir,
  });
  const revocation = options.revocation ?? "online";
  const certCache = new RevocationCache(10 * 60_000, options.cacheDir);
  const auditPath = options.auditPath ?? defaultAuditPath();
  const audit = new AuditLog(auditPath);
  const app = createApp({ pool, audit, metrics: new Metrics(), bodyLimit: options.bodyLimit, requestTimeoutMs: options.timeoutMs ? options.timeoutMs * 2 : undefined, routers: options.routers, log: options.log, trustAnchors: options.trustAnchors, openInbox: options.openInbox,
    validateCertificate: (der, extra) =>
      validateCertificate(der, extra, { trustAnchors: options.trustAnchors ?? [], intermediates: options.intermediates, revocation, fetcher: revocation === "online" ? httpFetcher() : undefined, cache: certCache }),
  });
  const server = createServer(app);
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
    },
  };
}
