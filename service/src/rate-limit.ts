import type { Request, RequestHandler, Response } from "express";
import { KysoError } from "@kyso/core";
import { migrate, sql, type Database, type MigrationSet } from "@kyso/db";
import { closeAfter, httpError } from "./errors.js";

/**
 * Per-client rate limits (issue 12, bounded work). A client is its address and its principal
 * (`res.locals.principal`, resolved by ./auth.ts before this runs; "-" before sign-in), so one
 * machine key cannot starve the clerks behind the same proxy address, and one address cannot
 * multiply its allowance by holding several keys beyond its own.
 *
 * The counters live in the service's database (table `ratelimit_counters`, migration namespace
 * "ratelimit"), so every replica behind a load balancer counts against the same budget. The window
 * is sliding, approximated from two fixed windows (the previous window's count weighted by how much
 * of it still overlaps): estimate = previous × (1 − elapsed / window) + current. A request is
 * admitted by one upsert that only increments while the estimate stays within the limit, so
 * concurrent replicas never admit more than the limit in a window; refused requests are not
 * counted. Refusal: 429 with Retry-After in seconds (RFC 6585 §4, RFC 9110 §10.2.3), and the
 * connection closed when a body was not read (RFC 9112 §9.6).
 *
 * Replicas compute the window from their own clocks: keep them synchronised (NTP), as TLS and
 * session expiry need anyway.
 */

export const RATELIMIT_MIGRATIONS: MigrationSet = {
  namespace: "ratelimit",
  migrations: [
    {
      version: 1,
      name: "counters",
      up: async (tx) => {
        await tx.exec("CREATE TABLE ratelimit_counters (client TEXT NOT NULL, win BIGINT NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (client, win))");
        await tx.exec("CREATE INDEX ratelimit_counters_win ON ratelimit_counters (win)");
      },
    },
  ],
};

export interface RateLimit {
  /** Requests admitted per window and client. */
  limit: number;
  windowMs: number;
}

const UNITS: Record<string, number> = { s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hour: 3_600_000 };

/**
 * `kyso serve --rate-limit`: "600/min", "20/s", "5000/h", "100/10s" or "50/5min"; "off" or "0"
 * for none (undefined). Anything else is USAGE.
 */
export function parseRateLimit(text: string): RateLimit | undefined {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "0" || t === "none") return undefined;
  const m = /^(\d+)\s*\/\s*(\d*)\s*(s|sec|m|min|h|hour)$/.exec(t);
  const limit = m ? Number(m[1]) : NaN;
  const windowMs = m ? (m[2] ? Number(m[2]) : 1) * UNITS[m[3]] : NaN;
  if (!m || !Number.isSafeInteger(limit) || limit < 1 || !(windowMs >= 1000) || windowMs > 86_400_000)
    throw new KysoError("USAGE", `--rate-limit "${text}": give requests per window, e.g. 600/min, 20/s, 100/10s (window 1 s to 24 h), or off`);
  return { limit, windowMs };
}

export interface Admission {
  ok: boolean;
  /** When refused: seconds until a request would be admitted (at least 1). */
  retryAfterS: number;
}

export class RateLimiter {
  private lastPrunedWindow = -1;

  constructor(
    private readonly db: Database,
    readonly rule: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly log: (entry: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** A limiter on `db`, its table created if this is the first replica to use it. */
  static async open(db: Database, rule: RateLimit, options: { now?: () => number; log?: (entry: Record<string, unknown>) => void } = {}): Promise<RateLimiter> {
    await migrate(db, [RATELIMIT_MIGRATIONS]);
    return new RateLimiter(db, rule, options.now, options.log);
  }

  /** Counts one request of `client` if the limit allows it. */
  async admit(client: string): Promise<Admission> {
    const { limit, windowMs } = this.rule;
    const t = this.now();
    const win = Math.floor(t / windowMs);
    const elapsed = t - win * windowMs;
    this.prune(win);
    const prevRow = await this.db.get<{ hits: number | string }>(sql`SELECT hits FROM ratelimit_counters WHERE client = ${client} AND win = ${win - 1}`);
    const prev = Number(prevRow?.hits ?? 0);
    const weight = 1 - elapsed / windowMs;
    // The most the current window may hold with this request admitted.
    const cap = Math.floor(limit - prev * weight);
    if (cap >= 1) {
      const row = await this.db.get<{ hits: number | string }>(
        sql`INSERT INTO ratelimit_counters (client, win, hits) VALUES (${client}, ${win}, 1)
            ON CONFLICT (client, win) DO UPDATE SET hits = ratelimit_counters.hits + 1 WHERE ratelimit_counters.hits < ${cap}
            RETURNING hits`,
      );
      if (row) return { ok: true, retryAfterS: 0 };
    }
    const curRow = await this.db.get<{ hits: number | string }>(sql`SELECT hits FROM ratelimit_counters WHERE client = ${client} AND win = ${win}`);
    return { ok: false, retryAfterS: retryAfter(limit, windowMs, prev, Number(curRow?.hits ?? 0), elapsed) };
  }

  /** Old windows are deleted by whichever replica first sees a new window (best effort). */
  private prune(win: number): void {
    if (win === this.lastPrunedWindow) return;
    this.lastPrunedWindow = win;
    this.db.run(sql`DELETE FROM ratelimit_counters WHERE win < ${win - 1}`).catch((e: unknown) => this.log({ msg: "rate-limit-prune-failed", code: (e as { code?: unknown }).code }));
  }
}

/**
 * Seconds until prev × (1 − (elapsed + t) / w) + cur + 1 ≤ limit: within this window if the
 * previous one's weight fading is enough, else after it, when this window is the previous one.
 */
export function retryAfter(limit: number, w: number, prev: number, cur: number, elapsed: number): number {
  let ms: number;
  if (prev > 0 && cur + 1 <= limit) ms = w * (1 - (limit - cur - 1) / prev) - elapsed;
  else ms = w - elapsed + (cur > limit - 1 ? w * (1 - (limit - 1) / cur) : 0);
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Who a request counts against: its address and its principal. */
export function clientKey(req: Request, res: Response): string {
  const p = res.locals.principal as { kind?: string; name?: string } | undefined;
  return `${req.ip ?? "?"}|${p ? `${p.kind ?? "?"}:${p.name ?? "?"}` : "-"}`;
}

/** The middleware, mounted after authentication: 429 + Retry-After past the limit. */
export function rateLimit(limiter: RateLimiter, log: (entry: Record<string, unknown>) => void = () => undefined): RequestHandler {
  return (req, res, next) => {
    const client = clientKey(req, res);
    limiter.admit(client).then((a) => {
      if (a.ok) return next();
      log({ msg: "rate-limited", client: req.ip, principal: (res.locals.principal as { name?: string } | undefined)?.name, method: req.method, path: req.path, retryAfterS: a.retryAfterS });
      res.set("Retry-After", String(a.retryAfterS));
      const hasBody = Number(req.get("content-length") ?? 0) > 0 || req.get("transfer-encoding") !== undefined;
      if (hasBody && !req.complete) closeAfter(req, res);
      next(httpError(429, "RATE_LIMITED", `Too many requests; try again in ${a.retryAfterS} s`));
    }, next);
  };
}
