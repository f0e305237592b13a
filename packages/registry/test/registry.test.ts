import assert from "node:assert/strict";
import { fixedClock, isKysoError, KysoError, type Clock } from "@kyso/core";
import {
  DAY_MS,
  formatDay,
  REGISTRY_MIGRATIONS,
  openRegistry,
  parseCertificates,
  crlFacts,
  parseDateArgument,
  type CertificateFacts,
  type CertificateImport,
  type Registry,
} from "../src/index.js";
import { syntheticCertificate, syntheticCrl, syntheticIssuer } from "../src/synthetic.js";
import { appliedMigrations, sql } from "@kyso/db";
import { backends, requireBackend } from "./support/backends.js";
import { pkiBytes } from "./support/pki.js";

function pkiCert(name: string): CertificateFacts {
  const [facts] = parseCertificates(pkiBytes(`${name}.pem`));
  return facts;
}

/** A small province: the province, one department, one district with one commune. */
const TREE = [
  { code: "PY", name: "Tỉnh Phú Yên", level: "province" as const },
  { code: "PY-STP", name: "Sở Tư pháp", level: "department" as const, parent: "PY" },
  { code: "PY-TH", name: "Huyện Tuy Hoà", level: "district" as const, parent: "PY" },
  { code: "PY-TH-AP", name: "Xã An Phú", level: "commune" as const, parent: "PY-TH" },
  { code: "PY-TH-TP", name: "Phòng Tư pháp huyện", level: "department" as const, parent: "PY-TH" },
];

function item(facts: CertificateFacts, unit: string, extra: Partial<CertificateImport> = {}): CertificateImport {
  return { facts, holder: { name: facts.subjectCommonName ?? "?" }, unit, type: "personal", source: `${facts.serial}.pem`, ...extra };
}

async function rejectionOf(p: Promise<unknown>): Promise<KysoError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KysoError) return e;
    throw e;
  }
  assert.fail("expected the call to be rejected");
}

