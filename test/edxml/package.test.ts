import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyEdxml, type PackageReport } from "@kyso/edxml";
import { httpFetcher, verifyPdf, type FileReport } from "@kyso/verify";
import { anchors, runCli, tempDir } from "../verify/support.js";
import { pki } from "@kyso/certs-test";
import { header, pdfAttachment, pkg, signedPackage, signedPdfs } from "./support.js";

async function check(xml: string): Promise<PackageReport<FileReport>> {
  return verifyEdxml({ bytes: new TextEncoder().encode(xml), name: "goi-tin.edxml" }, { trustAnchors: anchors, verifyPdf: (a) => verifyPdf(a, { trustAnchors: anchors, revocation: "online", fetcher: httpFetcher(5000) }) });
}

describe("edXML packages with signed PDFs", function () {
  const dir = tempDir("kyso-edxml-");
  let pdfs: { a: string; b: string; tampered: string };

  before(async () => {
    pdfs = await signedPdfs(dir);
  });

  it("passes a package whose XML signature and both signed PDFs pass, with each attachment's report", async () => {
    const r = await check(signedPackage(pkg(header(), [pdfAttachment(pdfs.a, "quyet-dinh.pdf"), pdfAttachment(pdfs.b, "phu-luc.pdf")])));
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.equal(r.header?.documentId, "000.00.00.H46,2015/09/30,7816/VPCP-TTĐT");
    assert.equal(r.senderBinding?.status, "matched");
    assert.equal(r.xmlSignature?.indication, "TOTAL_PASSED");
    assert.deepEqual(r.attachments.map((a) => [a.name, a.kind, a.report?.indication]), [
      ["quyet-dinh.pdf", "pdf", "TOTAL_PASSED"],
      ["phu-luc.pdf", "pdf", "TOTAL_PASSED"],
    ]);
    assert.equal(r.attachments[0].report?.signatures[0].signer?.commonName, "Nguyễn Văn An");
  });

  it("fails a package with a valid XML signature but one tampered PDF, naming the attachment", async () => {
    const r = await check(signedPackage(pkg(header(), [pdfAttachment(pdfs.a, "quyet-dinh.pdf"), pdfAttachment(pdfs.tampered, "bi-sua.pdf")])));
    assert.equal(r.xmlSignature?.indication, "TOTAL_PASSED");
    assert.equal(r.indication, "TOTAL_FAILED");
    assert.equal(r.subIndication, "HASH_FAILURE");
    assert.equal(r.reasons.length, 1);
    assert.match(r.reasons[0], /^Attachment "bi-sua\.pdf": TOTAL_FAILED/);
    assert.equal(r.attachments[1].report?.indication, "TOTAL_FAILED");
  });

  it("fails a package with a broken XML signature even though its PDFs pass", async () => {
    const xml = signedPackage(pkg(header(), [pdfAttachment(pdfs.a, "quyet-dinh.pdf")]));
    const r = await check(xml.replace("<edXML:CodeNumber>7816<", "<edXML:CodeNumber>7817<"));
    assert.equal(r.attachments[0].report?.indication, "TOTAL_PASSED");
    assert.equal(r.xmlSignature?.indication, "TOTAL_FAILED");
    assert.equal(r.indication, "TOTAL_FAILED");
    assert.match(r.reasons[0], /^XML signature: /);
  });

  it("kyso verify package.edxml --json gives one package report; exit 0 for a good package, 1 for a tampered one", async () => {
    const good = join(dir, "tot.edxml");
    const bad = join(dir, "hong.edxml");
    signedPackage(pkg(header(), [pdfAttachment(pdfs.a, "quyet-dinh.pdf"), pdfAttachment(pdfs.b, "phu-luc.pdf")]), good);
    signedPackage(pkg(header(7817), [pdfAttachment(pdfs.tampered, "bi-sua.pdf")]), bad, "rsa-sha1");
    const ok = runCli(["verify", good, "--trust", pki.root, "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    const [report] = JSON.parse(ok.stdout) as PackageReport<FileReport>[];
    assert.equal(report.kind, "edxml-package");
    assert.equal(report.indication, "TOTAL_PASSED");
    assert.equal(report.header?.code?.codeNumber, "7816");
    assert.equal(report.attachments.length, 2);
    const ko = runCli(["verify", bad, "--trust", pki.root, "--json"]);
    assert.equal(ko.code, 1, ko.stderr);
    const [failed] = JSON.parse(ko.stdout) as PackageReport<FileReport>[];
    assert.equal(failed.indication, "TOTAL_FAILED");
    assert.equal(failed.xmlSignature?.weak, true);
    const text = runCli(["verify", bad, "--trust", pki.root, "--lang", "en"]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /edXML package: .*hong\.edxml/);
    assert.match(text.stdout, /bi-sua\.pdf/);
    assert.match(text.stdout, /weak/);
    const vi = runCli(["verify", good, "--trust", pki.root, "--lang", "vi"]);
    assert.match(vi.stdout, /Gói tin edXML: .* HỢP LỆ/);
    assert.match(vi.stdout, /Trích yếu: V\/v cung cấp thông tin/);
  });

  it("kyso verify gives a report, not a crash, for a hostile package", () => {
    const xxe = join(dir, "xxe.edxml");
    writeFileSync(xxe, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&e;</edXML:edXML>');
    const r = runCli(["verify", xxe, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    const [report] = JSON.parse(r.stdout) as PackageReport[];
    assert.equal(report.error?.code, "EDXML_DTD_REFUSED");
  });

  it("kyso verify --senders FILE binds each OrganId to the certificate its packages must be signed with", async () => {
    const good = join(dir, "senders.edxml");
    signedPackage(pkg(header(), [pdfAttachment(pdfs.a, "quyet-dinh.pdf")]), good);
    const sealSha256 = createHash("sha256").update(new X509Certificate(readFileSync(pki.orgSeal.cert)).raw).digest("hex");
    const right = join(dir, "senders-right.json");
    writeFileSync(right, JSON.stringify({ "000.00.00.H46": { certificateSha256: [sealSha256] } }));
    const ok = runCli(["verify", good, "--trust", pki.root, "--senders", right, "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout)[0].senderBinding.status, "matched");
    const wrong = join(dir, "senders-wrong.json");
    writeFileSync(wrong, JSON.stringify({ "000.00.00.H46": { certificateSha256: ["00".repeat(32)] } }));
    const ko = runCli(["verify", good, "--trust", pki.root, "--senders", wrong, "--json"]);
    assert.equal(ko.code, 1);
    const [rep] = JSON.parse(ko.stdout);
    assert.equal(rep.indication, "INDETERMINATE");
    assert.equal(rep.subIndication, "SENDER_MISMATCH");
    assert.equal(runCli(["verify", good, "--senders", join(dir, "missing.json")]).code, 2);
  });
});
