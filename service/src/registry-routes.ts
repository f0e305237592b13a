import { timingSafeEqual, createHash } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import { KysoError } from "@kyso/core";
import type { CertificateStatus, Registry } from "@kyso/registry";
import { errorMiddleware } from "./errors.js";

/**
 * Read-only registry endpoints for dashboards, behind an API key:
 *   GET /api/v1/registry/report?from=YYYY-MM-DD&to=YYYY-MM-DD&unit=CODE   (the JSON of `kyso certs report --json`)
 *   GET /api/v1/registry/certificates?status=&unit=&expiringWithin=DAYS   (the JSON of `kyso certs list --json`)
 * The key comes in `X-API-Key` or `Authorization: Bearer`. No key configured: 503, so that the
 * registry is never open by accident.
 */
export interface RegistryRouterOptions {
  openRegistry: () => Promise<Registry> | Registry;
  apiKey: string | undefined;
}

const STATUSES: readonly CertificateStatus[] = ["active", "revoked", "expired", "suspended"];

/** Compares digests so that the comparison takes the same time whatever the key given. */
function sameKey(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function presentedKey(req: Request): string | undefined {
  const header = req.get("x-api-key");
  if (header) return header;
  const auth = req.get("authorization");
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return m ? m[1].trim() : undefined;
}

function badRequest(message: string): KysoError {
  return new KysoError("USAGE", message, { details: { status: 400 } });
}

function oneQueryValue(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw badRequest(`query parameter ${name} must be given once`);
  return v;
}

export function registryRouter(options: RegistryRouterOptions): express.Router {
  const router = express.Router();
  let opened: Promise<Registry> | undefined;
  const registry = (): Promise<Registry> => {
    // Open once and share; a failed open is retried on the next request.
    opened ??= Promise.resolve(options.openRegistry()).catch((e) => {
      opened = undefined;
      throw e;
    });
    return opened;
  };

  router.use("/api/v1/registry", (req: Request, res: Response, next: NextFunction) => {
    if (!options.apiKey) {
      res.status(503).json({ error: "registry API disabled", code: "REGISTRY_API_DISABLED" });
      return;
    }
    const key = presentedKey(req);
    if (!key || !sameKey(key, options.apiKey)) {
      res.status(401).set("WWW-Authenticate", 'Bearer realm="kyso registry"').json({ error: "missing or wrong API key", code: "UNAUTHORIZED" });
      return;
    }
    res.set("Cache-Control", "no-store");
    next();
  });

  router.get("/api/v1/registry/report", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const { parseDateArgument } = await import("@kyso/registry");
      const from = oneQueryValue(req, "from");
      const to = oneQueryValue(req, "to");
      const unit = oneQueryValue(req, "unit");
      const r = await registry();
      res.json(
        await r.report({
          from: from ? parseDateArgument(from, "from") : undefined,
          to: to ? parseDateArgument(to, "to") : undefined,
          unit: unit || undefined,
        }),
      );
    } catch (e) {
      next(e);
    }
  });

  router.get("/api/v1/registry/certificates", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const status = oneQueryValue(req, "status");
      const unit = oneQueryValue(req, "unit");
      const within = oneQueryValue(req, "expiringWithin");
      if (status && !STATUSES.includes(status as CertificateStatus)) throw badRequest(`status must be one of ${STATUSES.join(", ")}`);
      if (within !== undefined && !/^\d+$/.test(within)) throw badRequest("expiringWithin is a number of days");
      const r = await registry();
      res.json(
        await r.listCertificates({
          status: (status || undefined) as CertificateStatus | undefined,
          unit: unit || undefined,
          expiringWithinDays: within === undefined ? undefined : Number(within),
        }),
      );
    } catch (e) {
      next(e);
    }
  });

  // Errors of these routes through the service's one error middleware (./errors.ts), so that the
  // router answers the same way when mounted alone.
  router.use("/api/v1/registry", errorMiddleware());
  return router;
}
