import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DAY_MS, formatDay, parseCertificates, type CertificateRecord, type RegistryReport } from "@kyso/registry";
import { syntheticCertificate, syntheticIssuer } from "@kyso/registry/synthetic";
import { runKyso, type RunResult } from "../../test/support/cli.js";
import { backends, requireBackend } from "../../packages/registry/test/support/backends.js";
import { pkiBytes, pkiFile } from "../../packages/registry/test/support/pki.js";

const UNITS_CSV = `code,name,level,parent
PY-TH-AP,Xã An Phú,commune,PY-TH
PY,"Tỉnh Phú Yên",province,
PY-STP,Sở Tư pháp,department,PY
PY-TH,Huyện Tuy Hoà,district,PY
`;

function serialOf(name: string): string {
  return parseCertificates(pkiBytes(`${name}.pem`))[0].serial;
}

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  return r;
}

for (const backend of backends) {
  describe(`kyso units/certs/tokens on ${backend.name}`, function () {
    let db: string;
    let work: string;
    const kyso = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      runKyso([...args, "--db", db], { cwd: work, env: { KYSO_DB: "", XDG_DATA_HOME: work, KYSO_ACTOR: "cli-test", ...env } });

    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      db = await backend.fresh();
      work = mkdtempSync(join(tmpdir(), "kyso-registry-cli-"));
      writeFileSync(join(work, "units.csv"), UNITS_CSV);
      ok(await kyso(["units", "import", "--csv", "units.csv"]), "units import");
    });
    afterEach(() => rmSync(work, { recursive: true, force: true }));
    after(() => backend.cleanup());

    it("imports the test PKI, revokes, renews, syncs the CRL and reports exact counts as JSON, CSV and HTML", async () => {
      const units = JSON.parse(ok(await kyso(["units", "list", "--json"]), "units list").stdout) as { code: string; reportLevel: string }[];
      assert.deepEqual(units.map((u) => [u.code, u.reportLevel]), [["PY", "province"], ["PY-STP", "province"], ["PY-TH", "district"], ["PY-TH-AP", "commune"]]);

      ok(await kyso(["certs", "import", pkiFile("officer-rsa.pem"), "--holder", "Nguyễn Văn An", "--unit", "PY-STP", "--type", "personal", "--token-serial", "TK-1"]), "officer-rsa");
      ok(await kyso(["certs", "import", pkiFile("officer-ec.pem"), "--holder", "Trần Thị Bình", "--unit", "PY-TH", "--type", "personal"]), "officer-ec");
      ok(await kyso(["certs", "import", pkiFile("org-seal.pem"), "--holder", "UBND tỉnh Phú Yên", "--unit", "PY", "--type", "organization"]), "org-seal");
      ok(await kyso(["certs", "import", pkiFile("revoked.pem"), "--holder", "Phạm Văn Dũng", "--unit", "PY-TH-AP", "--type", "personal"]), "revoked");

      const expired = await kyso(["certs", "import", pkiFile("expired.pem"), "--holder", "Hoàng Thị Em", "--unit", "PY", "--type", "personal"]);
      assert.equal(expired.code, 1);
      assert.ok(expired.stderr.includes(pkiFile("expired.pem")) && /expired on/.test(expired.stderr), expired.stderr);
      const unknownUnit = await kyso(["certs", "import", pkiFile("officer-ec384.pem"), "--holder", "X", "--unit", "NOPE", "--type", "personal"]);
      assert.equal(unknownUnit.code, 1);
      assert.match(unknownUnit.stderr, /officer-ec384\.pem: unknown unit NOPE/);
      const garbage = join(work, "garbage.pem");
      writeFileSync(garbage, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
      const unparsable = await kyso(["certs", "import", garbage, "--holder", "X", "--unit", "PY", "--type", "personal"]);
      assert.equal(unparsable.code, 1);
      assert.ok(unparsable.stderr.includes("garbage.pem: not an X.509 certificate"), unparsable.stderr);

      const rsaColons = serialOf("officer-rsa").toUpperCase().match(/../g)!.join(":");
      ok(await kyso(["certs", "revoke", serialOf("officer-ec").toUpperCase(), "--reason", "affiliation-changed"]), "revoke");
      ok(await kyso(["certs", "renew", rsaColons, pkiFile("officer-ec384.pem")]), "renew");
      const sync = ok(await kyso(["certs", "sync-crl", pkiFile("intermediate.crl"), "--issuer-cert", pkiFile("intermediate.pem")]), "sync-crl");
      assert.match(sync.stdout, /1 newly revoked/);

      const today = formatDay(new Date());
      const first = formatDay(parseCertificates(pkiBytes("officer-rsa.pem"))[0].notBefore);
      const report = JSON.parse(ok(await kyso(["certs", "report", "--json", "--from", first, "--to", today]), "report").stdout) as RegistryReport;
      assert.equal(report.from, first);
      assert.equal(report.to, today);
      assert.deepEqual(report.issued.byLevel, { province: 3, district: 1, commune: 1 });
      assert.equal(report.issued.total, 5);
      assert.deepEqual(report.issued.byUnit, { PY: 1, "PY-STP": 2, "PY-TH": 1, "PY-TH-AP": 1 });
      assert.deepEqual(report.cumulative, { total: 5, byLevel: { province: 3, district: 1, commune: 1 } });
      assert.deepEqual(report.revoked, { total: 2, byReason: { affiliationChanged: 1, keyCompromise: 1 } });
      assert.deepEqual(report.expiring, { "30": 0, "60": 0, "90": 0 });
      assert.equal(report.tokens.issued, 1);

      const csv = ok(await kyso(["certs", "report", "--csv", "--from", first, "--to", today]), "report --csv").stdout.split("\r\n");
      assert.equal(csv[0], "section,key,count");
      assert.ok(csv.includes("issued.byLevel,province,3") && csv.includes("revoked.byReason,keyCompromise,1"), csv.join("\n"));

      ok(await kyso(["certs", "report", "--html", "report.html", "--from", first, "--to", today]), "report --html");
      const html = readFileSync(join(work, "report.html"), "utf8");
      assert.match(html, /^<!doctype html>/);
      assert.match(html, /<svg[^>]*>.*<rect/s);
      assert.ok(!/<script|<link|src=/i.test(html), "the page loads nothing");
      assert.equal((await kyso(["certs", "report", "--html", "report.html"])).code, 2, "an existing page is not replaced without --force");

      const shown = JSON.parse(ok(await kyso(["certs", "show", serialOf("officer-ec384"), "--json"]), "show").stdout) as {
        certificates: (CertificateRecord & { history: { kind: string }[] })[];
      };
      assert.equal(shown.certificates.length, 1);
      assert.equal(shown.certificates[0].replaces, serialOf("officer-rsa"));
      assert.equal(shown.certificates[0].tokenSerial, "TK-1");
      assert.deepEqual(shown.certificates[0].history.filter((e) => e.kind !== "token_issued").map((e) => e.kind), ["renewed"]);

      const revoked = JSON.parse(ok(await kyso(["certs", "list", "--status", "revoked", "--json"]), "list").stdout) as CertificateRecord[];
      assert.deepEqual(revoked.map((c) => c.serial).sort(), [serialOf("officer-ec"), serialOf("revoked")].sort());
      const listed = ok(await kyso(["certs", "list", "--unit", "PY-TH", "--csv"]), "list --csv").stdout.trim().split("\r\n");
      assert.equal(listed.length, 3, listed.join("\n")); // header, officer-ec (PY-TH), revoked (PY-TH-AP)
    });

    it("imports a 10,000-row CSV in one transaction; one bad row fails it all with its line, or is skipped", async () => {
      const issuer = syntheticIssuer();
      const now = Date.now();
      const codes = ["PY", "PY-STP", "PY-TH", "PY-TH-AP"];
      const rows = ["holder,unit,type,certificate,token_serial,issued_at"];
      for (let i = 0; i < 10_000; i++) {
        const der = syntheticCertificate(issuer, {
          serial: (0x200000 + i).toString(16),
          subject: [["C", "VN"], ["CN", `Cán bộ ${i}`]],
          notBefore: new Date(now - DAY_MS),
          notAfter: new Date(now + 700 * DAY_MS),
        });
        const unit = i === 4_999 ? "NO-SUCH-UNIT" : codes[i % codes.length];
        rows.push(`"Cán bộ ${i}",${unit},${i % 10 === 0 ? "organization" : "personal"},${Buffer.from(der).toString("base64")},TK${i},`);
      }
      writeFileSync(join(work, "bulk.csv"), rows.join("\n") + "\n");
      const failed = await kyso(["certs", "import", "--csv", "bulk.csv"]);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /bulk\.csv: line 5001: unknown unit NO-SUCH-UNIT/); // row 4,999 is on line 5,001 (header is line 1)
      assert.match(failed.stderr, /nothing imported/);
      assert.deepEqual(JSON.parse(ok(await kyso(["certs", "list", "--json"]), "list").stdout), []);

      const skipped = await kyso(["certs", "import", "--csv", "bulk.csv", "--skip-invalid", "--json"]);
      assert.equal(skipped.code, 1, "a skipped row still makes the exit status 1");
      const result = JSON.parse(skipped.stdout) as { imported: unknown[]; rejected: { source: string }[] };
      assert.equal(result.imported.length, 9_999);
      assert.deepEqual(result.rejected.map((r) => r.source), ["line 5001"]);
      const report = JSON.parse(ok(await kyso(["certs", "report", "--json"]), "report").stdout) as RegistryReport;
      assert.equal(report.cumulative.total, 9_999);
      assert.equal(report.tokens.issued, 9_999);
    });

    it("ends two simultaneous imports of the same files with no duplicates", async () => {
      const files = ["officer-rsa.pem", "officer-ec.pem", "org-seal.pem", "revoked.pem"].map(pkiFile);
      const args = ["certs", "import", ...files, "--holder", "Đơn vị", "--unit", "PY-TH", "--type", "organization"];
      const [a, b] = await Promise.all([kyso(args), kyso(args)]);
      assert.deepEqual([a.code, b.code].sort(), [0, 1], `${a.stderr}\n${b.stderr}`);
      const loser = a.code === 1 ? a : b;
      assert.equal(loser.stderr.match(/is already present in the registry/g)?.length, 4, loser.stderr);
      const listed = JSON.parse(ok(await kyso(["certs", "list", "--json"]), "list").stdout) as CertificateRecord[];
      assert.equal(listed.length, 4);
      assert.equal(new Set(listed.map((c) => c.fingerprint)).size, 4);
    });

    it("reads the certificates and identity of the SoftHSM token and records them with its serial", async function () {
      if (!process.env.SOFTHSM2_CONF || !process.env.KYSO_PKCS11_LIB) {
        if (process.env.CI) assert.fail("SOFTHSM2_CONF and KYSO_PKCS11_LIB must be set (certs-test/out/env.sh)");
        this.skip();
      }
      const slots = execFileSync("softhsm2-util", ["--show-slots"], { encoding: "utf8" });
      const block = slots.split(/^Slot /m).find((b) => /Label:\s*KYSO-DEMO\s*$/m.test(b)) ?? "";
      const demo = /Serial number:\s*(\S+)/.exec(block);
      assert.ok(demo, slots);
      const r = ok(await kyso(["certs", "import", "--from-token", "--token-label", "KYSO-DEMO", "--unit", "PY-STP", "--json"]), "from-token");
      const imported = (JSON.parse(r.stdout) as { imported: { serial: string }[] }).imported.map((i) => i.serial);
      assert.ok(imported.includes(serialOf("onboard")), r.stdout);
      const [cert] = JSON.parse(ok(await kyso(["certs", "list", "--json"]), "list").stdout).filter((c: CertificateRecord) => c.serial === serialOf("onboard"));
      assert.equal(cert.tokenSerial, demo[1]);
      assert.equal(cert.holder, parseCertificates(pkiBytes("onboard.pem"))[0].subjectCommonName);
      const token = JSON.parse(ok(await kyso(["tokens", "show", demo[1], "--json"]), "tokens show").stdout);
      assert.equal(token.status, "issued");
      assert.equal(token.model, "SoftHSM v2");
    });

    it("keeps token changes in the history and answers misuse with exit 2, refused input with 1", async () => {
      ok(await kyso(["tokens", "add", "0A1B2C3D", "--manufacturer", "Feitian", "--model", "ePass2003"]), "add");
      ok(await kyso(["tokens", "issue", "0A1B2C3D", "--holder", "Trần Thị Bình", "--unit", "PY-TH"]), "issue");
      ok(await kyso(["tokens", "lost", "0A1B2C3D", "--note", "reported by phone"]), "lost");
      const again = await kyso(["tokens", "issue", "0A1B2C3D", "--holder", "X", "--unit", "PY"]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /is lost; cannot issue/);
      const shown = JSON.parse(ok(await kyso(["tokens", "show", "0A1B2C3D", "--json"]), "show").stdout);
      assert.deepEqual(shown.history.map((e: { kind: string; actor: string }) => `${e.kind} by ${e.actor}`), [
        "token_added by cli-test",
        "token_issued by cli-test",
        "token_lost by cli-test",
      ]);
      assert.equal((await kyso(["certs", "import"])).code, 2);
      assert.equal((await kyso(["certs", "list", "--status", "bogus"])).code, 2);
      assert.equal((await kyso(["units", "add", "X1", "--name", "X", "--level", "village"])).code, 2);
      const missing = await kyso(["certs", "show", "ffff"]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No certificate with serial or fingerprint ffff/);
      const badCsv = join(work, "bad-units.csv");
      writeFileSync(badCsv, "code,name,level,parent\nQ1,Q,district,NOPE\n");
      const badUnits = await kyso(["units", "import", "--csv", badCsv]);
      assert.equal(badUnits.code, 1);
      assert.match(badUnits.stderr, /bad-units\.csv: line 2: unit Q1: unknown parent unit NOPE/);
    });
  });
}

describe("kyso registry commands' help", () => {
  for (const command of ["units", "certs", "tokens"]) {
    it(`kyso ${command} --help shows usage and examples`, async () => {
      const r = await runKyso([command, "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`kyso ${command} <action>`));
      assert.match(r.stdout, /Examples:/);
    });
  }
});
