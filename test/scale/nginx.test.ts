import assert from "node:assert/strict";
import { pki } from "@kyso/certs-test";
import { postgresBackend, requireBackend } from "../../packages/registry/test/support/backends.js";
import { passwordOf, provision, signIn, TEST_USERS } from "../service/support.js";
import { alive, answeredBy, deploy, type Deployment } from "./support.js";

/**
 * deploy/run-local.sh with two replicas and `--rate-limit 6/min`: the limit is one budget for a
 * client (address and principal) whichever replica serves it, since the counters are in the
 * shared PostgreSQL; another principal from the same address has its own. With no replica left,
 * nginx answers 503 + Retry-After (deploy/nginx/kyso.conf.in), never a bare 502.
 */
describe("scale-out: rate limits through nginx, shared by the replicas; no replica left is a retryable 503", function () {
  let dep: Deployment;

  before(async function () {
    requireBackend(this, postgresBackend);
    const db = await postgresBackend.fresh();
    await provision(db, { users: TEST_USERS });
    dep = await deploy(db, 2, ["--trust", pki.root, "--rate-limit", "6/min"]);
  });
  after(async () => {
    await dep?.stop();
    await postgresBackend.cleanup();
  });

  it("a clerk gets 6 requests a minute across both replicas, then 429 + Retry-After; the admin from the same address still gets hers", async () => {
    const clerk = await signIn(dep.url, "clerk", passwordOf("clerk"));
    const statuses: number[] = [];
    const replicas = new Set<number>();
    let retryAfter = 0;
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${dep.url}/api/v1/session`, { headers: clerk.headers });
      statuses.push(res.status);
      if (res.status === 200) replicas.add(answeredBy(res)!);
      if (res.status === 429) {
        retryAfter = Number(res.headers.get("retry-after"));
        assert.equal(((await res.json()) as { code: string }).code, "RATE_LIMITED");
      } else await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    assert.equal(replicas.size, 2, "both replicas counted against one budget");
    assert.ok(retryAfter >= 1 && retryAfter <= 120, `Retry-After ${retryAfter}`);
    const admin = await signIn(dep.url, "admin", passwordOf("admin"));
    const res = await fetch(`${dep.url}/api/v1/session`, { headers: admin.headers });
    assert.equal(res.status, 200, "another principal has its own budget");
    // The refusals are logged by the replica that refused.
    assert.match(dep.log(1) + dep.log(2), /"msg":"rate-limited"/);
  });

  it("with every replica gone, nginx answers 503 + Retry-After (JSON), which clients retry", async () => {
    for (const r of dep.replicas) process.kill(r.pid, "SIGKILL");
    for (const r of dep.replicas) for (let i = 0; i < 50 && alive(r.pid); i++) await new Promise((ok) => setTimeout(ok, 20));
    for (const path of ["/healthz", "/api/v1/inbox"]) {
      const res = await fetch(`${dep.url}${path}`, { method: path === "/healthz" ? "GET" : "POST", headers: { "content-type": "application/xml" }, body: path === "/healthz" ? undefined : "<x/>" });
      assert.equal(res.status, 503, path);
      assert.equal(res.headers.get("retry-after"), "2");
      assert.equal(((await res.json()) as { code: string }).code, "UNAVAILABLE");
    }
  });
});
