import { resolve } from "node:path";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { applyConfig } from "../../config.js";
import { loadSenders, resolveVerifyOptions, revocationCacheDir, verifyOptionFlags, type VerifyFlagValues } from "../../verify-options.js";
import { t } from "../../messages/index.js";

export const serveCommand = defineCommand({
  command: "serve",
  describe: "serve.describe",
  builder: (y) =>
    verifyOptionFlags(y)
      .option("port", { type: "number", default: 8080, describe: t("serve.opt.port") })
      .option("host", { type: "string", default: "127.0.0.1", describe: t("serve.opt.host") })
      .option("body-limit", { type: "number", default: 50, describe: t("serve.opt.body-limit") })
      .option("workers", { type: "number", describe: t("serve.opt.workers") })
      .option("max-pending", { type: "number", default: 64, describe: t("serve.opt.max-pending") })
      .option("timeout", { type: "number", default: 30, describe: t("serve.opt.timeout") })
      .option("request-timeout", { type: "number", default: 30, describe: t("serve.opt.request-timeout") })
      .option("db", { type: "string", describe: t("serve.opt.db") })
      .option("public-verify", { type: "boolean", default: false, describe: t("serve.opt.public-verify") })
      .option("trust-proxy", { type: "string", describe: t("serve.opt.trust-proxy") })
      .option("origin", { type: "string", array: true, describe: t("serve.opt.origin") })
      .option("senders", { type: "string", describe: t("serve.opt.senders") })
      .option("rate-limit", { type: "string", default: "off", describe: t("serve.opt.rate-limit") })
      .option("audit-log", { type: "string", describe: t("serve.opt.audit-log") })
      .example(t("serve.example.1.cmd"), t("serve.example.1.text"))
      .example(t("serve.example.2.cmd"), t("serve.example.2.text")),
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
    if (!(args.port >= 0 && args.port < 65536)) throw new KysoError("USAGE", t("serve.err.port"));
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
    io.stdout.write(`${t("serve.out.listening", { url: running.url, db: db.description, copy: running.auditPath ? t("serve.out.copy", { path: running.auditPath }) : "" })}\n`);
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
