import { appendFileSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { ANONYMOUS, type AuditEntry, type AuditEvent, type AuditOutcome, type AuditTrail, type Principal } from "@kyso/audit";
import type { FileReport } from "@kyso/verify";

/**
 * The service's side of the audit (@kyso/audit): every state change and every document read is
 * appended to the hash-chained `audit` table of the service's database, under the authenticated
 * principal (`res.locals.principal`, set by ./auth.ts; anonymous without one) and the client's
 * address. Routes name their action with `auditAs("inbox.register")` and record success with
 * `await recordAudit(req, res, { target, details })` before they answer; `auditRequests` (mounted
 * first) records what ends otherwise: a named action that failed or was refused, and any 401, 403
 * or 429 on any route. The JSON-lines file (`kyso serve --audit-log`) is an optional copy of the
 * same entries.
 */

/** Who asks and from where. */
export interface Caller {
  actor: Principal;
  source: string | null;
}

export function callerOf(req: Request, res: Response): Caller {
  const p = res.locals.principal as Principal | undefined;
  return { actor: p ?? ANONYMOUS, source: req.ip ?? null };
}

/** A JSON-lines copy: one line per committed entry, appended with O_APPEND (a line is one write, never interleaved). */
export class AuditFile {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, "a", 0o600));
  }

  write(entry: AuditEntry | Omit<AuditEntry, "id" | "prevHash" | "hash">): void {
    appendFileSync(this.path, JSON.stringify(entry) + "\n", { flag: "a" });
  }
}

export interface ServiceAuditOptions {
  /** The trail in the service's database (`new AuditTrail(db)`); without one, only the file copy is written. */
  trail?: AuditTrail;
  /** The JSON-lines copy, if wanted. */
  file?: string;
  log?: (entry: Record<string, unknown>) => void;
}

export class ServiceAudit {
  readonly file: AuditFile | undefined;
  private readonly log: (entry: Record<string, unknown>) => void;

  constructor(private readonly options: ServiceAuditOptions = {}) {
    this.file = options.file ? new AuditFile(options.file) : undefined;
    this.log = options.log ?? (() => undefined);
  }

  /** Appends an event; resolves once it is committed (then copied to the file). */
  async record(caller: Caller, event: Omit<AuditEvent, "actor" | "source">): Promise<void> {
    const full: AuditEvent = { ...event, actor: caller.actor, source: caller.source };
    let entry: AuditEntry | Omit<AuditEntry, "id" | "prevHash" | "hash">;
    if (this.options.trail) entry = await this.options.trail.append(full);
    else entry = { time: new Date().toISOString(), actor: full.actor, action: full.action, target: full.target ?? null, source: full.source ?? null, outcome: full.outcome, status: full.status ?? null, details: full.details ?? {} };
    try {
      this.file?.write(entry);
    } catch (e) {
      this.log({ msg: "audit-copy-failed", path: this.file?.path, code: (e as { code?: unknown }).code });
    }
  }

  /** One verified document (a PDF, or an edXML package): what and the verdict, never the content. */
  verification(caller: Caller, report: { sha256: string; size: number; indication: string; subIndication?: string | null; signatures?: FileReport["signatures"]; kind?: string }, ms: number): Promise<void> {
    const signers = (report.signatures ?? []).map((s) => s.signer?.serialNumber).filter((x): x is string => !!x);
    return this.record(caller, {
      action: "verify",
      target: report.sha256,
      outcome: "ok",
      details: { kind: report.kind ?? "pdf", size: report.size, indication: report.indication, subIndication: report.subIndication ?? null, signers, ms: Math.round(ms * 10) / 10 },
    });
  }

  /** Flushes what is queued (at shutdown). */
  async flush(): Promise<void> {
    await this.options.trail?.flush();
  }
}

/** What a route said it does (res.locals.auditState). */
interface AuditState {
  action: string;
  target: string | null;
  recorded: boolean;
  /** `action.ok` or `action.failed` by outcome (login.ok, login.failed). */
  split?: boolean;
  /** The target once the request is done (e.g. the user name from a parsed body). */
  targetOf?: (req: Request) => string | null;
}

