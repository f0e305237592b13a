import type { Clock } from "@kyso/core";
import { sql, type Database } from "@kyso/db";

/**
 * Failed-attempt counters shared through the database (so every replica sees the same ones), for
 * lockout with a growing delay: after `maxFailures` failures within `windowMs` the key (a user
 * name, or a client address for API tokens) is locked for `baseDelayMs`, doubling at every further
 * lockout up to `maxDelayMs` (OWASP Authentication Cheat Sheet, "Account Lockout"; NIST SP
 * 800-63B §5.2.2 rate limiting); after a lockout a single failure within the window locks again.
 * Attempts while locked are refused without being checked or counted. A success clears the key.
 */
export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, baseDelayMs: 30_000, maxDelayMs: 60 * 60_000 };

interface FailureRow {
  count: number | string;
  window_start: number | string;
  locked_until: number | string;
  lockouts: number | string;
}

export class Throttle {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    readonly policy: LockoutPolicy = DEFAULT_LOCKOUT,
  ) {}

  /** Milliseconds the key stays locked (0: not locked). */
  async lockedFor(key: string): Promise<number> {
    const row = await this.db.get<{ locked_until: number | string }>(sql`SELECT locked_until FROM accounts_failures WHERE key = ${key}`);
    return Math.max(0, Number(row?.locked_until ?? 0) - this.clock.now().getTime());
  }

  /** Counts one failure; answers the failures in the window and how long the key is now locked. */
  async fail(key: string): Promise<{ failures: number; lockedForMs: number; lockouts: number }> {
    const now = this.clock.now().getTime();
    const p = this.policy;
    // Now and then the counters of keys tried long ago are dropped, so the table stays small.
    if (Math.random() < 0.02) await this.prune();
    return this.db.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO accounts_failures (key, count, window_start, locked_until, lockouts) VALUES (${key}, 0, ${now}, 0, 0) ON CONFLICT (key) DO NOTHING`);
      // PostgreSQL: the row is locked until commit, so two replicas counting at once both count.
      const lock = tx.dialect === "postgres" ? sql` FOR UPDATE` : sql``;
      const row = (await tx.get<FailureRow>(sql`SELECT count, window_start, locked_until, lockouts FROM accounts_failures WHERE key = ${key}${lock}`))!;
      let count = Number(row.count);
      let windowStart = Number(row.window_start);
      let lockedUntil = Number(row.locked_until);
      let lockouts = Number(row.lockouts);
      if (lockedUntil > now) return { failures: count, lockedForMs: lockedUntil - now, lockouts };
      // A window that passed quietly (no failure and no lock in it) forgets earlier lockouts too.
      if (now - Math.max(windowStart, lockedUntil) > p.windowMs) {
        count = 0;
        windowStart = now;
        if (now - lockedUntil > p.windowMs) lockouts = 0;
      }
      count += 1;
      // After a lockout, one more failure in the window locks again, for twice as long.
      if (count >= (lockouts > 0 ? 1 : p.maxFailures)) {
        lockouts += 1;
        lockedUntil = now + Math.min(p.baseDelayMs * 2 ** (lockouts - 1), p.maxDelayMs);
        count = 0;
        windowStart = now;
      }
      await tx.run(sql`UPDATE accounts_failures SET count = ${count}, window_start = ${windowStart}, locked_until = ${lockedUntil}, lockouts = ${lockouts} WHERE key = ${key}`);
      return { failures: count, lockedForMs: Math.max(0, lockedUntil - now), lockouts };
    });
  }

  /** Forgets keys with no failure and no lock within the window (names and addresses tried once). */
  async prune(): Promise<number> {
    const before = this.clock.now().getTime() - this.policy.windowMs;
    return this.db.run(sql`DELETE FROM accounts_failures WHERE window_start < ${before} AND locked_until < ${before}`);
  }

  async clear(key: string): Promise<void> {
    await this.db.run(sql`DELETE FROM accounts_failures WHERE key = ${key}`);
  }
}
