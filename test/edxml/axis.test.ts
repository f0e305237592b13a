// What the national axis sends, end to end through `kyso verify` (issue 12): a package shaped like
// the official SDK sample is read (unprefixed elements a warning), and a package whose XML signer
// is not the organization it claims to come from is SENDER_MISMATCH.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildEdxml, signEdxml, type PackageReport } from "@kyso/edxml";
import type { FileReport } from "@kyso/verify";
import { pki } from "@kyso/certs-test";
import { runCli, tempDir } from "../verify/support.js";
import { GOVERNMENT_OFFICE, header, orgSealKey, pdfAttachment, pkg, signedPackage, signedPdfs, signingKey } from "./support.js";

function verifyJson(file: string): { code: number; report: PackageReport<FileReport> } {
  const r = runCli(["verify", file, "--trust", pki.root, "--json"]);
  assert.equal(r.stderr, "");
  const [report] = JSON.parse(r.stdout) as PackageReport<FileReport>[];
  return { code: r.code, report };
}

describe("edXML from the national axis (kyso verify)", function () {
  const dir = tempDir("kyso-edxml-axis-");
  let pdfs: { a: string; b: string; tampered: string };

  before(async () => {
    pdfs = await signedPdfs(dir);
  });

  it("an officer's personal certificate signing for the Government Office (000.00.00.G22): INDETERMINATE SENDER_MISMATCH, exit 1", () => {
    const file = join(dir, "gia-mao-vpcp.edxml");
    signedPackage(pkg(header(7816, "V/v triển khai", GOVERNMENT_OFFICE.organId, GOVERNMENT_OFFICE.organName), [pdfAttachment(pdfs.a, "quyet-dinh.pdf")]), file, undefined, signingKey("officerRsa"));
    const { code, report } = verifyJson(file);
    assert.equal(code, 1);
    assert.equal(report.xmlSignature?.indication, "TOTAL_PASSED");
    assert.equal(report.xmlSignature?.revocation.status, "good");
    assert.equal(report.attachments[0].report?.indication, "TOTAL_PASSED");
    assert.equal(report.indication, "INDETERMINATE");
    assert.equal(report.subIndication, "SENDER_MISMATCH");
    assert.match(report.senderBinding?.message ?? "", /^Gói tin tự nhận là của Văn phòng Chính phủ \(000\.00\.00\.G22\) nhưng chữ ký số là của Nguyễn Văn An \(Ủy ban nhân dân tỉnh Phú Yên\)/);
    const text = runCli(["verify", file, "--trust", pki.root, "--lang", "vi"]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /SENDER_MISMATCH/);
  });

  it("the same package signed with the sender's own seal, claiming its own OrganId, passes; a re-encoded copy keeps its signedContentDigest", () => {
    const file = join(dir, "ubnd-phu-yen.edxml");
    const xml = signedPackage(pkg(header(), [pdfAttachment(pdfs.a, "quyet-dinh.pdf"), pdfAttachment(pdfs.b, "phu-luc.pdf")]), file);
    const { code, report } = verifyJson(file);
    assert.equal(code, 0, report.reasons.join("; "));
    assert.equal(report.senderBinding?.status, "matched");
    const copy = join(dir, "ubnd-phu-yen-crlf.edxml");
    writeFileSync(copy, xml.replace(/<SignatureValue>/, "\n<SignatureValue>").replace(/\n/g, "\r\n").replace('encoding="UTF-8"', "encoding='utf-8'"));
    const again = verifyJson(copy);
    assert.equal(again.code, 0, again.report.reasons.join("; "));
    assert.notEqual(again.report.sha256, report.sha256);
    assert.equal(again.report.signedContentDigest, report.signedContentDigest);
  });

  it("a package shaped like the SDK sample (default namespace, unprefixed attachments and Signature) with signed PDFs passes with EDXML_UNPREFIXED as a warning", () => {
    const file = join(dir, "sdk.edxml");
    const unprefixed = buildEdxml(pkg(header(), [pdfAttachment(pdfs.a, "quyet-dinh.pdf")])).replace(/<(\/?)edXML:/g, "<$1").replace("xmlns:edXML=", "xmlns=");
    // signEdxml writes `<Signature xmlns="…xmldsig#">`; without that declaration it is in the edXML default namespace.
    const signed = signEdxml(unprefixed, orgSealKey("rsa-sha1"));
    assert.match(signed, /^<\?xml[^>]*>\n<edXML xmlns="http:\/\/www\.mic\.gov\.vn\/TBT\/QCVN_102_2016"/);
    for (const [name, xml] of [["xmldsig", signed], ["edxml-ns", signed.replace('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">', "<Signature>")]] as const) {
      writeFileSync(file, xml);
      const { code, report } = verifyJson(file);
      assert.equal(code, 0, `${name}: ${report.reasons.join("; ")} ${report.error?.message ?? ""}`);
      assert.equal(report.indication, "TOTAL_PASSED");
      assert.ok(report.warnings.some((w) => w.startsWith("EDXML_UNPREFIXED: ")), report.warnings.join("\n"));
      assert.equal(report.warnings.some((w) => /not in XMLDSig's/.test(w)), name === "edxml-ns");
      assert.equal(report.attachments[0].report?.indication, "TOTAL_PASSED");
      assert.equal(report.header?.from.organId, "000.00.00.H46");
    }
  });
});
