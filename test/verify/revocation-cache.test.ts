// The on-disk revocation cache: a response fetched once is reused offline until its nextUpdate,
// by another process (a new cache object on the same folder), and not after it.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { samples, serverBase } from "@kyso/certs-test";
import { RevocationCache, httpFetcher, type RevocationFetcher } from "@kyso/verify";
import { sign, tempDir, verify } from "./support.js";

async function deadBase(): Promise<string> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return `http://127.0.0.1:${port}`;
}

describe("verify: revocation cache on disk", function () {
  const dir = tempDir();
  let good: string;
  let down: RevocationFetcher;
  const fetched: string[] = [];
  const live: RevocationFetcher = (url, req) => {
    fetched.push(url);
    return httpFetcher(2000)(url, req);
  };
  before(async function () {
    good = await sign(samples.onePage, join(dir, "good.pdf"));
    const dead = await deadBase();
    const http = httpFetcher(500);
    down = (url, req) => http(url.replace(serverBase, dead), req);
  });

  it("a cached response is reused offline until its nextUpdate, then the status is unknown again", async function () {
    const cacheDir = join(dir, "cache");
    const online = await verify(good, { fetcher: live, cache: new RevocationCache(60_000, cacheDir) });
    assert.equal(online.indication, "TOTAL_PASSED", online.reasons.join("; "));
    assert.ok(fetched.some((u) => u.endsWith("/ocsp")), fetched.join(", "));
    assert.ok(readdirSync(cacheDir).length >= 2, "the OCSP response and the root CRL are on disk");

    // Another process, the network down: the cache on disk answers.
    const offline = await verify(good, { fetcher: down, cache: new RevocationCache(60_000, cacheDir) });
    assert.equal(offline.indication, "TOTAL_PASSED", offline.reasons.join("; "));
    assert.equal(offline.signatures[0].revocation.status, "good");

    // Past the OCSP response's nextUpdate (the test responder gives 24 h) the cached answer is stale.
    const later = new Date(Date.now() + 25 * 3600_000);
    const stale = await verify(good, { fetcher: down, cache: new RevocationCache(60_000, cacheDir), validationTime: later });
    assert.equal(stale.indication, "INDETERMINATE");
    assert.equal(stale.signatures[0].subIndication, "TRY_LATER");
    assert.equal(stale.signatures[0].revocation.status, "unknown");
  });

  it("no cache and no network: INDETERMINATE TRY_LATER, never a pass", async function () {
    const r = await verify(good, { fetcher: down, cache: new RevocationCache(60_000, join(dir, "empty-cache")) });
    assert.equal(r.indication, "INDETERMINATE");
    assert.equal(r.subIndication, "TRY_LATER");
  });
});
