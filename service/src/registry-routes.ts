import express, { type NextFunction, type Request, type Response } from "express";
import { KysoError } from "@kyso/core";
import type { CertificateStatus, Registry } from "@kyso/registry";
import { errorMiddleware } from "./errors.js";
import { ACCESS, type Auth } from "./auth.js";
import { auditAs, recordAudit } from "./audit.js";

/**
 * Read-only registry endpoints for dashboards, for admins or an API key with `registry:read`
 * (./auth.ts; `Authorization: Bearer <key>`):
 *   GET /api/v1/registry/report?from=YYYY-MM-DD&to=YYYY-MM-DD&unit=CODE   (the JSON of `kyso certs report --json`)
 *   GET /api/v1/registry/certificates?status=&unit=&expiringWithin=DAYS   (the JSON of `kyso certs list --json`)
 * Without a principal 401, with another role or scope 403: never open by accident.
 */
export interface RegistryRouterOptions {
  openRegistry: () => Promise<Registry> | Registry;
  auth: Auth;
}

const STATUSES: readonly CertificateStatus[] = ["active", "revoked", "expired", "suspended"];

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

  const guard = options.auth.require(ACCESS.registry);
  router.use("/api/v1/registry", auditAs("registry.read"), guard, (_req: Request, res: Response, next: NextFunction) => {
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
      const report = await r.report({
        from: from ? parseDateArgument(from, "from") : undefined,
        to: to ? parseDateArgument(to, "to") : undefined,
        unit: unit || undefined,
      });
      await recordAudit(req, res, { target: "report", details: { from: from ?? null, to: to ?? null, unit: unit ?? null } });
      res.json(report);
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
      const list = await r.listCertificates({
        status: (status || undefined) as CertificateStatus | undefined,
        unit: unit || undefined,
        expiringWithinDays: within === undefined ? undefined : Number(within),
      });
      await recordAudit(req, res, { target: "certificates", details: { status: status ?? null, unit: unit ?? null, expiringWithin: within ?? null, count: list.length } });
      res.json(list);
    } catch (e) {
      next(e);
    }
  });

  // Errors of these routes through the service's one error middleware (./errors.ts), so that the
  // router answers the same way when mounted alone.
  router.use("/api/v1/registry", errorMiddleware());
  return router;
}
