/**
 * Issue 13, registry: an import that imports nothing changes nothing; a lost or destroyed token's
 * certificates are revoked or kept in the same transaction, the decision in the history.
 */
import assert from "node:assert/strict";
import { fixedClock, type Clock } from "@kyso/core";
import { sql } from "@kyso/db";
import { DAY_MS, openRegistry, parseCertificates, type CertificateFacts, type CertificateImport, type Registry } from "../src/index.js";
import { backends, requireBackend } from "./support/backends.js";
import { pkiBytes } from "./support/pki.js";

function pkiCert(name: string): CertificateFacts {
  return parseCertificates(pkiBytes(`${name}.pem`))[0];
}

function item(facts: CertificateFacts, unit: string, tokenSerial: string | null): CertificateImport {
  return { facts, holder: { name: facts.subjectCommonName ?? "?" }, unit, type: "personal", tokenSerial, source: `${facts.serial}.pem` };
}

for (const backend of backends) {
  describe(`registry token loss and empty imports on ${backend.name}`, function () {
    let registry: Registry;
    let clock: Clock;
    const officer = pkiCert("officer-rsa");
    const ec = pkiCert("officer-ec");
    const counts = async () => {
      const n = async (table: string) => Number((await registry.db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${sql.table(table)}`))!.n);
      return { tokens: await n("tokens"), holders: await n("holders"), certificates: await n("certificates"), events: await n("events") };
    };

    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      clock = fixedClock(new Date(officer.notBefore.getTime() + 2 * DAY_MS));
      registry = await openRegistry(await backend.fresh(), { clock, actor: "test" });
      await registry.addUnits([{ code: "PY", name: "Tỉnh Phú Yên", level: "province" }]);
    });
    afterEach(async () => {
      await registry?.close();
    });
    after(() => backend.cleanup());

    it("an import that rejects every certificate writes no token, holder or event, with or without skipInvalid", async () => {
      const before = await counts();
      const token = { serial: "TK-READ", manufacturer: "SoftHSM project", model: "SoftHSM v2" };
      const allBad = [item(officer, "NO-SUCH-UNIT", "TK-A"), item(ec, "NO-SUCH-UNIT", "TK-B")];
      const skipped = await registry.importCertificates(allBad, { skipInvalid: true, token });
      assert.deepEqual(skipped.imported, []);
      assert.deepEqual(skipped.rejected.map((r) => r.code), ["UNKNOWN_UNIT", "UNKNOWN_UNIT"]);
      await assert.rejects(registry.importCertificates(allBad, { token }), { code: "IMPORT_REJECTED" });
      assert.deepEqual(await counts(), before);
      assert.equal(await registry.getToken("TK-READ"), undefined);

      // Already present: the second import of the same certificate leaves nothing new behind.
      await registry.importCertificates([item(officer, "PY", "TK-A")], { token: { serial: "TK-A", model: "SoftHSM v2" } });
      const once = await counts();
      assert.equal(once.tokens, 1);
      assert.equal((await registry.getToken("TK-A"))!.token.model, "SoftHSM v2", "the token read is recorded with what it imported");
      const again = await registry.importCertificates([{ ...item(officer, "PY", "TK-NEW"), holder: { name: "Someone Else" } }], { skipInvalid: true });
      assert.deepEqual(again.rejected.map((r) => r.code), ["CERT_PRESENT"]);
      assert.deepEqual(await counts(), once, "no holder 'Someone Else', no token TK-NEW");
    });

    it("a lost token's live certificates are revoked for keyCompromise, or kept, in one transaction with the decision recorded", async () => {
      await registry.importCertificates([item(officer, "PY", "TK-1"), item(ec, "PY", "TK-1")]);
      const live = await registry.certificatesOnToken("TK-1");
      assert.deepEqual(live.map((c) => c.serial).sort(), [officer.serial, ec.serial].sort());

      const done = await registry.retireToken("TK-1", "lost", { certificates: "revoke", note: "báo mất qua điện thoại" });
      assert.equal(done.token.status, "lost");
      assert.deepEqual(done.revoked.map((c) => [c.status, c.revocationReason]), [["revoked", "keyCompromise"], ["revoked", "keyCompromise"]]);
      assert.equal(done.revoked[0].revokedAt, clock.now().toISOString());
      assert.deepEqual(await registry.certificatesOnToken("TK-1"), []);
      const history = (await registry.getToken("TK-1"))!.history.at(-1)!;
      assert.equal(history.kind, "token_lost");
      assert.equal(history.details.certificates, "revoked");
      assert.deepEqual((history.details.certificateSerials as string[]).sort(), [officer.serial, ec.serial].sort());
      const certEvents = await registry.certificateHistory(officer.serial);
      assert.ok(certEvents.some((e) => e.kind === "revoked" && e.details.reason === "keyCompromise" && e.details.source === "token lost"));
      const report = await registry.report({ from: officer.notBefore, to: clock.now() });
      assert.deepEqual(report.revoked.byReason, { keyCompromise: 2 });
    });

    it("a destroyed token's certificates get cessationOfOperation; keeping them leaves them active; a refused move changes nothing", async () => {
      await registry.importCertificates([item(officer, "PY", "TK-2"), item(ec, "PY", "TK-3")]);
      const kept = await registry.retireToken("TK-2", "lost", { certificates: "keep" });
      assert.deepEqual(kept.revoked, []);
      assert.deepEqual(kept.kept.map((c) => c.status), ["active"]);
      assert.equal((await registry.getToken("TK-2"))!.history.at(-1)!.details.certificates, "kept");
      // lost -> lost is refused: the certificate must not be revoked by the refused move.
      await assert.rejects(registry.retireToken("TK-2", "lost", { certificates: "revoke" }), { code: "TOKEN_STATE" });
      assert.equal((await registry.findCertificates(officer.serial))[0].status, "active");
      const destroyed = await registry.retireToken("TK-3", "destroy", { certificates: "revoke" });
      assert.equal(destroyed.token.status, "destroyed");
      assert.deepEqual(destroyed.revoked.map((c) => c.revocationReason), ["cessationOfOperation"]);
      // A token with no live certificate: nothing to decide, nothing recorded about certificates.
      await registry.addToken({ serial: "TK-EMPTY" });
      const empty = await registry.retireToken("TK-EMPTY", "destroy", { certificates: "revoke" });
      assert.deepEqual([empty.revoked, empty.kept], [[], []]);
      assert.equal((await registry.getToken("TK-EMPTY"))!.history.at(-1)!.details.certificates, undefined);
    });
  });
}
