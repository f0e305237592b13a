import { timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Accounts, Principal, Role, Scope } from "@kyso/accounts";
import { closeAfter, httpError } from "./errors.js";

export type { Principal };

/**
 * Authentication and authorization of the service. Every request is resolved to a principal once
 * (`authenticate`): an API key in `Authorization: Bearer` (RFC 6750 §2.1), else the session cookie.
 * Routes then `require` an access rule: no principal is 401, a principal without the role or scope
 * is 403, and a session's state-changing request must carry its CSRF token. `sameOrigin` refuses
 * every state-changing request whose Origin (or, without one, Referer) is another origin (OWASP
 * CSRF Prevention Cheat Sheet, "Verifying Origin with standard headers").
 *
 * `res.locals.principal` is the authenticated party for every later handler (the audit reads it);
 * who did something is always this principal, never a request header.
 */
export interface Access {
  /** Users with one of these roles. */
  roles?: readonly Role[];
  /** API keys with one of these scopes. */
  scopes?: readonly Scope[];
  /** Anyone, signed in or not (the principal is still resolved when credentials come). */
  public?: boolean;
}

/** The access rules of the service's routes. */
export const ACCESS = {
  /** POST /api/v1/verify and the verify page: any signed-in user, or a `verify` key. */
  verify: { roles: ["clerk", "admin", "auditor"], scopes: ["verify"] },
  /** POST /api/v1/inbox: a clerk, or a machine (the axis gateway) with `inbox:write`. */
  inboxReceive: { roles: ["clerk"], scopes: ["inbox:write"] },
  /** Reading the inbox, its records and attachments: clerks and auditors. */
  inboxRead: { roles: ["clerk", "auditor"] },
  /** Registering and returning documents: clerks. */
  inboxAct: { roles: ["clerk"] },
  /** The registry API: admins, or a `registry:read` key. */
  registry: { roles: ["admin"], scopes: ["registry:read"] },
  /** The audit trail: auditors and admins. */
  audit: { roles: ["auditor", "admin"] },
} as const satisfies Record<string, Access>;

export interface AuthOptions {
  accounts: Accounts;
  /** The verify page and POST /api/v1/verify without signing in (`kyso serve --public-verify`). */
  publicVerify?: boolean;
  /** Origins accepted besides the request's own (e.g. the public https:// name behind a proxy). */
  allowedOrigins?: readonly string[];
  log?: (entry: Record<string, unknown>) => void;
}

export const SESSION_COOKIE = "kyso_session";
/** Readable by the pages' scripts (not HttpOnly): the session's CSRF token, sent back in X-CSRF-Token. */
export const CSRF_COOKIE = "kyso_csrf";
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(req: Request): boolean {
  return !SAFE_METHODS.has(req.method);
}

/** Cookies of the request (RFC 6265 §5.4), without a dependency. */
export function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 1) continue;
    const name = part.slice(0, i).trim();
    if (name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed value is ignored
    }
  }
  return out;
}

/**
 * A Set-Cookie value (RFC 6265 §4.1): HttpOnly unless the pages must read it, SameSite=Strict
 * always, Secure when the request came over TLS (`req.secure`, which honours X-Forwarded-Proto
 * only from the proxies `trust proxy` names).
 */
