import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { isKysoError } from "@kyso/core";
import { appliedMigrations, sql } from "@kyso/db";
import { Inbox, INBOX_MIGRATIONS, type InboxReceipt } from "../src/index.js";
import { backends, requireBackend } from "../../registry/test/support/backends.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

function receipt(n: number, indication = "TOTAL_PASSED", sender = "000.00.00.G22"): InboxReceipt {
  const body = enc(`<edXML:edXML n="${n}"/>`);
  const pdf = enc(`%PDF-1.7 document ${n}\n%%EOF\n`);
  const txt = enc("phụ lục\n");
  return {
    kind: "edxml",
    sha256: sha(body),
    body,
    senderId: sender,
    senderName: sender === "000.00.00.G22" ? "Văn phòng Chính phủ" : "Sở Tư pháp tỉnh Phú Yên",
    documentId: `${sender},2015/09/30,${n}/VPCP-TTĐT`,
    codeNumber: String(n),
    codeNotation: "VPCP-TTĐT",
    subject: `Văn bản ${n}`,
    promulgationDate: "2015/09/30",
    indication,
    subIndication: indication === "TOTAL_PASSED" ? null : "HASH_FAILURE",
    attachments: [
      { name: "van-ban.pdf", contentType: "application/pdf", sha256: sha(pdf), bytes: pdf, indication },
      { name: "phu-luc.txt", contentType: "text/plain", sha256: sha(txt), bytes: txt, indication: null },
    ],
    report: { kind: "edxml-package", indication, n },
  };
}

