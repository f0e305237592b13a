/**
 * The CSC test server's authorization server (RFC 6749): client credentials for the service
 * account, authorization code with PKCE S256 only (RFC 7636) for officers on a loopback redirect
 * (RFC 8252 §7.3, any port), refresh tokens, and the access tokens the CSC endpoints accept.
 * Tokens live in memory only.
 */
import { createHash, randomBytes } from "node:crypto";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_USER_PASSWORD, CSC_USERS } from "./credentials.js";

/** An error in the CSC API's shape: HTTP status, `error`, `error_description`. */
export class CscError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/** Who a token speaks for: the service account (every credential) or one officer (their own). */
export interface Principal {
  subject: string;
  credentials: readonly string[];
}

interface AccessToken extends Principal {
  expiresAt: number;
}

interface AuthorizationCode {
  user: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  expiresAt: number;
}

const token = (): string => randomBytes(24).toString("base64url");

export class TokenStore {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, Principal>();
  private readonly codes = new Map<string, AuthorizationCode>();

  constructor(
    private readonly allCredentials: readonly string[],
    private readonly ttlSeconds: () => number,
  ) {}

  serviceAccount(): Principal {
    return { subject: `client:${CSC_CLIENT_ID}`, credentials: this.allCredentials };
  }

  officer(user: string): Principal {
    return { subject: `user:${user}`, credentials: CSC_USERS[user]?.credentials ?? [] };
  }

  /** The officer named by a user name and password, or undefined. */
  checkUser(username: string, password: string): Principal | undefined {
    return Object.hasOwn(CSC_USERS, username) && password === CSC_USER_PASSWORD ? this.officer(username) : undefined;
  }

  issue(p: Principal, withRefresh: boolean): { access_token: string; token_type: "Bearer"; expires_in: number; refresh_token?: string } {
    const ttl = this.ttlSeconds();
    const access_token = token();
    this.access.set(access_token, { ...p, expiresAt: Date.now() + ttl * 1000 });
    const out: { access_token: string; token_type: "Bearer"; expires_in: number; refresh_token?: string } = { access_token, token_type: "Bearer", expires_in: ttl };
    if (withRefresh) {
      const r = token();
      this.refresh.set(r, { subject: p.subject, credentials: p.credentials });
      out.refresh_token = r;
    }
    return out;
  }

  /** The principal of a Bearer token (RFC 6750 §3.1: 401 invalid_token when unknown or expired). */
  principal(authorization: string | undefined): Principal {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    if (!m) throw new CscError(401, "invalid_token", "Missing access token (Authorization: Bearer)");
    const t = this.access.get(m[1]);
    if (!t) throw new CscError(401, "invalid_token", "Invalid access token");
    if (Date.now() >= t.expiresAt) {
      this.access.delete(m[1]);
      throw new CscError(401, "invalid_token", "The access token expired");
    }
    return t;
  }

  revoke(value: string): void {
    this.access.delete(value);
    this.refresh.delete(value);
  }

  /** RFC 6749 §6: a new access token; the refresh token stays valid (it is not rotated). */
  refreshGrant(value: string): ReturnType<TokenStore["issue"]> {
    const p = this.refresh.get(value);
    if (!p) throw new CscError(400, "invalid_grant", "Invalid refresh token");
    const out = this.issue(p, false);
    return { ...out, refresh_token: value };
  }

  newCode(c: Omit<AuthorizationCode, "expiresAt">): string {
    const code = token();
    this.codes.set(code, { ...c, expiresAt: Date.now() + 60_000 });
    return code;
  }

  /** RFC 6749 §4.1.3 and RFC 7636 §4.6: single use, same client and redirect URI, S256 verifier. */
  redeemCode(code: string, clientId: string, redirectUri: string, verifier: string): Principal {
    const c = this.codes.get(code);
    this.codes.delete(code);
    if (!c || Date.now() >= c.expiresAt) throw new CscError(400, "invalid_grant", "Invalid or expired authorization code");
    if (c.clientId !== clientId) throw new CscError(400, "invalid_grant", "The code was issued to another client");
    if (c.redirectUri !== redirectUri) throw new CscError(400, "invalid_grant", "redirect_uri does not match the authorization request");
    if (!verifier) throw new CscError(400, "invalid_request", "Missing code_verifier (PKCE is required)");
    if (createHash("sha256").update(verifier).digest("base64url") !== c.challenge) throw new CscError(400, "invalid_grant", "PKCE verification failed");
    return this.officer(c.user);
  }
}

/** Client authentication (RFC 6749 §2.3.1): HTTP Basic or client_id/client_secret in the body. */
export function clientFrom(authorization: string | undefined, body: Record<string, unknown>): { id?: string; secret?: string } {
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (m) {
    const plain = Buffer.from(m[1], "base64").toString("utf8");
    const i = plain.indexOf(":");
    if (i >= 0) return { id: decodeURIComponent(plain.slice(0, i)), secret: decodeURIComponent(plain.slice(i + 1)) };
  }
  return { id: str(body.client_id), secret: str(body.client_secret) };
}

export function checkClient(c: { id?: string; secret?: string }, secretRequired: boolean): void {
  if (c.id !== CSC_CLIENT_ID) throw new CscError(401, "invalid_client", "Unknown client");
  if ((secretRequired || c.secret !== undefined) && c.secret !== CSC_CLIENT_SECRET) throw new CscError(401, "invalid_client", "Client authentication failed");
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** RFC 8252 §7.3: http on a loopback address (127.0.0.1 or localhost), any port. */
export function loopbackRedirect(uri: string | undefined): boolean {
  if (!uri) return false;
  try {
    const u = new URL(uri);
    return u.protocol === "http:" && (u.hostname === "127.0.0.1" || u.hostname === "localhost") && u.port !== "" && !u.username && !u.password;
  } catch {
    return false;
  }
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The officer's login page of the authorization endpoint, carrying the request in hidden fields. */
export function loginPage(params: Record<string, string>, error?: string): string {
  const hidden = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("\n      ");
  return `<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><title>Đăng nhập – dịch vụ ký số từ xa (TEST)</title>
<style>body{font-family:sans-serif;max-width:26rem;margin:3rem auto}label{display:block;margin:.8rem 0}input{font-size:1rem}.error{color:#b00}</style></head>
<body>
  <h1>Kyso CSC test server</h1>
  <p>Đăng nhập để cho phép ứng dụng <b>${esc(params.client_id ?? "")}</b> dùng chứng thư số của bạn. Test material only.</p>
  ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ""}
  <form method="post" action="authorize">
      ${hidden}
    <label>Tên đăng nhập / Username <input name="username" id="username" autocomplete="username" required></label>
    <label>Mật khẩu / Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
    <button type="submit" id="login">Đăng nhập / Sign in</button>
  </form>
</body>
</html>
`;
}

export function errorPage(message: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head><body><h1>Authorization error</h1><p>${esc(message)}</p></body></html>\n`;
}

export { esc as escapeHtml };