const REFUSED = new Set([401, 403, 429]);

/**
 * Mounted first: makes the recorder available to routes and, once each answer is out, records
 * what was not recorded already: a named action that failed or was refused (outcome from the
 * status), or a refusal (401/403/429) of anything else as `access.denied` with the method and path.
 * These come after the answer; their failures are logged, not answered.
 */
export function auditRequests(audit: ServiceAudit, log: (entry: Record<string, unknown>) => void = () => undefined): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.kysoAudit = audit;
    const path = req.originalUrl.split("?")[0];
    res.on("close", () => {
      const state = res.locals.auditState as AuditState | undefined;
      if (state?.recorded) return;
      const status = res.headersSent ? res.statusCode : null;
      const refused = status !== null && REFUSED.has(status);
      if (!state && !refused) return;
      const outcome: AuditOutcome = refused ? "denied" : status !== null && status < 400 && res.writableFinished ? "ok" : "failed";
      const action = !state ? "access.denied" : state.split ? `${state.action}.${outcome === "ok" ? "ok" : "failed"}` : state.action;
      void audit
        .record(callerOf(req, res), {
          action,
          target: state ? (state.targetOf?.(req) ?? state.target) : `${req.method} ${path}`,
          outcome,
          status,
          details: state ? { method: req.method, path } : {},
        })
        .catch((e) => log({ msg: "audit-failed", action, code: (e as { code?: unknown }).code }));
    });
    next();
  };
}

/** Names the action of a route (before its access check, so that a refusal is recorded under it); the target defaults to the :id. */
export function auditAs(action: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = (req.params as Record<string, string | undefined>).id;
    res.locals.auditState = { action, target: id ?? null, recorded: false } satisfies AuditState;
    next();
  };
}

/**
 * Sign-in attempts (mounted on POST /login before the sign-in route): `login.ok` under the user
 * who signed in, or `login.failed` (denied 401/403/429, failed 400) under anonymous, with the name
 * that was tried as the target (never the password).
 */
export function auditSignIn(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const targetOf = (req: Request): string | null => {
      const name = (req.body as { name?: unknown } | undefined)?.name;
      return typeof name === "string" ? name.trim().slice(0, 64) : null;
    };
    res.locals.auditState = { action: "login", target: null, recorded: false, split: true, targetOf } satisfies AuditState;
    next();
  };
}

/**
 * Records, and waits for, an event of this request: by default the route's action (auditAs), ok,
 * with the status about to be sent. Call it before answering, so that nothing is served or
 * reported done that is not in the audit (a failed append is an error answered 500). Other events
 * of the request (e.g. login.failed) pass their own `action` and `outcome`.
 */
export async function recordAudit(
  req: Request,
  res: Response,
  event: { action?: string; target?: string | null; outcome?: AuditOutcome; status?: number | null; details?: Record<string, unknown>; actor?: Principal } = {},
): Promise<void> {
  const audit = res.locals.kysoAudit as ServiceAudit | undefined;
  const state = res.locals.auditState as AuditState | undefined;
  const action = event.action ?? state?.action;
  if (!action) throw new Error("recordAudit: no action (use auditAs or pass one)");
  if (state && action === state.action) state.recorded = true;
  if (!audit) return; // a router mounted on its own, without the service around it
  const caller = callerOf(req, res);
  await audit.record(event.actor ? { ...caller, actor: event.actor } : caller, {
    action,
    target: event.target !== undefined ? event.target : (state?.target ?? null),
    outcome: event.outcome ?? "ok",
    status: event.status !== undefined ? event.status : res.statusCode,
    details: event.details,
  });
}

/** The recorder of this request, for calls below the routes (the verification pool). */
export function auditOf(res: Response): ServiceAudit | undefined {
  return res.locals.kysoAudit as ServiceAudit | undefined;
}
