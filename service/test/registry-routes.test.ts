import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { DAY_MS, openRegistry, parseCertificates, type CertificateRecord, type Registry, type RegistryReport } from "@kyso/registry";
import { syntheticCertificate, syntheticIssuer } from "@kyso/registry/synthetic";
import { Accounts, ACCOUNTS_MIGRATIONS } from "@kyso/accounts";
import { migrate } from "@kyso/db";
import { registryRouter } from "../src/registry-routes.js";
import { Auth } from "../src/auth.js";
import { backends, requireBackend } from "../../packages/registry/test/support/backends.js";

let KEY = "";

async function serve(router: express.Router): Promise<{ base: string; server: Server }> {
  const app = express();
  app.use(router);
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

for (const backend of backends) {
  describe(`registry API on ${backend.name}`, function () {
    let registry: Registry;
    let base: string;
    let server: Server;
    let auth: Auth;
    let adminCookie = "";
    let clerkCookie = "";
    let gatewayKey = "";

    before(async function () {
      requireBackend(this, backend);
      registry = await openRegistry(await backend.fresh());
      await registry.addUnits([
        { code: "PY", name: "Tỉnh Phú Yên", level: "province" },
        { code: "PY-TH", name: "Huyện Tuy Hoà", level: "district", parent: "PY" },
        { code: "PY-TH-AP", name: "Xã An Phú", level: "commune", parent: "PY-TH" },
      ]);
      const issuer = syntheticIssuer();
      const now = Date.now();
      const units = ["PY", "PY-TH", "PY-TH-AP", "PY-TH-AP"];
      const days = [20, 50, 400, 10];
      await registry.importCertificates(
        units.map((unit, i) => ({
          facts: parseCertificates(
            syntheticCertificate(issuer, { serial: `c${i}`, subject: [["CN", `Cán bộ ${i}`]], notBefore: new Date(now - DAY_MS), notAfter: new Date(now + days[i] * DAY_MS) }),
          )[0],
          holder: { name: `Cán bộ ${i}` },
          unit,
          type: "personal" as const,
          source: `c${i}`,
        })),
      );
      await registry.revoke("c3", "keyCompromise");
      // Admins and registry:read keys may read; clerks and other keys may not (accounts in the same database).
      await migrate(registry.db, [ACCOUNTS_MIGRATIONS]);
      const accounts = new Accounts(registry.db);
      await accounts.addUser("admin", "admin", "quản trị 2026!");
      await accounts.addUser("clerk", "clerk", "văn thư 2026!");
      KEY = (await accounts.createApiKey("dashboard", ["registry:read"])).key;
      gatewayKey = (await accounts.createApiKey("gateway", ["inbox:write", "verify"])).key;
      const a = await accounts.signIn("admin", "quản trị 2026!");
      const c = await accounts.signIn("clerk", "văn thư 2026!");
      assert.ok(a.ok && c.ok);
      adminCookie = `kyso_session=${a.token}`;
      clerkCookie = `kyso_session=${c.token}`;
      auth = new Auth({ accounts });
      ({ base, server } = await serve(registryRouter({ openRegistry: () => registry, auth })));
    });
    after(async () => {
      server?.close();
      await registry?.close();
      await backend.cleanup();
    });

    it("answers 401 without credentials or with a wrong key, 403 to a clerk or a key without registry:read, 200 to an admin", async () => {
      assert.equal((await fetch(`${base}/api/v1/registry/report`)).status, 401);
      assert.equal((await fetch(`${base}/api/v1/registry/report`, { headers: { "X-API-Key": KEY } })).status, 401, "only Authorization: Bearer");
      assert.equal((await fetch(`${base}/api/v1/registry/certificates`, { headers: { Authorization: `Bearer ${KEY}x` } })).status, 401);
      assert.equal((await fetch(`${base}/api/v1/registry/report`, { headers: { cookie: clerkCookie } })).status, 403);
      assert.equal((await fetch(`${base}/api/v1/registry/report`, { headers: { Authorization: `Bearer ${gatewayKey}` } })).status, 403);
      assert.equal((await fetch(`${base}/api/v1/registry/report`, { headers: { cookie: adminCookie } })).status, 200);
    });

    it("serves the report with the same JSON as kyso certs report --json, for a unit's subtree", async () => {
      const res = await fetch(`${base}/api/v1/registry/report?unit=PY-TH`, { headers: { Authorization: `Bearer ${KEY}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as RegistryReport;
      const direct = await registry.report({ unit: "PY-TH" });
      assert.deepEqual({ ...body, generatedAt: "" }, { ...direct, generatedAt: "" });
      assert.deepEqual(body.cumulative.byLevel, { province: 0, district: 1, commune: 2 });
      assert.deepEqual(body.expiring, { "30": 0, "60": 1, "90": 1 });
      assert.equal((await fetch(`${base}/api/v1/registry/report?unit=NOPE`, { headers: { Authorization: `Bearer ${KEY}` } })).status, 404);
      assert.equal((await fetch(`${base}/api/v1/registry/report?from=yesterday`, { headers: { Authorization: `Bearer ${KEY}` } })).status, 400);
    });

    it("lists certificates by status, unit and expiry with a bearer token", async () => {
      const get = async (q: string) => {
        const res = await fetch(`${base}/api/v1/registry/certificates${q}`, { headers: { Authorization: `Bearer ${KEY}` } });
        assert.equal(res.status, 200);
        return ((await res.json()) as CertificateRecord[]).map((c) => c.serial);
      };
      assert.deepEqual(await get("?expiringWithin=30"), ["c0"]);
      assert.deepEqual(await get("?status=revoked"), ["c3"]);
      assert.deepEqual((await get("?unit=PY-TH")).sort(), ["c1", "c2", "c3"]);
      assert.deepEqual(await get("?unit=PY-TH&status=active&expiringWithin=60"), ["c1"]);
      assert.equal((await fetch(`${base}/api/v1/registry/certificates?status=lost`, { headers: { Authorization: `Bearer ${KEY}` } })).status, 400);
    });
  });
}

describe("registry API without credentials", () => {
  it("answers 401 and never opens the registry", async () => {
    let opened = 0;
    const accounts = await Accounts.open("sqlite::memory:");
    const { base, server } = await serve(
      registryRouter({
        openRegistry: () => {
          opened++;
          throw new Error("must not be opened");
        },
        auth: new Auth({ accounts }),
      }),
    );
    try {
      const res = await fetch(`${base}/api/v1/registry/report`, { headers: { Authorization: "Bearer anything" } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="kyso", error="invalid_token"');
      assert.equal(((await res.json()) as { code: string }).code, "UNAUTHENTICATED");
      assert.equal((await fetch(`${base}/api/v1/registry/report`)).status, 401);
      assert.equal(opened, 0);
    } finally {
      server.close();
      await accounts.close();
    }
  });
});
