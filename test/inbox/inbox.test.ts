import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import type { PackageReport } from "@kyso/edxml";
import type { InboxRecord, InboxSummary } from "@kyso/inbox";
import type { FileReport } from "@kyso/verify";
import { sign, tempDir } from "../verify/support.js";
import { serve, type Served, type SignedIn } from "../service/support.js";
import { header, pkg, signedPackage } from "../edxml/support.js";
import { makePackages, post, type Packages } from "./support.js";

describe("inbox through kyso serve (SQLite)", function () {
  const dir = tempDir("kyso-inbox-");
  let srv: Served;
  let p: Packages;
  let clerk: SignedIn;

  before(async () => {
    p = await makePackages(dir);
    srv = await serve(["--trust", pki.root, "--db", `sqlite:${join(dir, "kyso.db")}`, "--audit-log", join(dir, "audit.jsonl")]);
    clerk = await srv.signIn("clerk");
  });
  after(async () => {
    await srv?.stop();
  });

  it("takes packages in: 201 with the id and verdict, the same bytes again 200 with the same id", async () => {
    const good = await post(srv, p.good);
    assert.equal(good.status, 201);
    assert.equal(good.body.indication, "TOTAL_PASSED");
    assert.equal(good.body.duplicate, false);
    const bad = await post(srv, p.tampered);
    assert.equal(bad.status, 201);
    assert.equal(bad.body.indication, "TOTAL_FAILED");
    assert.notEqual(bad.body.id, good.body.id);
    const again = await post(srv, p.good);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, good.body.id);
    assert.equal(again.body.duplicate, true);
    // A re-encoded copy (CRLF line ends: other bytes, the same signed content) is the same package.
    const reencoded = join(dir, "reencoded.edxml");
    writeFileSync(reencoded, readFileSync(p.good, "utf8").replace(/\r?\n/g, "\r\n"));
    assert.notDeepEqual(readFileSync(reencoded), readFileSync(p.good));
    const copy = await post(srv, reencoded);
    assert.equal(copy.status, 200, JSON.stringify(copy.body));
    assert.equal(copy.body.id, good.body.id);
    assert.equal(copy.body.duplicate, true);
  });

  it("lists newest first with the clerk's columns, filters by verdict and sender", async () => {
    const list = (await (await fetch(`${srv.url}/api/v1/inbox`, { headers: clerk.headers })).json()) as { items: InboxSummary[] };
    assert.deepEqual(list.items.map((i) => i.codeNumber), ["215", "7816"]);
    const [tampered, good] = list.items;
    // The good package comes from the organization whose seal signs it (sender binding, issue 12).
    assert.equal(good.senderName, "Ủy ban nhân dân tỉnh Phú Yên");
    assert.equal(good.documentId, "000.00.00.H46,2015/09/30,7816/VPCP-TTĐT");
    assert.equal(good.subject, "V/v cung cấp thông tin cho Cổng Thông tin điện tử Chính phủ");
    assert.equal(good.promulgationDate, "2015/09/30");
    assert.equal(good.attachmentCount, 2);
    assert.equal(tampered.indication, "TOTAL_FAILED");
    const failed = (await (await fetch(`${srv.url}/api/v1/inbox?indication=TOTAL_FAILED`, { headers: clerk.headers })).json()) as { items: InboxSummary[] };
    assert.deepEqual(failed.items.map((i) => i.id), [tampered.id]);
    const bySender = (await (await fetch(`${srv.url}/api/v1/inbox?sender=${encodeURIComponent("000.00.00.H46")}`, { headers: clerk.headers })).json()) as { items: InboxSummary[] };
    assert.deepEqual(bySender.items.map((i) => i.id), [good.id]);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox?status=deleted`, { headers: clerk.headers })).status, 400);
  });

  it("gives the record with every signature's findings, and the attachments byte for byte", async () => {
    const { items } = (await (await fetch(`${srv.url}/api/v1/inbox?indication=TOTAL_FAILED`, { headers: clerk.headers })).json()) as { items: InboxSummary[] };
    const rec = (await (await fetch(`${srv.url}/api/v1/inbox/${items[0].id}`, { headers: clerk.headers })).json()) as InboxRecord & { report: PackageReport<FileReport> };
    assert.deepEqual(rec.attachments.map((a) => [a.n, a.name, a.indication]), [[0, "quyet-dinh.pdf", "TOTAL_PASSED"], [1, "bi-sua.pdf", "TOTAL_FAILED"]]);
    assert.equal(rec.report.xmlSignature?.indication, "TOTAL_PASSED");
    assert.equal(rec.report.attachments[1].report?.signatures[0].subIndication, "HASH_FAILURE");
    assert.match(rec.report.reasons.join("\n"), /bi-sua\.pdf/);
    assert.deepEqual(rec.events.map((e) => e.kind), ["received"]);
    const res = await fetch(`${srv.url}/api/v1/inbox/${rec.id}/attachments/1`, { headers: clerk.headers });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/pdf");
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(join(p.dir, "bi-sua.pdf")));
    const pkgBytes = await (await fetch(`${srv.url}/api/v1/inbox/${rec.id}/package`, { headers: clerk.headers })).arrayBuffer();
    assert.deepEqual(Buffer.from(pkgBytes), readFileSync(p.tampered));
    assert.equal((await fetch(`${srv.url}/api/v1/inbox/${rec.id}/attachments/2`, { headers: clerk.headers })).status, 404);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox/99999`, { headers: clerk.headers })).status, 404);
    assert.equal((await fetch(`${srv.url}/api/v1/inbox/abc`, { headers: clerk.headers })).status, 400);
  });

  it("registers (arrival number) and returns (reason) as events; a second transition is 409", async () => {
    const { items } = (await (await fetch(`${srv.url}/api/v1/inbox`, { headers: clerk.headers })).json()) as { items: InboxSummary[] };
    const [tampered, good] = items;
    const postJson = (path: string, body: unknown) => fetch(`${srv.url}${path}`, { method: "POST", headers: { ...clerk.headers, "content-type": "application/json", "x-kyso-actor": encodeURIComponent("Giám đốc") }, body: JSON.stringify(body) });
    const reg = await postJson(`/api/v1/inbox/${good.id}/register`, { arrivalNumber: "125/ĐẾN" });
    assert.equal(reg.status, 200);
    const regRec = (await reg.json()) as InboxRecord;
    assert.equal(regRec.status, "registered");
        // Who acts is the signed-in clerk, never the forged X-Kyso-Actor; the package came with the API key.
    assert.deepEqual(regRec.events.map((e) => [e.kind, e.actor]), [["received", srv.keyName], ["registered", "clerk"]]);
    const ret = await postJson(`/api/v1/inbox/${tampered.id}/return`, { reason: "Tệp bi-sua.pdf bị sửa sau khi ký" });
    assert.equal(((await ret.json()) as InboxRecord).status, "returned");
    assert.equal((await postJson(`/api/v1/inbox/${good.id}/return`, { reason: "x" })).status, 409);
    assert.equal((await postJson(`/api/v1/inbox/${good.id}/register`, {})).status, 400);
    const all = (await (await fetch(`${srv.url}/api/v1/inbox`, { headers: clerk.headers })).json()) as { items: InboxSummary[] };
    assert.equal(all.items.length, 2, "nothing is deleted");
  });

  it("a PDF signed by a revoked signer is stored as TOTAL_FAILED REVOKED with the default (online) revocation", async () => {
    const revoked = await sign(samples.onePage, join(dir, "revoked.pdf"), "revoked");
    const res = await fetch(`${srv.url}/api/v1/inbox?name=revoked.pdf`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: readFileSync(revoked) });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { id: number; indication: string; subIndication?: string | null };
    assert.equal(body.indication, "TOTAL_FAILED");
    const rec = (await (await fetch(`${srv.url}/api/v1/inbox/${body.id}`, { headers: clerk.headers })).json()) as InboxRecord;
    assert.equal(rec.indication, "TOTAL_FAILED");
    assert.match(JSON.stringify(rec), /"subIndication":"REVOKED"/);
  });

  it("takes a bare PDF with its metadata", async () => {
    const q = new URLSearchParams({ name: "cong-van.pdf", sender: "000.00.12.H46", senderName: "Sở Tư pháp tỉnh Phú Yên", number: "88", notation: "STP-VP", subject: "Công văn giấy", date: "2026/01/05" });
    const res = await fetch(`${srv.url}/api/v1/inbox?${q}`, { method: "POST", headers: { ...srv.auth, "content-type": "application/pdf" }, body: readFileSync(p.pdf) });
    assert.equal(res.status, 201);
    const { id, indication } = (await res.json()) as { id: number; indication: string };
    assert.equal(indication, "TOTAL_PASSED");
    const rec = (await (await fetch(`${srv.url}/api/v1/inbox/${id}`, { headers: clerk.headers })).json()) as InboxRecord;
    assert.equal(rec.kind, "pdf");
    assert.equal(rec.senderName, "Sở Tư pháp tỉnh Phú Yên");
    assert.equal(rec.codeNotation, "STP-VP");
    assert.equal(rec.attachmentCount, 1);
    const bytes = Buffer.from(await (await fetch(`${srv.url}/api/v1/inbox/${id}/attachments/0`, { headers: clerk.headers })).arrayBuffer());
    assert.deepEqual(bytes, readFileSync(p.pdf));
    assert.equal((await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...srv.auth, "content-type": "text/plain" }, body: "x" })).status, 415);
  });

  it("takes a package of more PDFs than the worker pool holds at once (70 > --max-pending 64)", async () => {
    const pdf = readFileSync(p.pdf);
    const many = Array.from({ length: 70 }, (_, i) => ({ contentId: `pl-${i}`, name: `phu-luc-${i + 1}.pdf`, contentType: "application/pdf", bytes: new Uint8Array(pdf) }));
    const file = join(dir, "nhieu-tep.edxml");
    signedPackage(pkg(header(3001, "Nhiều phụ lục"), many), file);
    const res = await post(srv, file);
    assert.equal(res.status, 201);
    assert.equal(res.body.indication, "TOTAL_PASSED");
    const rec = (await (await fetch(`${srv.url}/api/v1/inbox/${res.body.id}`, { headers: clerk.headers })).json()) as InboxRecord;
    assert.equal(rec.attachmentCount, 70);
    assert.ok(rec.attachments.every((a) => a.indication === "TOTAL_PASSED"));
  });

  it("stores a hostile package as a failed record without harm", async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&e;</edXML:edXML>';
    const res = await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...srv.auth, "content-type": "application/xml" }, body: xxe });
    assert.equal(res.status, 201);
    const { id, indication } = (await res.json()) as { id: number; indication: string };
    assert.equal(indication, "INDETERMINATE");
    const rec = (await (await fetch(`${srv.url}/api/v1/inbox/${id}`, { headers: clerk.headers })).json()) as InboxRecord & { report: PackageReport };
    assert.equal(rec.report.error?.code, "EDXML_DTD_REFUSED");
    assert.equal(rec.attachmentCount, 0);
    assert.doesNotMatch(JSON.stringify(rec), /root:x:0/);
  });

  it("POST /api/v1/verify returns the package report for application/xml and for .edxml in multipart", async () => {
    const raw = await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/xml" }, body: readFileSync(p.tampered) });
    assert.equal(raw.status, 200);
    const report = (await raw.json()) as PackageReport<FileReport>;
    assert.equal(report.kind, "edxml-package");
    assert.equal(report.indication, "TOTAL_FAILED");
    assert.equal(report.header?.code?.codeNumber, "215");
    const form = new FormData();
    form.append("file", new Blob([readFileSync(p.good)]), "7816-VPCP-TTDT.edxml");
    form.append("file", new Blob([readFileSync(p.pdf)], { type: "application/pdf" }), "phu-luc.pdf");
    const multi = (await (await fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: srv.auth, body: form })).json()) as [PackageReport<FileReport>, FileReport];
    assert.equal(multi[0].kind, "edxml-package");
    assert.equal(multi[0].indication, "TOTAL_PASSED");
    assert.equal(multi[0].attachments.length, 2);
    assert.equal(multi[1].indication, "TOTAL_PASSED");
    assert.equal((multi[1] as unknown as { kind?: string }).kind, undefined);
  });
});
