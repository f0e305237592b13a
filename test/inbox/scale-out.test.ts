import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pki } from "@kyso/certs-test";
import type { InboxSummary } from "@kyso/inbox";
import { postgresBackend, requireBackend } from "../../packages/registry/test/support/backends.js";
import { header, pdfAttachment, pkg, signedPackage, signedPdfs } from "../edxml/support.js";
import { tempDir } from "../verify/support.js";
import { serve, type Served } from "../service/support.js";

/**
 * Two `kyso serve` processes on different ports share one PostgreSQL database (scripts/postgres.sh);
 * the same package posted to both at the same moment must end as exactly one record whose id both
 * answer, visible from either. Under CI a missing PostgreSQL fails this test instead of skipping it.
 */
describe("inbox scale-out: two kyso serve instances on one PostgreSQL database", function () {
  const dir = tempDir("kyso-inbox-pg-");
  let a: Served;
  let b: Served;
  const packages: string[] = [];

  before(async function () {
    requireBackend(this, postgresBackend);
    const db = await postgresBackend.fresh();
    const pdfs = await signedPdfs(dir);
    for (let i = 0; i < 5; i++) {
      const file = join(dir, `goi-${i}.edxml`);
      signedPackage(pkg(header(9000 + i), [pdfAttachment(pdfs.a, "quyet-dinh.pdf"), pdfAttachment(pdfs.b, "phu-luc.pdf")]), file);
      packages.push(file);
    }
    // Neither has opened the database yet: the first requests also race on the migrations.
    [a, b] = await Promise.all([
      serve(["--trust", pki.root, "--db", db, "--audit-log", join(dir, "a.jsonl")]),
      serve(["--trust", pki.root, "--db", db, "--audit-log", join(dir, "b.jsonl")]),
    ]);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await postgresBackend.cleanup();
  });

  it("the same package posted to both at once: one record, both answer its id, either lists it", async () => {
    assert.notEqual(a.url, b.url);
    for (const file of packages) {
      const body = readFileSync(file);
      const send = (srv: Served) => fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...srv.auth, "content-type": "application/xml" }, body });
      const [ra, rb] = await Promise.all([send(a), send(b)]);
      const [ja, jb] = (await Promise.all([ra.json(), rb.json()])) as { id: number; indication: string; duplicate: boolean }[];
      assert.equal(ja.id, jb.id, `${file}: both instances answer the same record`);
      assert.equal(ja.indication, "TOTAL_PASSED");
      assert.equal(jb.indication, "TOTAL_PASSED");
      assert.deepEqual([ra.status, rb.status].sort(), [200, 201], "exactly one of them created it");
      assert.deepEqual([ja.duplicate, jb.duplicate].sort(), [false, true]);
    }
    // A clerk signed in on one instance is served by the other: the session is in the database.
    const clerk = await a.signIn("clerk");
    const [la, lb] = (await Promise.all([a.url, b.url].map(async (u) => (await fetch(`${u}/api/v1/inbox`, { headers: clerk.headers })).json()))) as { items: InboxSummary[] }[];
    assert.equal(la.items.length, packages.length, "exactly one record per package");
    assert.deepEqual(la.items.map((i) => i.id), lb.items.map((i) => i.id));
    assert.deepEqual(la.items.map((i) => i.codeNumber), ["9004", "9003", "9002", "9001", "9000"]);
    const rec = (await (await fetch(`${b.url}/api/v1/inbox/${la.items[0].id}`, { headers: clerk.headers })).json()) as { attachments: unknown[]; events: { kind: string }[] };
    assert.equal(rec.attachments.length, 2);
    assert.deepEqual(rec.events.map((e) => e.kind), ["received"]);
  });
});