export function setCookie(req: Request, res: Response, name: string, value: string, o: { maxAgeS: number; httpOnly?: boolean; path?: string }): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? "/"}`, `Max-Age=${Math.max(0, Math.floor(o.maxAgeS))}`, "SameSite=Strict"];
  if (o.httpOnly !== false) parts.push("HttpOnly");
  if (req.secure) parts.push("Secure");
  res.append("Set-Cookie", parts.join("; "));
}

export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A refusal (401/403/429) before the body was read closes the connection after the answer, so an
 * unauthenticated client cannot make the service read a large body (RFC 9112 §9.6).
 */
function refuse(req: Request, res: Response, err: Error): Error {
  const hasBody = Number(req.get("content-length") ?? 0) > 0 || req.get("transfer-encoding") !== undefined;
  if (hasBody && !req.complete) closeAfter(req, res);
  return err;
}

export function permits(access: Access, p: Principal | undefined): boolean {
  if (access.public) return true;
  if (!p) return false;
  if (p.kind === "user") return !!p.role && (access.roles ?? []).includes(p.role);
  return (p.scopes ?? []).some((s) => (access.scopes ?? []).includes(s));
}

interface Resolved {
  principal?: Principal;
  csrf?: string;
  sessionToken?: string;
}

export class Auth {
  readonly accounts: Accounts;
  readonly publicVerify: boolean;
  private readonly allowed: Set<string>;
  private readonly log: (entry: Record<string, unknown>) => void;

  constructor(options: AuthOptions) {
    this.accounts = options.accounts;
    this.publicVerify = options.publicVerify ?? false;
    this.allowed = new Set((options.allowedOrigins ?? []).map((o) => new URL(o).origin));
    this.log = options.log ?? (() => undefined);
  }

  /** Refuses (403) a state-changing request sent from another origin, whatever its content type. */
  readonly sameOrigin: RequestHandler = (req, res, next) => {
    if (!isStateChanging(req)) return next();
    const origin = req.get("origin");
    const referer = req.get("referer");
    let from: string | undefined;
    if (origin !== undefined) from = origin;
    else if (referer !== undefined) {
      try {
        from = new URL(referer).origin;
      } catch {
        from = "null";
      }
    }
    // Neither header: not a browser (browsers send Origin on every POST); credentials decide.
    if (from === undefined) return next();
    const own = `${req.protocol}://${req.get("host") ?? ""}`;
    if (from === own || this.allowed.has(from)) return next();
    this.log({ msg: "cross-origin-refused", method: req.method, path: req.path, origin: from, client: req.ip });
    next(refuse(req, res, httpError(403, "CROSS_ORIGIN", "Cross-origin requests that change state are refused")));
  };

  /** Resolves the principal of the request into res.locals (once). A bad API key is 401, a locked address 429. */
  readonly authenticate: RequestHandler = (req, res, next) => {
    this.resolve(req, res).then(() => next(), next);
  };

  private async resolve(req: Request, res: Response): Promise<Resolved> {
    if (res.locals.auth) return res.locals.auth as Resolved;
    const resolved: Resolved = {};
    const authorization = req.get("authorization");
    if (authorization !== undefined) {
      const m = /^Bearer +([A-Za-z0-9._~+/=-]{1,200})$/i.exec(authorization.trim());
      const client = req.ip ?? "?";
      const r = m ? await this.accounts.authenticateKey(m[1], client) : ({ ok: false, reason: "invalid", lockedForMs: 0 } as const);
      if (!r.ok) {
        this.log({ msg: "api-key-refused", reason: r.reason, client, path: req.path, lockedForS: Math.ceil(r.lockedForMs / 1000) });
        if (r.reason === "locked") throw refuse(req, res, tooManyAttempts(res, r.lockedForMs));
        res.set("WWW-Authenticate", 'Bearer realm="kyso", error="invalid_token"');
        throw refuse(req, res, httpError(401, "UNAUTHENTICATED", "The API key is unknown or revoked"));
      }
      resolved.principal = r.principal;
    } else {
      const token = cookies(req)[SESSION_COOKIE];
      const s = token ? await this.accounts.session(token) : undefined;
      if (s) {
        resolved.principal = { kind: "user", name: s.user.name, role: s.user.role };
        resolved.csrf = s.csrf;
        resolved.sessionToken = token;
      }
    }
    res.locals.auth = resolved;
    if (resolved.principal) res.locals.principal = resolved.principal;
    return resolved;
  }

  /** The session of the request, if it has one (for sign-out). */
  async sessionOf(req: Request, res: Response): Promise<Resolved> {
    return this.resolve(req, res);
  }

  /**
   * An API route's guard: 401 without a principal (WWW-Authenticate: Bearer), 403 without the role
   * or scope, 403 for a session's state-changing request without its CSRF token in X-CSRF-Token.
   */
  require(access: Access): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      this.resolve(req, res)
        .then((r) => {
          if (!access.public && !r.principal) {
            res.set("WWW-Authenticate", 'Bearer realm="kyso"');
            throw refuse(req, res, httpError(401, "UNAUTHENTICATED", "Sign in or send an API key"));
          }
          if (!permits(access, r.principal)) {
            this.log({ msg: "forbidden", principal: r.principal?.name, kind: r.principal?.kind, method: req.method, path: req.path });
            throw refuse(req, res, httpError(403, "FORBIDDEN", "This account may not do that"));
          }
          if (r.sessionToken && isStateChanging(req) && !sameSecret(req.get(CSRF_HEADER), r.csrf)) {
            this.log({ msg: "csrf-refused", principal: r.principal?.name, method: req.method, path: req.path });
            throw refuse(req, res, httpError(403, "CSRF_TOKEN", "The request lacks this session's CSRF token (X-CSRF-Token)"));
          }
          next();
        })
        .catch(next);
    };
  }

  /** A page's guard: without a principal, a redirect to the sign-in page that comes back here. */
  page(access: Access): RequestHandler {
    const guard = this.require(access);
    return (req: Request, res: Response, next: NextFunction) => {
      this.resolve(req, res)
        .then((r) => {
          if (!access.public && !r.principal) {
            res.set("Cache-Control", "no-store").redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
            return;
          }
          guard(req, res, next);
        })
        .catch(next);
    };
  }

  /** The verify rule: public with --public-verify, else any signed-in user or a `verify` key. */
  get verifyAccess(): Access {
    return this.publicVerify ? { public: true } : ACCESS.verify;
  }
}

/** 429 with Retry-After in seconds (RFC 6585 §4, RFC 9110 §10.2.3). */
export function tooManyAttempts(res: Response, lockedForMs: number): Error {
  res.set("Retry-After", String(Math.max(1, Math.ceil(lockedForMs / 1000))));
  return httpError(429, "TOO_MANY_ATTEMPTS", "Too many failed attempts; try again later");
}
