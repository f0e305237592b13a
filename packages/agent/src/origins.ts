import { KysoError } from "@kyso/core";

/**
 * The origin allow-list and the URL policy (against SSRF: a page may only have the agent fetch from
 * and post to its own hosts). An origin is `scheme://host[:port]` as a browser sends it in `Origin`
 * (RFC 6454 §6.2): lower-case, default ports left out.
 */

/** `https://VanBan.gov.vn:443/` -> `https://vanban.gov.vn`; throws for what is not an http(s) origin. */
export function normalizeOrigin(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch (cause) {
    throw new KysoError("AGENT_BAD_ORIGIN", `"${text}" is not an origin such as https://vanban.example.gov.vn`, { cause });
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new KysoError("AGENT_BAD_ORIGIN", `"${text}" is not an http(s) origin`);
  if (u.username || u.password || (u.pathname !== "/" && u.pathname !== "") || u.search || u.hash)
    throw new KysoError("AGENT_BAD_ORIGIN", `"${text}" must be an origin only (scheme://host[:port]), without path, query or credentials`);
  return u.origin;
}

export class OriginPolicy {
  private readonly allowed: Set<string>;
  private readonly hosts = new Map<string, Set<string>>();

  constructor(allowedOrigins: readonly string[], originHosts: Record<string, readonly string[]> = {}, readonly allowHttp = false) {
    this.allowed = new Set(allowedOrigins.map(normalizeOrigin));
    for (const [o, hs] of Object.entries(originHosts)) {
      const origin = normalizeOrigin(o);
      this.hosts.set(origin, new Set(hs.map((h) => h.trim().toLowerCase()).filter(Boolean)));
    }
  }

  /** The normalized origin when it is on the list, else undefined (`null` and absent origins are never allowed). */
  check(origin: string | undefined): string | undefined {
    if (!origin || origin === "null") return undefined;
    let n: string;
    try {
      n = normalizeOrigin(origin);
    } catch {
      return undefined;
    }
    return this.allowed.has(n) ? n : undefined;
  }

  list(): string[] {
    return [...this.allowed];
  }

  /**
   * Checks a download or upload URL for a request from `origin`: its host (with port, when one is
   * given) must be the origin's or one configured for it, and it must be https:// unless http is
   * allowed. Credentials in the URL are refused.
   */
  checkUrl(origin: string, text: string, what: "download" | "upload"): URL {
    let u: URL;
    try {
      u = new URL(text);
    } catch (cause) {
      throw new KysoError("AGENT_URL_INVALID", `The ${what} URL "${clip(text)}" is not an absolute URL`, { cause });
    }
    if (u.protocol !== "https:" && !(u.protocol === "http:" && this.allowHttp))
      throw new KysoError("AGENT_URL_SCHEME", `The ${what} URL ${u.origin} must use https://${this.allowHttp ? " or http://" : " (http:// is not allowed by the agent's configuration)"}`);
    if (u.username || u.password) throw new KysoError("AGENT_URL_CREDENTIALS", `The ${what} URL must not carry a user name or password`);
    if (!this.hostAllowed(origin, u)) throw new KysoError("AGENT_URL_HOST", `The ${what} URL's host ${u.host} is not the calling site's (${origin}) nor a host configured for it`);
    return u;
  }

  hostAllowed(origin: string, u: URL): boolean {
    const o = new URL(origin);
    if (u.host === o.host || (u.hostname === o.hostname && !u.port && !o.port)) return true;
    const extra = this.hosts.get(origin);
    return !!extra && (extra.has(u.host.toLowerCase()) || extra.has(u.hostname.toLowerCase()));
  }
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