for (const backend of backends) {
  describe(`registry on ${backend.name}`, function () {
    let spec: string;
    let registry: Registry;
    let clock: Clock;
    const officer = pkiCert("officer-rsa");

    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      spec = await backend.fresh();
      // Two days after the test PKI's certificates begin: all valid but `expired`.
      clock = fixedClock(new Date(officer.notBefore.getTime() + 2 * DAY_MS));
      registry = await openRegistry(spec, { clock, actor: "test" });
      await registry.addUnits(TREE);
    });
    afterEach(async () => {
      await registry?.close();
    });
    after(() => backend.cleanup());

    it("applies each migration once, also when opened again", async () => {
      const again = await openRegistry(spec, { clock });
      const applied = await appliedMigrations(again.db);
      await again.close();
      assert.deepEqual(applied.map((m) => [m.namespace, m.version]), REGISTRY_MIGRATIONS.migrations.map((m) => ["registry", m.version]));
    });

    it("counts the test PKI's certificates in the report exactly: import, revoke, renew, CRL sync", async () => {
      const earlier = new Date(officer.notBefore.getTime() - 40 * DAY_MS);
      const res = await registry.importCertificates([
        item(pkiCert("officer-rsa"), "PY-STP", { tokenSerial: "TOKEN-1" }), // department of the province: province level
        item(pkiCert("officer-ec"), "PY-TH", { tokenSerial: "TOKEN-2" }), // district
        item(pkiCert("org-seal"), "PY", { type: "organization", holder: { name: "UBND tỉnh Phú Yên" } }), // province
        item(pkiCert("revoked"), "PY-TH-AP"), // commune
        item(pkiCert("onboard"), "PY-TH-TP", { issuedAt: earlier }), // district department, issued before the period
      ]);
      assert.equal(res.imported.length, 5);
      assert.equal(res.rejected.length, 0);

      const expired = await rejectionOf(registry.importCertificates([item(pkiCert("expired"), "PY")]));
      assert.equal(expired.code, "IMPORT_REJECTED");
      assert.match(expired.message, /expired/);

      await registry.revoke(pkiCert("officer-ec").serial, "affiliationChanged");
      const renewal = pkiCert("officer-ec384");
      const renewed = await registry.renew(pkiCert("officer-rsa").serial.toUpperCase(), renewal);
      assert.equal(renewed.imported[0].serial, renewal.serial);

      const crl = crlFacts(pkiBytes("intermediate.crl"));
      const synced = await registry.syncCrl(crl);
      assert.deepEqual(synced.revoked.map((r) => r.serial), [pkiCert("revoked").serial]);
      assert.equal(synced.revoked[0].reason, "keyCompromise");
      const again = await registry.syncCrl(crl);
      assert.equal(again.revoked.length, 0);
      assert.equal(again.alreadyRevoked, 1);

      const from = formatDay(officer.notBefore);
      const report = await registry.report({ from: parseDateArgument(from), to: clock.now() });
      assert.equal(report.from, from);
      assert.equal(report.to, formatDay(clock.now()));
      // In the period: officer-rsa, officer-ec, org-seal, revoked, the renewal; onboard was issued before.
      assert.deepEqual(report.issued.byLevel, { province: 3, district: 1, commune: 1 });
      assert.equal(report.issued.total, 5);
      assert.deepEqual(report.issued.byUnit, { PY: 1, "PY-STP": 2, "PY-TH": 1, "PY-TH-AP": 1 });
      assert.deepEqual(report.cumulative, { total: 6, byLevel: { province: 3, district: 2, commune: 1 } });
      assert.deepEqual(report.revoked, { total: 2, byReason: { affiliationChanged: 1, keyCompromise: 1 } });
      assert.deepEqual(report.expiring, { "30": 0, "60": 0, "90": 0 });
      assert.equal(report.tokens.issued, 2);

      const district = await registry.report({ from: parseDateArgument(from), to: clock.now(), unit: "PY-TH" });
      assert.deepEqual(district.issued.byUnit, { "PY-TH": 1, "PY-TH-AP": 1 });
      assert.equal(district.cumulative.total, 3);

      const [shown] = await registry.findCertificates(renewal.serial);
      assert.equal(shown.replaces, pkiCert("officer-rsa").serial);
      assert.equal(shown.holder, "Nguyễn Văn An");
      assert.equal(shown.unit, "PY-STP");
      assert.equal(shown.tokenSerial, "TOKEN-1");
      const history = await registry.certificateHistory(pkiCert("officer-rsa").serial);
      assert.deepEqual(history.filter((e) => e.certificate === pkiCert("officer-rsa").serial).map((e) => e.kind), ["issued", "renewed"]);
    });

    it("finds certificates by serial in any case, with colons, and by fingerprint", async () => {
      await registry.importCertificates([item(officer, "PY")]);
      const colons = officer.serial.toUpperCase().match(/../g)!.join(":");
      assert.equal((await registry.findCertificates(colons))[0].fingerprint, officer.fingerprint);
      assert.equal((await registry.findCertificates(officer.fingerprint.toUpperCase()))[0].serial, officer.serial);
      assert.equal((await registry.findCertificates("00" + officer.serial)).length, 1);
      assert.equal((await registry.findCertificates("abcdef")).length, 0);
    });

    it("imports 10,000 certificates in one transaction, and none when one is bad", async () => {
      const issuer = syntheticIssuer();
      const now = clock.now().getTime();
      const items: CertificateImport[] = [];
      for (let i = 0; i < 10_000; i++) {
        const der = syntheticCertificate(issuer, {
          serial: (0x100000 + i).toString(16),
          subject: [["C", "VN"], ["CN", `Cán bộ ${i}`]],
          notBefore: new Date(now - DAY_MS),
          notAfter: new Date(now + 365 * DAY_MS),
        });
        items.push({ ...item(parseCertificates(der)[0], TREE[i % TREE.length].code), source: `line ${i + 2}` });
      }
      const bad = items.map((it, i) => (i === 7000 ? { ...it, unit: "NO-SUCH-UNIT" } : it));
      const e = await rejectionOf(registry.importCertificates(bad));
      assert.equal(e.code, "IMPORT_REJECTED");
      const rejected = e.details!.rejected as { source: string; code: string }[];
      assert.deepEqual(rejected, [{ source: "line 7002", code: "UNKNOWN_UNIT", reason: "unknown unit NO-SUCH-UNIT", params: { unit: "NO-SUCH-UNIT" } }]);
      assert.equal((await registry.listCertificates()).length, 0);

      const skipped = await registry.importCertificates(bad, { skipInvalid: true });
      assert.equal(skipped.imported.length, 9_999);
      assert.deepEqual(skipped.rejected.map((r) => r.source), ["line 7002"]);
      const all = await registry.listCertificates();
      assert.equal(all.length, 9_999);
      assert.equal(new Set(all.map((c) => c.serial)).size, 9_999);
      const twice = await rejectionOf(registry.importCertificates(items.slice(0, 3)));
      assert.deepEqual((twice.details!.rejected as { code: string }[]).map((r) => r.code), ["CERT_PRESENT", "CERT_PRESENT", "CERT_PRESENT"]);
    });

    it("counts and lists certificates expiring within 30/60/90 days of the frozen clock", async () => {
      const issuer = syntheticIssuer();
      const now = clock.now().getTime();
      const lifetimes = [10, 45, 80, 200, 29];
      const facts = lifetimes.map((days, i) =>
        parseCertificates(
          syntheticCertificate(issuer, { serial: `e${i}`, subject: [["CN", `E ${i}`]], notBefore: new Date(now - DAY_MS), notAfter: new Date(now + days * DAY_MS) }),
        )[0],
      );
      await registry.importCertificates(facts.map((f) => item(f, "PY-TH-AP")));
      await registry.revoke("e4", "cessationOfOperation");
      const report = await registry.report();
      assert.deepEqual(report.expiring, { "30": 1, "60": 2, "90": 3 });
      const soon = await registry.listCertificates({ expiringWithinDays: 60 });
      assert.deepEqual(soon.map((c) => c.serial), ["e0", "e1"]);
      const later = await openRegistry(spec, { clock: fixedClock(new Date(now + 100 * DAY_MS)) });
      try {
        assert.deepEqual((await later.listCertificates({ status: "expired" })).map((c) => c.serial), ["e0", "e1", "e2"]);
        assert.deepEqual((await later.listCertificates({ status: "active" })).map((c) => c.serial), ["e3"]);
        assert.deepEqual((await later.listCertificates({ status: "revoked" })).map((c) => c.serial), ["e4"]);
      } finally {
        await later.close();
      }
    });

    it("marks CRL entries revoked or, for certificateHold, suspended, by issuer and serial", async () => {
      const issuer = syntheticIssuer();
      const other = syntheticIssuer([["C", "VN"], ["CN", "Another CA"]]);
      const now = clock.now().getTime();
      const mk = (iss: typeof issuer, serial: string) =>
        parseCertificates(syntheticCertificate(iss, { serial, subject: [["CN", serial]], notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 300 * DAY_MS) }))[0];
      await registry.importCertificates([item(mk(issuer, "0a01"), "PY"), item(mk(issuer, "0a02"), "PY"), item(mk(other, "0a03"), "PY")]);
      const crl = crlFacts(
        syntheticCrl(issuer, clock.now(), [
          { serial: "0a01", date: new Date(now - 3600_000), reasonCode: 1 },
          { serial: "0a02", date: new Date(now - 3600_000), reasonCode: 6 },
          { serial: "0a03", date: new Date(now - 3600_000) }, // same serial, other issuer: not ours
        ]),
      );
      const res = await registry.syncCrl(crl);
      assert.deepEqual(res.revoked.map((r) => [r.serial, r.reason]), [["0a01", "keyCompromise"], ["0a02", "certificateHold"]]);
      assert.equal(res.unknown, 1);
      const statuses = Object.fromEntries((await registry.listCertificates()).map((c) => [c.serial, c.status]));
      assert.deepEqual(statuses, { "0a01": "revoked", "0a02": "suspended", "0a03": "active" });
    });

    it("moves tokens through their life and refuses impossible moves, keeping every event", async () => {
      await registry.addToken({ serial: "5B0A1C", manufacturer: "Feitian", model: "ePass2003" });
      await registry.addToken({ serial: "5B0A1D" });
      const dup = await rejectionOf(registry.addToken({ serial: "5B0A1C" }));
      assert.equal(dup.code, "TOKEN_PRESENT");
      await registry.changeToken("5B0A1C", "issue", { holder: { name: "Trần Thị Bình" }, unit: "PY-TH" });
      await registry.changeToken("5B0A1C", "lock");
      await registry.changeToken("5B0A1C", "pin-reset", { note: "PIN reset at the help desk" });
      await registry.changeToken("5B0A1D", "lost");
      const bad = await rejectionOf(registry.changeToken("5B0A1D", "issue", { holder: { name: "X" }, unit: "PY" }));
      assert.equal(bad.code, "TOKEN_STATE");
      const found = await registry.getToken("5B0A1C");
      assert.equal(found!.token.status, "issued");
      assert.equal(found!.token.holder, "Trần Thị Bình");
      assert.deepEqual(found!.history.map((e) => e.kind), ["token_added", "token_issued", "token_locked", "pin_reset"]);
      const report = await registry.report();
      assert.equal(report.tokens.issued, 1);
      assert.equal(report.tokens.lost, 1);
      assert.equal(report.tokens.in_stock, 0);
    });

    it("records corrections as new events and keeps the old values in the history", async () => {
      await registry.importCertificates([item(officer, "PY")]);
      const after = await registry.correct(officer.serial, { unit: "PY-TH-AP", holder: { name: "Nguyễn Văn An" } });
      assert.equal(after.unit, "PY-TH-AP");
      assert.equal(after.level, "commune");
      const history = await registry.certificateHistory(officer.serial);
      assert.deepEqual(history.map((e) => e.kind), ["issued", "corrected"]);
      assert.deepEqual(history[1].details.before, { holder: "Nguyễn Văn An", unit: "PY", type: "personal", tokenSerial: null });
      assert.equal((history[1].details.after as { unit: string }).unit, "PY-TH-AP");
      assert.equal(history[1].actor, "test");
    });

    it("rejects units with unknown parents, cycles and duplicates, all or nothing", async () => {
      const e = await rejectionOf(
        registry.addUnits([
          { code: "A", name: "A", level: "district", parent: "B", source: "line 2" },
          { code: "B", name: "B", level: "district", parent: "A", source: "line 3" },
          { code: "C", name: "C", level: "commune", parent: "NOPE", source: "line 4" },
          { code: "PY", name: "again", level: "province", source: "line 5" },
          { code: "D", name: "D", level: "commune", parent: "E", source: "line 6" },
          { code: "E", name: "E", level: "district", parent: "PY", source: "line 7" },
        ]),
      );
      const sources = (e.details!.rejected as { source: string }[]).map((r) => r.source).sort();
      assert.deepEqual(sources, ["line 2", "line 3", "line 4", "line 5"]);
      assert.equal((await registry.listUnits()).length, TREE.length);
      // Children before parents in the same list are fine.
      assert.equal(await registry.addUnits([{ code: "D", name: "D", level: "commune", parent: "E" }, { code: "E", name: "E", level: "district", parent: "PY" }]), 2);
      assert.equal((await registry.getUnit("D"))!.reportLevel, "commune");
    });

    if (backend.name === "postgres") {
      it("two concurrent imports of the same certificates on separate connections leave no duplicate", async () => {
        const issuer = syntheticIssuer();
        const now = clock.now().getTime();
        const facts = Array.from({ length: 300 }, (_, i) =>
          parseCertificates(syntheticCertificate(issuer, { serial: (0x5000 + i).toString(16), subject: [["CN", `C ${i}`]], notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 99 * DAY_MS) }))[0],
        );
        const second = await openRegistry(spec, { clock });
        try {
          const outcomes = await Promise.allSettled([
            registry.importCertificates(facts.map((f) => item(f, "PY"))),
            second.importCertificates([...facts].reverse().map((f) => item(f, "PY-TH"))),
          ]);
          const ok = outcomes.filter((o) => o.status === "fulfilled");
          const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
          assert.equal(ok.length, 1);
          assert.equal(failed.length, 1);
          assert.ok(isKysoError(failed[0].reason, "IMPORT_REJECTED"), String(failed[0].reason));
          const n = await registry.db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM certificates`);
          assert.equal(Number(n!.n), 300);
        } finally {
          await second.close();
        }
      });
    }
  });
}
