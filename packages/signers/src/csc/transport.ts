import { codeForRefusal, cscError, type CscErrorBody } from "./errors.js";

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  status: number;
  ok: boolean;
  text(): Promise<string>;
}>;

/** Gives a bearer token for a call, and is told when the service said it is no longer good. */
export interface AccessTokenSource {
  token(): Promise<string>;
  /** The service answered 401 invalid_token: the next `token()` must not return the same one. */
  invalidate(rejected: string): void;
}

export interface TransportOptions {
  fetch?: FetchLike;
  /** Per-request timeout, ms (default 60 s). */
  timeoutMs?: number;
}

const defaultFetch: FetchLike = (url, init) => fetch(url, init);

/** A method name for messages and error codes: the path after the API root (`signatures/signHash`). */
function describeStatus(status: number, body: CscErrorBody): string {
  const what = body.error ? `${body.error}${body.error_description ? `: ${body.error_description}` : ""}` : `HTTP ${status}`;
  return what;
}

/**
 * JSON over HTTP POST to a CSC API root (CSC API v2.0 §8: every method is a POST with a JSON body).
 * A 401 `invalid_token` is retried once with a fresh token; other refusals become KysoErrors with
 * the code `codeForRefusal` chooses. The request body is never part of an error.
 */
export class CscTransport {
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(
    /** The API root, e.g. http://127.0.0.1:8443/csc/v2 (no trailing slash). */
    readonly root: string,
    options: TransportOptions = {},
  ) {
    this.fetch = options.fetch ?? defaultFetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** POSTs `body` to `root/method`; with `auth`, as a bearer of its token. */
  async call<T>(method: string, body: Record<string, unknown>, auth?: AccessTokenSource, extraHeaders: Record<string, string> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json", ...extraHeaders };
      let bearer: string | undefined;
      if (auth) {
        bearer = await auth.token();
        headers.authorization = `Bearer ${bearer}`;
      }
      const answer = await this.send(`${this.root}/${method}`, method, { method: "POST", headers, body: JSON.stringify(body) });
      if (answer.ok) return answer.json as T;
      const err = (answer.json ?? {}) as CscErrorBody;
      if (auth && bearer && answer.status === 401 && (err.error === "invalid_token" || err.error === undefined) && attempt === 0) {
        auth.invalidate(bearer);
        continue;
      }
      throw refusal(method, answer.status, err);
    }
  }

  /** One HTTP exchange; the answer's JSON (undefined when the body is empty). */
  async send(url: string, method: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; ok: boolean; json: unknown }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let status: number;
    let ok: boolean;
    let text: string;
    try {
      const res = await this.fetch(url, { ...init, signal: controller.signal });
      status = res.status;
      ok = res.ok;
      text = await res.text();
    } catch (e) {
      const reason = controller.signal.aborted ? `no answer within ${this.timeoutMs / 1000} s` : causeText(e);
      throw cscError("CSC_UNREACHABLE", `Cannot reach the signing service (${method} at ${originOf(url)}): ${reason}`, { method }, e);
    } finally {
      clearTimeout(timer);
    }
    let json: unknown;
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw cscError("CSC_PROTOCOL", `The signing service answered ${method} with something that is not JSON (HTTP ${status})`, { method, status }, e);
      }
    }
    return { status, ok, json };
  }
}

export function refusal(method: string, status: number, body: CscErrorBody): Error {
  const code = codeForRefusal(method, status, body);
  return cscError(code, `The signing service refused ${method}: ${describeStatus(status, body)}`, {
    method,
    status,
    error: body.error,
    errorDescription: body.error_description,
  });
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

function causeText(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } })?.cause;
  return c?.code ?? c?.message ?? (e as Error)?.message ?? String(e);
}
