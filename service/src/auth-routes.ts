import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response } from "express";
import { CSRF_COOKIE, SESSION_COOKIE, cookies, sameSecret, setCookie, tooManyAttempts, type Auth } from "./auth.js";
import { httpError } from "./errors.js";

/**
 * Sign-in and sign-out:
 *   GET  /login                 the sign-in page (Vietnamese, English toggle) with its CSRF token
 *   POST /login                 name, password, csrf (a form, or JSON): a session cookie, then 303 to
 *                               `next` (JSON: 200 {name, role, csrf}); 401 wrong name or password,
 *                               429 + Retry-After while the name is locked, 403 without the token
 *   POST /logout                ends the session (its CSRF token in X-CSRF-Token or the `csrf` field)
 *   GET  /api/v1/session        who is signed in: {principal, csrf} (401 when nobody)
 * The sign-in form's CSRF token is a double-submit pair: an HttpOnly, SameSite=Strict cookie and
 * the same random value in the form (OWASP CSRF Prevention Cheat Sheet, "login CSRF").
 */
const LOGIN_CSRF_COOKIE = "kyso_login_csrf";
const publicDir = fileURLToPath(new URL("../public/", import.meta.url));
let template: string | undefined;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Only a path on this site (no scheme, no `//host`, no backslash tricks) may be the target after sign-in. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== "string" || next.length > 500) return undefined;
  return /^\/(?![/\\])[^\s\\]*$/.test(next) && !next.startsWith("/login") && !next.startsWith("/logout") ? next : undefined;
}

const ERRORS = {
  invalid: "Sai tên đăng nhập hoặc mật khẩu.",
  locked: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {s} giây.",
  csrf: "Phiên đăng nhập đã hết hạn, vui lòng thử lại.",
} as const;

function renderLogin(req: Request, res: Response, status: number, next: string | undefined, error?: keyof typeof ERRORS, retryS?: number): void {
  template ??= readFileSync(`${publicDir}login.html`, "utf8");
  const csrf = randomBytes(32).toString("base64url");
  setCookie(req, res, LOGIN_CSRF_COOKIE, csrf, { maxAgeS: 3600, path: "/login" });
  const text = error ? ERRORS[error].replace("{s}", String(retryS ?? "")) : "";
  const html = template
    .replace("{{csrf}}", csrf)
    .replace("{{next}}", escapeHtml(next ?? ""))
    .replace("{{error}}", error ?? "")
    .replace("{{retry}}", String(retryS ?? ""))
    .replace("{{errorHidden}}", error ? "" : " hidden")
    .replace("{{errorText}}", escapeHtml(text));
  // The form's POST must carry its Origin: under the site-wide `no-referrer` a browser sends
  // `Origin: null` (Fetch §3.1 "append a request Origin header"), which the origin check refuses.
  res.status(status).set("Cache-Control", "no-store").set("Referrer-Policy", "same-origin").type("html").send(html);
}

function landing(role: string | undefined): string {
  return role === "clerk" ? "/inbox" : "/";
}

export function authRouter(auth: Auth, log: (entry: Record<string, unknown>) => void = () => undefined): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "8kb" });
  const json = express.json({ limit: "8kb" });

  router.get(["/login.html"], (_req, res) => res.redirect(301, "/login"));
  router.get("/login", (req, res) => renderLogin(req, res, 200, safeNext(req.query.next)));

  router.post("/login", form, json, async (req: Request, res: Response, next: NextFunction) => {
    const wantsJson = req.is("application/json") === "application/json";
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const name = typeof body.name === "string" ? body.name.trim() : "";
      const password = typeof body.password === "string" ? body.password : "";
      const target = safeNext(body.next);
      if (!sameSecret(typeof body.csrf === "string" ? body.csrf : undefined, cookies(req)[LOGIN_CSRF_COOKIE])) {
        log({ msg: "login-refused", reason: "csrf", client: req.ip });
        if (wantsJson) throw httpError(403, "CSRF_TOKEN", "The sign-in form's CSRF token is missing or wrong (GET /login first)");
        return renderLogin(req, res, 403, target, "csrf");
      }
      if (!name || !password || name.length > 64) {
        if (wantsJson) throw httpError(400, "USAGE", "name and password are needed");
        return renderLogin(req, res, 400, target, "invalid");
      }
      const r = await auth.accounts.signIn(name, password);
      if (!r.ok) {
        // Each failure in the service log: who was tried and from where, never the password.
        log({ msg: "login-failed", user: name, client: req.ip, reason: r.reason, lockedForS: Math.ceil(r.lockedForMs / 1000) });
        if (r.reason === "locked") {
          const err = tooManyAttempts(res, r.lockedForMs);
          if (wantsJson) throw err;
          return renderLogin(req, res, 429, target, "locked", Math.ceil(r.lockedForMs / 1000));
        }
        if (wantsJson) throw httpError(401, "LOGIN_FAILED", "Wrong user name or password");
        return renderLogin(req, res, 401, target, "invalid");
      }
      log({ msg: "login", user: r.session.user.name, role: r.session.user.role, client: req.ip });
      res.locals.principal = { kind: "user", name: r.session.user.name, role: r.session.user.role };
      const maxAgeS = (r.session.expiresAt.getTime() - Date.now()) / 1000;
      setCookie(req, res, SESSION_COOKIE, r.token, { maxAgeS });
      setCookie(req, res, CSRF_COOKIE, r.session.csrf, { maxAgeS, httpOnly: false });
      setCookie(req, res, LOGIN_CSRF_COOKIE, "", { maxAgeS: 0, path: "/login" });
      res.set("Cache-Control", "no-store");
      if (wantsJson) res.json({ name: r.session.user.name, role: r.session.user.role, csrf: r.session.csrf });
      else res.redirect(303, target ?? landing(r.session.user.role));
    } catch (e) {
      next(e);
    }
  });

  router.post("/logout", form, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const s = await auth.sessionOf(req, res);
      if (s.sessionToken) {
        const given = req.get("x-csrf-token") ?? (typeof (req.body as Record<string, unknown> | undefined)?.csrf === "string" ? ((req.body as Record<string, string>).csrf) : undefined);
        if (!sameSecret(given, s.csrf)) throw httpError(403, "CSRF_TOKEN", "The request lacks this session's CSRF token");
        await auth.accounts.endSession(s.sessionToken);
        log({ msg: "logout", user: s.principal?.name, client: req.ip });
      }
      setCookie(req, res, SESSION_COOKIE, "", { maxAgeS: 0 });
      setCookie(req, res, CSRF_COOKIE, "", { maxAgeS: 0, httpOnly: false });
      if (req.accepts(["html", "json"]) === "json") res.status(204).end();
      else res.redirect(303, "/login");
    } catch (e) {
      next(e);
    }
  });

  router.get("/api/v1/session", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const s = await auth.sessionOf(req, res);
      res.set("Cache-Control", "no-store");
      if (!s.principal) throw httpError(401, "UNAUTHENTICATED", "Nobody is signed in");
      res.json({ principal: s.principal, csrf: s.csrf ?? null });
    } catch (e) {
      next(e);
    }
  });
  return router;
}