for (const backend of backends) {
  describe(`inbox store on ${backend.name}`, function () {
    let spec: string;
    let inbox: Inbox;
    let t = Date.UTC(2026, 0, 5, 2, 0, 0);
    const clock = { now: () => new Date((t += 1000)) };

    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      spec = await backend.fresh();
      inbox = await Inbox.open(spec, { clock, actor: "test" });
    });
    afterEach(async () => {
      await inbox?.close();
    });
    after(() => backend.cleanup());

    it("stores a package once by SHA-256, with its attachments byte for byte, its report and a received event", async () => {
      const r = receipt(1);
      const first = await inbox.receive(r);
      const again = await inbox.receive(r);
      assert.equal(first.created, true);
      assert.deepEqual(again, { id: first.id, created: false, indication: "TOTAL_PASSED" });
      const rec = (await inbox.get(first.id))!;
      assert.equal(rec.attachmentCount, 2);
      assert.equal(rec.documentId, "000.00.00.G22,2015/09/30,1/VPCP-TTĐT");
      assert.deepEqual(rec.report, r.report);
      assert.deepEqual(rec.attachments.map((a) => [a.n, a.name, a.indication]), [[0, "van-ban.pdf", "TOTAL_PASSED"], [1, "phu-luc.txt", null]]);
      assert.deepEqual(rec.events.map((e) => e.kind), ["received"]);
      const a = (await inbox.attachment(first.id, 0))!;
      assert.deepEqual(Buffer.from(a.bytes), Buffer.from(r.attachments[0].bytes));
      assert.deepEqual(Buffer.from((await inbox.body(first.id))!), Buffer.from(r.body));
      assert.equal(await inbox.attachment(first.id, 2), undefined);
      assert.equal(await inbox.findBySha256(r.sha256), first.id);
    });

    it("concurrent receipts of the same package end with one record and the same id (two connections on PostgreSQL)", async () => {
      // SQLite connections in one process would block each other's event loop (better-sqlite3 is
      // synchronous), so there the requests share one connection, as they do in `kyso serve`.
      const other = backend.name === "postgres" ? await Inbox.open(spec, { clock, actor: "other" }) : inbox;
      try {
        const r = receipt(2);
        const results = await Promise.all([inbox.receive(r), other.receive(r), inbox.receive(r), other.receive(r)]);
        assert.equal(new Set(results.map((x) => x.id)).size, 1);
        assert.equal(results.filter((x) => x.created).length, 1);
        const rows = await inbox.db.all<{ n: number | string }>(sql`SELECT COUNT(*) AS n FROM inbox_packages`);
        assert.equal(Number(rows[0].n), 1);
        const att = await inbox.db.all<{ n: number | string }>(sql`SELECT COUNT(*) AS n FROM inbox_attachments`);
        assert.equal(Number(att[0].n), 2);
      } finally {
        if (other !== inbox) await other.close();
      }
    });

    it("lists newest first and filters by verdict, sender id or name, and status", async () => {
      const a = await inbox.receive(receipt(10));
      const b = await inbox.receive(receipt(11, "TOTAL_FAILED"));
      const c = await inbox.receive(receipt(12, "TOTAL_PASSED", "000.00.12.H46"));
      assert.deepEqual((await inbox.list()).map((x) => x.id), [c.id, b.id, a.id]);
      assert.deepEqual((await inbox.list({ indication: "TOTAL_FAILED" })).map((x) => x.id), [b.id]);
      assert.deepEqual((await inbox.list({ sender: "000.00.12.H46" })).map((x) => x.id), [c.id]);
      assert.deepEqual((await inbox.list({ sender: "tư pháp" })).map((x) => x.id), [c.id]);
      assert.deepEqual((await inbox.list({ sender: "Văn phòng" })).map((x) => x.id), [b.id, a.id]);
      assert.deepEqual((await inbox.list({ limit: 2 })).map((x) => x.id), [c.id, b.id]);
      assert.deepEqual((await inbox.list({ before: b.id })).map((x) => x.id), [a.id]);
      await inbox.register(a.id, "125/ĐẾN");
      assert.deepEqual((await inbox.list({ status: "registered" })).map((x) => x.id), [a.id]);
    });

    it("registers with an arrival number or returns with a reason, as events; a second transition is refused; nothing is deleted", async () => {
      const a = await inbox.receive(receipt(20));
      const b = await inbox.receive(receipt(21, "TOTAL_FAILED"));
      const reg = await inbox.register(a.id, " 125/ĐẾN ");
      assert.equal(reg.status, "registered");
      assert.equal(reg.arrivalNumber, "125/ĐẾN");
      assert.deepEqual(reg.events.map((e) => [e.kind, e.actor, e.details]), [["received", "test", { indication: "TOTAL_PASSED" }], ["registered", "test", { arrivalNumber: "125/ĐẾN" }]]);
      const ret = await inbox.returnToSender(b.id, "Văn bản bị sửa sau khi ký", "văn thư");
      assert.equal(ret.status, "returned");
      assert.deepEqual(ret.events.at(-1)?.details, { reason: "Văn bản bị sửa sau khi ký" });
      await assert.rejects(inbox.returnToSender(a.id, "late"), (e: unknown) => isKysoError(e, "INBOX_STATE"));
      await assert.rejects(inbox.register(b.id, "1"), (e: unknown) => isKysoError(e, "INBOX_STATE"));
      await assert.rejects(inbox.register(9999, "1"), (e: unknown) => isKysoError(e, "INBOX_NOT_FOUND"));
      await assert.rejects(inbox.register(a.id, "  "), (e: unknown) => isKysoError(e, "USAGE"));
      assert.equal((await inbox.list()).length, 2);
    });

    it("has its own migration namespace, applied once (release 0.1's migration 3)", async () => {
      const again = await Inbox.open(spec, { clock });
      await again.close();
      const applied = await appliedMigrations(inbox.db);
      assert.deepEqual(applied.map((m) => [m.namespace, m.version]), INBOX_MIGRATIONS.migrations.map((m) => ["inbox", m.version]));
      assert.equal(INBOX_MIGRATIONS.migrations[0].legacyVersion, 3);
    });

    it("sends a sender filter holding quotes, ? and LIKE wildcards as bound values", async () => {
      const a = await inbox.receive(receipt(30));
      for (const sender of ["' OR 1=1 --", "?", "$1", "x'); DROP TABLE inbox_packages; --"]) assert.deepEqual(await inbox.list({ sender }), [], sender);
      assert.deepEqual((await inbox.list({ sender: "Văn phòng?" })).map((x) => x.id), []);
      assert.deepEqual((await inbox.list({ sender: "000.00.00.G22" })).map((x) => x.id), [a.id]);
    });
  });
}
