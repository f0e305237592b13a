import { resolve } from "node:path";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { applyConfig } from "../../config.js";
import { loadSenders, resolveVerifyOptions, revocationCacheDir, verifyOptionFlags, type VerifyFlagValues } from "../../verify-options.js";

export const serveCommand = defineCommand({
  command: "serve",
  describe: "Run the verification service (HTTP API and the clerks' web page)",
  builder: (y) =>
    verifyOptionFlags(y)
      .option("port", { type: "number", default: 8080, describe: "TCP port (0: any free port)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "Address to listen on (0.0.0.0 for all)" })
      .option("body-limit", { type: "number", default: 50, describe: "Largest upload in MB (413 above it)" })
      .option("workers", { type: "number", describe: "Verification worker threads (default: cores)" })
      .option("max-pending", { type: "number", default: 64, describe: "Documents in progress beyond which requests get 503 + Retry-After" })
      .option("timeout", { type: "number", default: 30, describe: "Per-document time bound in seconds" })
      .option("request-timeout", { type: "number", default: 30, describe: "Time to receive a whole request (headers and body) in seconds: a slower client gets 408 and is disconnected" })
      .option("db", { type: "string", describe: "Registry database for /api/v1/registry and the inbox (/inbox, /api/v1/inbox) (default $KYSO_DB, else sqlite:$XDG_DATA_HOME/kyso/registry.db)" })
      .option("public-verify", { type: "boolean", default: false, describe: "Let anyone use the verify page and POST /api/v1/verify without signing in" })
      .option("trust-proxy", { type: "string", describe: "Reverse proxies whose X-Forwarded-For/-Proto are believed (express 'trust proxy': loopback, an address or a comma-separated list)" })
      .option("origin", { type: "string", array: true, describe: "Public origin(s) of the service besides its own Host (e.g. https://kyso.example.gov.vn), accepted in Origin" })
      .option("senders", { type: "string", describe: "JSON file: OrganId -> the certificate its edXML packages must be signed with (sender binding; without an entry the signer's organization must match the sender's name)" })
      .option("rate-limit", { type: "string", default: "off", describe: "Requests per client (address and principal) and window, e.g. 600/min or 20/s; past it 429 + Retry-After. Counted in --db, so replicas share the budget" })
      .option("audit-log", { type: "string", describe: "Also copy each audit entry to this file (JSON lines); the audit itself is the hash-chained table in --db (kyso audit verify|list)" })
      .example("kyso serve --port 8080 --trust /etc/kyso/roots/", "Serve on port 8080 with the roots in a folder")
      .example("kyso users add lan --role clerk && kyso serve", "Users (kyso users) and API keys (kyso api-keys) live in the same --db"),
  run: async (args, io) => {
    // Defaults from the config file and KYSO_* variables, below the flags (cli/README.md).
    applyConfig(args as unknown as Record<string, unknown>, io, { keys: ["trust", "db"] });
    const { startServer, registryRouter, Auth, RateLimiter, parseRateLimit } = await import("@kyso/service");
    const rule = parseRateLimit(args.rateLimit);
    const dbSpec = args.db ?? io.env.KYSO_DB;
    const log = (entry: Record<string, unknown>): void => void io.stderr.write(JSON.stringify({ time: new Date().toISOString(), ...entry }) + "\n");
    // One connection for the inbox and the accounts (two SQLite connections in one process would
    // block each other); users, sessions and API keys are in the database, so any replica serves them.
    const { openDatabase, defaultDbSpec } = await import("@kyso/db");
    const { Inbox, INBOX_MIGRATIONS } = await import("@kyso/inbox");
    const { Accounts, ACCOUNTS_MIGRATIONS } = await import("@kyso/accounts");
    const { AuditTrail, AUDIT_MIGRATIONS } = await import("@kyso/audit");
    const db = await openDatabase(dbSpec ?? defaultDbSpec(io.env), { cwd: io.cwd, migrations: [INBOX_MIGRATIONS, ACCOUNTS_MIGRATIONS, AUDIT_MIGRATIONS] });
    // Who did what, hash-chained in the same database (appends serialised across replicas).
    const auditTrail = new AuditTrail(db);
    const accounts = new Accounts(db);
    const auth = new Auth({ accounts, publicVerify: args.publicVerify, allowedOrigins: args.origin, log });
    const registry = registryRouter({
      auth,
      openRegistry: async () => {
        const { openRegistry } = await import("@kyso/registry");
        const { defaultDbSpec } = await import("@kyso/db");
        return openRegistry(dbSpec ?? defaultDbSpec(io.env), { cwd: io.cwd });
      },
    });
    // The inbox of packages from the axis lives in the same database as the registry.
    const inbox = new Inbox(db, { actor: "kyso serve" });
    const openInbox = async (): Promise<import("@kyso/inbox").Inbox> => inbox;
    const verifyOptions = await resolveVerifyOptions(args as unknown as VerifyFlagValues, io);
    if (!(args.port >= 0 && args.port < 65536)) throw new KysoError("USAGE", "--port must be 0..65535");
    const running = await startServer({
      auth,
      trustProxy: args.trustProxy?.includes(",") ? args.trustProxy.split(",").map((a) => a.trim()) : args.trustProxy,
      port: args.port,
      host: args.host,
      trustAnchors: verifyOptions.trustAnchors,
      intermediates: verifyOptions.intermediates,
      revocation: verifyOptions.revocation,
      cacheDir: verifyOptions.revocation === "online" ? revocationCacheDir(io.env) : undefined,
      bodyLimit: Math.round(args.bodyLimit * 1024 * 1024),
      workers: args.workers,
      maxPending: args.maxPending,
      timeoutMs: args.timeout * 1000,
      requestTimeoutMs: Math.round(args.requestTimeout * 1000),
      senders: await loadSenders(args.senders as string | undefined, io.cwd),
      auditTrail,
      auditPath: args.auditLog ? resolve(io.cwd, args.auditLog) : undefined,
      log,
      routers: [registry],
      openInbox,
      rateLimiter: rule ? await RateLimiter.open(db, rule, { log }) : undefined,
    });
    io.stdout.write(`Kyso verification service on ${running.url} (audit in ${db.description}${running.auditPath ? `, copied to ${running.auditPath}` : ""})\n`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void running
          .close()
          .then(() => db.close())
          .then(done, done);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  },
});
