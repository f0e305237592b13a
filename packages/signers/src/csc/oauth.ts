import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cscError } from "./errors.js";
import { refusal, type AccessTokenSource, type CscTransport } from "./transport.js";

/** The answer of a token endpoint (RFC 6749 §5.1) or of CSC `auth/login`. */
export interface TokenAnswer {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
}

/** How to get an access token the first time (and again when there is no refresh token). */
export type Grant = () => Promise<TokenAnswer>;

const b64url = (b: Uint8Array): string => Buffer.from(b).toString("base64url");

/**
 * Access tokens kept in memory only, renewed before they expire (a minute before, or at four fifths
 * of a short lifetime) with the refresh token when there is one, else with the grant again; a token
 * the service rejected (401 invalid_token) is renewed once.
 */
export class TokenKeeper implements AccessTokenSource {
  private current: { token: string; expiresAt: number; refresh?: string } | undefined;
  private pending: Promise<string> | undefined;
  /** How many tokens were obtained (first grant, refreshes, new grants): for tests and the benchmark. */
  obtained = 0;

  constructor(
    private readonly grant: Grant,
    private readonly refresh: ((refreshToken: string) => Promise<TokenAnswer>) | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  token(): Promise<string> {
    const c = this.current;
    if (c && this.now() < c.expiresAt) return Promise.resolve(c.token);
    // One renewal at a time: concurrent calls wait for the same one.
    this.pending ??= this.renew().finally(() => (this.pending = undefined));
    return this.pending;
  }

  invalidate(rejected: string): void {
    if (this.current?.token === rejected) this.current = { ...this.current, expiresAt: 0 };
  }

  private async renew(): Promise<string> {
    let answer: TokenAnswer | undefined;
    const refreshToken = this.current?.refresh;
    if (refreshToken && this.refresh) {
      try {
        answer = await this.refresh(refreshToken);
      } catch {
        answer = undefined; // refresh token expired or revoked: the grant again
      }
    }
    answer ??= await this.grant();
    if (typeof answer?.access_token !== "string" || answer.access_token === "")
      throw cscError("CSC_PROTOCOL", "The token endpoint gave no access_token");
    const ttl = typeof answer.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in * 1000 : 3600_000;
    const early = Math.min(60_000, ttl / 5);
    this.current = { token: answer.access_token, expiresAt: this.now() + ttl - early, refresh: answer.refresh_token ?? refreshToken };
    this.obtained++;
    return answer.access_token;
  }
}

/** The OAuth 2.0 token endpoint of a CSC service (`<oauth2>/oauth2/token`, CSC API v2.0 §8.3.3). */
export class TokenEndpoint {
  constructor(
    private readonly transport: CscTransport,
    /** The `oauth2` base URI from `info`. */
    readonly base: string,
    readonly clientId: string,
    private readonly clientSecret: string | undefined,
  ) {}

  get tokenUrl(): string {
    return `${this.base.replace(/\/+$/, "")}/oauth2/token`;
  }

  get authorizeUrl(): string {
    return `${this.base.replace(/\/+$/, "")}/oauth2/authorize`;
  }

  /** POSTs a form to the token endpoint (RFC 6749 §4.4.2, §4.1.3, §6); client authentication in the body (§2.3.1). */
  async request(form: Record<string, string>): Promise<TokenAnswer> {
    const body = new URLSearchParams({ ...form, client_id: this.clientId, ...(this.clientSecret !== undefined ? { client_secret: this.clientSecret } : {}) });
    const answer = await this.transport.send(this.tokenUrl, "oauth2/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: body.toString(),
    });
    if (!answer.ok) throw refusal("oauth2/token", answer.status, (answer.json ?? {}) as Record<string, string>);
    return answer.json as TokenAnswer;
  }

  clientCredentials(scope = "service"): Promise<TokenAnswer> {
    return this.request({ grant_type: "client_credentials", scope });
  }

  refresh(refreshToken: string): Promise<TokenAnswer> {
    return this.request({ grant_type: "refresh_token", refresh_token: refreshToken });
  }
}

export interface PkceOptions {
  /** Opens the authorization page for the officer (a browser; tests drive headless Chromium). */
  openBrowser: (url: string) => Promise<void> | void;
  scope?: string;
  /** How long to wait for the officer to log in (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The language of the page, when the service has one (`lang` parameter). */
  lang?: string;
}

/** What the loopback page says once the code has arrived: both languages, the officer may not read English. */
const DONE_PAGE = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Kyso</title><body style="font-family:sans-serif">
<p>Đăng nhập thành công. Bạn có thể đóng cửa sổ này và quay lại Kyso.</p><p lang="en">Signed in. You may close this window and return to Kyso.</p></body></html>`;
const FAILED_PAGE = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Kyso</title><body style="font-family:sans-serif">
<p>Không đăng nhập được. Hãy quay lại Kyso để xem lỗi.</p><p lang="en">Sign-in failed. Return to Kyso for the reason.</p></body></html>`;

/**
 * The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636 S256) for an officer: a loopback
 * redirect on 127.0.0.1 (RFC 8252 §7.3) on a port the system chooses, the browser opened on the
 * service's login page, the `state` checked, the code exchanged with its verifier.
 */
export async function authorizationCodeWithPkce(endpoint: TokenEndpoint, options: PkceOptions): Promise<TokenAnswer> {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash("sha256").update(verifier).digest());
  const state = b64url(randomBytes(16));
  let settle!: { resolve: (code: string) => void; reject: (e: Error) => void };
  const arrived = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback") {
      res.writeHead(404).end();
      return;
    }
    const got = url.searchParams.get("state") ?? "";
    const sameState = got.length === state.length && timingSafeEqual(Buffer.from(got), Buffer.from(state));
    const code = url.searchParams.get("code");
    const error = url.searchParams.get("error");
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    if (!sameState) {
      // Not our request (a stale tab, or a forged redirect): refused, and we keep waiting for ours.
      res.writeHead(400).end(FAILED_PAGE);
      return;
    }
    if (error || !code) {
      res.writeHead(400).end(FAILED_PAGE);
      settle.reject(cscError("CSC_AUTH_FAILED", `The signing service refused the sign-in: ${error ?? "no code"}${url.searchParams.get("error_description") ? `: ${url.searchParams.get("error_description")}` : ""}`, { error }));
      return;
    }
    res.writeHead(200).end(DONE_PAGE);
    settle.resolve(code);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const params = new URLSearchParams({
    response_type: "code",
    client_id: endpoint.clientId,
    redirect_uri: redirectUri,
    scope: options.scope ?? "service",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
  });
  if (options.lang) params.set("lang", options.lang);
  const timeoutMs = options.timeoutMs ?? 300_000;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => settle.reject(cscError("CSC_CANCELLED", "Cancelled while waiting for the sign-in in the browser"));
  try {
    timer = setTimeout(() => settle.reject(cscError("CSC_AUTH_FAILED", `No sign-in in the browser within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    // The browser may finish (and call back) before or after openBrowser returns.
    Promise.resolve()
      .then(() => options.openBrowser(`${endpoint.authorizeUrl}?${params.toString()}`))
      .catch((e: unknown) => settle.reject(cscError("CSC_AUTH_FAILED", `Cannot open the browser: ${(e as Error)?.message ?? String(e)}`, {}, e)));
    const code = await arrived;
    return await endpoint.request({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    server.closeAllConnections?.();
    server.close();
  }
}
