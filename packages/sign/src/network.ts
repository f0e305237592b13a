import { KysoError } from "@kyso/core";

/** The part of WHATWG `fetch` that Kyso uses; the global `fetch` fits, tests may pass their own. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Uint8Array; signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

/** How long-term validation talks to TSAs, OCSP responders and CRL servers. */
export interface NetworkOptions {
  fetch?: FetchLike;
  /** Per attempt, default 15 s. */
  timeoutMs?: number;
  /** Further attempts after a network error, a timeout or a 5xx answer (default 1). */
  retries?: number;
  /** Largest answer accepted (default 16 MiB: CRLs can be large). */
  maxBytes?: number;
}

export interface HttpRequest {
  method: "GET" | "POST";
  body?: Uint8Array;
  contentType?: string;
  accept?: string;
}

/** `TSA`, `OCSP`, `CRL`, `CA_ISSUERS`: the prefix of the error codes, and how the server is named. */
export type ServerKind = "TSA" | "OCSP" | "CRL" | "CA_ISSUERS";

const LABEL: Record<ServerKind, string> = { TSA: "Time-stamp server", OCSP: "OCSP responder", CRL: "CRL server", CA_ISSUERS: "CA certificate server" };

/**
 * One HTTP exchange with a bounded retry. Errors are KysoErrors naming the server:
 * `<KIND>_UNREACHABLE`, `<KIND>_TIMEOUT`, `<KIND>_HTTP_ERROR`.
 */
export async function httpExchange(kind: ServerKind, url: string, req: HttpRequest, net: NetworkOptions = {}): Promise<Uint8Array> {
  const doFetch = net.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const timeoutMs = net.timeoutMs ?? 15_000;
  const attempts = 1 + Math.max(0, Math.min(5, net.retries ?? 1));
  const maxBytes = net.maxBytes ?? 16 << 20;
  let last: KysoError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      const headers: Record<string, string> = {};
      if (req.contentType) headers["content-type"] = req.contentType;
      if (req.accept) headers.accept = req.accept;
      const res = await doFetch(url, { method: req.method, headers, body: req.body, signal: ctl.signal });
      const body = new Uint8Array(await res.arrayBuffer());
      if (!res.ok) {
        last = new KysoError(`${kind}_HTTP_ERROR`, `${LABEL[kind]} ${url} answered HTTP ${res.status}`);
        if (res.status < 500) throw last;
        continue;
      }
      if (body.length > maxBytes) throw new KysoError(`${kind}_GARBAGE`, `${LABEL[kind]} ${url} sent ${body.length} bytes, more than the ${maxBytes} accepted`);
      return body;
    } catch (e) {
      if (e instanceof KysoError) throw e; // a 4xx answer or an oversized one: retrying will not help
      if (ctl.signal.aborted) last = new KysoError(`${kind}_TIMEOUT`, `${LABEL[kind]} ${url} did not answer within ${timeoutMs} ms (${attempt} of ${attempts} attempts)`, { cause: e });
      else {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (e as Error).message;
        last = new KysoError(`${kind}_UNREACHABLE`, `${LABEL[kind]} ${url} is unreachable: ${why} (${attempt} of ${attempts} attempts)`, { cause: e });
      }
    } finally {
      clearTimeout(timer);
    }
  }
  throw last ?? new KysoError(`${kind}_UNREACHABLE`, `${LABEL[kind]} ${url} is unreachable`);
}
