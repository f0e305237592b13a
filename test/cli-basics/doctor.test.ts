import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { createServer } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pki } from "@kyso/certs-test";
import { parseCertificateDer } from "@kyso/cms";
import { openDatabase, sql } from "@kyso/db";
import { runKyso } from "../support/cli.js";

interface Check {
  id: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** A port nothing listens on: bound on port 0, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

const derOf = (pemFile: string) => new Uint8Array(new X509Certificate(readFileSync(pemFile)).raw);

describe("kyso doctor", function () {
  const dir = mkdtempSync(join(tmpdir(), "kyso-doctor-"));
  const dbPath = join(dir, "registry.db");
  // The test PKI's CRL address (the servers of the mocha root hook answer it).
  const crlUrl = parseCertificateDer(derOf(pki.officerRsa.cert)).crlUrls[0];
  const env = { XDG_DATA_HOME: join(dir, "data"), XDG_CACHE_HOME: join(dir, "cache"), KYSO_DB: `sqlite:${dbPath}` };
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function doctor(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; checks: Map<string, Check>; stderr: string }> {
    const r = await runKyso(["doctor", "--json", ...args], { env: { ...env, ...extraEnv }, cwd: "/tmp" });
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    assert.equal(out.ok, r.code === 0);
    return { code: r.code, checks: new Map(out.checks.map((c) => [c.id, c])), stderr: r.stderr };
  }

  before(async function () {
    assert.match(crlUrl, /^http:\/\/127\.0\.0\.1:\d+\//);
    // A registry database made by kyso itself: every registry migration applied.
    const r = await runKyso(["units", "list"], { env, cwd: "/tmp" });
    assert.equal(r.code, 0, r.stderr);
  });

  it("all OK (exit 0) on this machine: SoftHSM, the demo token, the store, a reachable CRL server, the database, the fonts", async function () {
    const before = createHash("sha256").update(readFileSync(dbPath)).digest("hex");
    const mtime = statSync(dbPath).mtimeMs;
    const { code, checks, stderr } = await doctor(["--check-url", crlUrl]);
    assert.equal(code, 0, `${stderr}\n${JSON.stringify([...checks.values()], null, 2)}`);
    assert.deepEqual([...checks.keys()], ["pkcs11", "tokens", "trust", "revocation", "database", "fonts"]);
    assert.match(checks.get("pkcs11")!.detail, /libsofthsm2\.so/);
    assert.match(checks.get("tokens")!.detail, /"KYSO-DEMO"/);
    assert.match(checks.get("trust")!.detail, /^3 anchors, 2 intermediates \(0 local/);
    assert.match(checks.get("revocation")!.detail, /reachable \(HTTP 200\)/);
    assert.match(checks.get("database")!.detail, /up to date \(registry v\d+\)/);
    assert.match(checks.get("fonts")!.detail, /Liberation Serif/);
    // Opened read-only: the file is as it was.
    assert.equal(createHash("sha256").update(readFileSync(dbPath)).digest("hex"), before);
    assert.equal(statSync(dbPath).mtimeMs, mtime);
  });

  it("an unreachable revocation server, a missing library, an expired local anchor and a missing font: exit 1, each with a fix", async function () {
    // The expired test leaf, dropped into the local store as an anchor, as an administrator might.
    const expiredDer = derOf(pki.expired.cert);
    const anchors = join(env.XDG_DATA_HOME, "kyso", "trust", "anchors");
    mkdirSync(anchors, { recursive: true });
    const sha = createHash("sha256").update(expiredDer).digest("hex");
    writeFileSync(join(anchors, `${sha}.pem`), new X509Certificate(expiredDer).toString());
    try {
      const port = await closedPort();
      const { code, checks } = await doctor(["--check-url", `http://127.0.0.1:${port}/ca.crl`, "--timeout", "2000"], {
        KYSO_PKCS11_LIB: join(dir, "no-such-pkcs11.so"),
        KYSO_SERIF_FONT: join(dir, "no-such-font.ttf"),
      });
      assert.equal(code, 1);
      const rev = checks.get("revocation")!;
      assert.equal(rev.ok, false);
      assert.match(rev.detail, /unreachable \(ECONNREFUSED\)/);
      assert.match(rev.fix!, new RegExp(`127\\.0\\.0\\.1:${port}\\) in the firewall`));
      assert.equal(checks.get("pkcs11")!.ok, false);
      assert.match(checks.get("pkcs11")!.fix!, /KYSO_PKCS11_LIB/);
      const trust = checks.get("trust")!;
      assert.equal(trust.ok, false);
      assert.match(trust.detail, /1 local.*expired: /);
      assert.match(trust.fix!, new RegExp(`kyso trust remove ${sha.slice(0, 16)}`));
      assert.equal(checks.get("fonts")!.ok, false);
      assert.match(checks.get("fonts")!.fix!, /fonts-liberation2/);
      // What is fine stays fine.
      assert.equal(checks.get("database")!.ok, true);
    } finally {
      rmSync(join(anchors, `${sha}.pem`));
    }
  });

  it("a database with a migration not applied is named, with how to fix it; the text form says FAIL and fix", async function () {
    const copy = join(dir, "behind.db");
    writeFileSync(copy, readFileSync(dbPath));
    const db = await openDatabase(`sqlite:${copy}`);
    const [last] = await db.all<{ version: number }>(sql`SELECT max(version) AS version FROM kyso_migrations WHERE namespace = 'registry'`);
    await db.run(sql`DELETE FROM kyso_migrations WHERE namespace = 'registry' AND version = ${last.version}`);
    await db.close();
    const { code, checks } = await doctor(["--check-url", crlUrl], { KYSO_DB: `sqlite:${copy}` });
    assert.equal(code, 1);
    const d = checks.get("database")!;
    assert.equal(d.ok, false);
    assert.match(d.detail, new RegExp(`migrations not applied: registry \\(missing ${last.version}\\)`));
    assert.match(d.fix!, /migrations apply when the database is opened/);

    const text = await runKyso(["doctor", "--check-url", crlUrl], { env: { ...env, KYSO_DB: `sqlite:${copy}` }, cwd: "/tmp" });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^FAIL Database: .*migrations not applied/m);
    assert.match(text.stdout, /^ {5}fix: Run any registry command/m);
    assert.match(text.stdout, /^OK {3}Fonts: /m);
    assert.match(text.stdout, /1 of 6 checks need attention\.\n$/);
  });

  it("without --check-url, the bundled CAs' own OCSP/CRL address is probed (closed network here: unreachable, with a fix)", async function () {
    const { code, checks } = await doctor(["--timeout", "1500"]);
    const rev = checks.get("revocation")!;
    assert.match(rev.detail, /^http:\/\/(ocsp\.)?ca\.gov\.vn\//);
    // Reachable on a machine with Internet access; here the network is closed.
    if (!rev.ok) {
      assert.equal(code, 1);
      assert.match(rev.fix!, /firewall/);
    }
  });
});
