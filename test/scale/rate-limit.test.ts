import assert from "node:assert/strict";
import { openDatabase, sql, type Database } from "@kyso/db";
import { parseRateLimit, RateLimiter, retryAfter } from "../../service/src/rate-limit.js";
import { backends, requireBackend } from "../../packages/registry/test/support/backends.js";

/**
 * The rate limiter's counters in the database (service/src/rate-limit.ts), on both backends: the
 * sliding window admits exactly the limit, answers when to come back, and forgets; two limiters on
 * two connections to one database (two replicas) share one budget, even when they race.
 */
describe("rate limits: per-client counters in the database", function () {
  it("--rate-limit values: requests per window, off, and refusals", () => {
    assert.deepEqual(parseRateLimit("600/min"), { limit: 600, windowMs: 60_000 });
    assert.deepEqual(parseRateLimit("20/s"), { limit: 20, windowMs: 1000 });
    assert.deepEqual(parseRateLimit("100/10s"), { limit: 100, windowMs: 10_000 });
    assert.deepEqual(parseRateLimit("5000/h"), { limit: 5000, windowMs: 3_600_000 });
    assert.equal(parseRateLimit("off"), undefined);
    for (const bad of ["600", "0/min", "-1/min", "10/ms", "10/0s", "x/min", "10/2d"]) assert.throws(() => parseRateLimit(bad), { code: "USAGE" }, bad);
  });

  it("Retry-After: when the estimate falls back within the limit", () => {
    // 10 per 60 s window; previous window 10, current 0, at the window's start: wait until the
    // previous window's weight is 9 or less, 6 s.
    assert.equal(retryAfter(10, 60_000, 10, 0, 0), 6);
    // Current window full (10), 30 s in: wait for its end, then until 10 × (1 − t/60) ≤ 9: 30 + 6.
    assert.equal(retryAfter(10, 60_000, 0, 10, 30_000), 36);
    assert.equal(retryAfter(10, 60_000, 0, 10, 59_999), 7);
  });

  for (const backend of backends)
    describe(backend.name, function () {
      const opened: Database[] = [];
      const open = async (spec: string): Promise<Database> => {
        const db = await openDatabase(spec, { cwd: process.cwd() });
        opened.push(db);
        return db;
      };
      before(function () {
        requireBackend(this, backend);
      });
      after(async () => {
        for (const db of opened.splice(0)) await db.close();
        await backend.cleanup();
      });

      it("admits the limit per client in a window, refuses the next with Retry-After, slides, and prunes old windows", async () => {
        const db = await open(await backend.fresh());
        let t = 1_000 * 60_000; // the start of a window
        const limiter = await RateLimiter.open(db, { limit: 5, windowMs: 60_000 }, { now: () => t });
        for (let i = 0; i < 5; i++) assert.equal((await limiter.admit("10.0.0.1|key:axis")).ok, true, `request ${i + 1}`);
        const refused = await limiter.admit("10.0.0.1|key:axis");
        assert.equal(refused.ok, false);
        assert.equal(refused.retryAfterS, 60 + 12, "after this window, until 5 × (1 − t/60 s) ≤ 4");
        // Another client (same address, another principal) has its own budget.
        assert.equal((await limiter.admit("10.0.0.1|user:lan")).ok, true);
        // Refusals are not counted: the row holds the 5 admitted.
        const row = await db.get<{ hits: number | string }>(sql`SELECT hits FROM ratelimit_counters WHERE client = ${"10.0.0.1|key:axis"}`);
        assert.equal(Number(row?.hits), 5);
        // Half-way into the next window the previous one weighs 2.5: two more are admitted, not three.
        t += 90_000;
        assert.equal((await limiter.admit("10.0.0.1|key:axis")).ok, true);
        assert.equal((await limiter.admit("10.0.0.1|key:axis")).ok, true);
        assert.equal((await limiter.admit("10.0.0.1|key:axis")).ok, false);
        // Two windows later everything older than the previous window is deleted.
        t += 120_000;
        assert.equal((await limiter.admit("10.0.0.2|-")).ok, true);
        await new Promise((r) => setTimeout(r, 200));
        const left = await db.all<{ client: string }>(sql`SELECT client FROM ratelimit_counters ORDER BY client`);
        assert.deepEqual(left.map((r) => r.client), ["10.0.0.2|-"]);
      });

      it("two replicas (two connections) share the budget: 60 racing requests, exactly the limit admitted", async () => {
        const spec = await backend.fresh();
        const [a, b] = [await open(spec), await open(spec)];
        const t = 2_000 * 60_000 + 1_000;
        const rule = { limit: 25, windowMs: 60_000 };
        const [la, lb] = [await RateLimiter.open(a, rule, { now: () => t }), await RateLimiter.open(b, rule, { now: () => t })];
        const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? la : lb).admit("192.0.2.7|key:gateway")));
        assert.equal(results.filter((r) => r.ok).length, 25);
        assert.ok(results.filter((r) => !r.ok).every((r) => r.retryAfterS >= 1));
      });
    });
});
