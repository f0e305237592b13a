import assert from "node:assert/strict";
import { X509Certificate, createHash } from "node:crypto";
import { fixedClock, isKysoError } from "@kyso/core";
import { buildEdxml, parseEdxml, signEdxml, verifyEdxml, type PackageReport } from "../src/index.js";
import { orgSealKey, pkiText, samplePackage } from "./support/samples.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const root = new Uint8Array(new X509Certificate(pkiText("root.pem")).raw);
// A day after the organization seal's certificate begins: inside every test certificate's validity.
const clock = fixedClock(new Date(Date.parse(new X509Certificate(pkiText("org-seal.pem")).validFrom) + 86_400_000));
const noPdf = async (): Promise<never> => {
  throw new Error("no PDF attachment in these packages");
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isKysoError(e)) return e.code;
    throw e;
  }
  return "none";
}

const text = { contentId: "phu-luc-1", name: "phu-luc.txt", contentType: "text/plain", description: "Phụ lục", bytes: enc("Danh sách đơn vị\n") };
const xmlAtt = { contentId: "du-lieu", name: "du-lieu.xml", contentType: "application/xml", bytes: enc("<a>1</a>") };

async function check(xml: string): Promise<PackageReport> {
  return verifyEdxml({ bytes: enc(xml), name: "p.edxml" }, { verifyPdf: noPdf, trustAnchors: [root], clock });
}

describe("edXML writer and parser", () => {
  it("a package built by Kyso parses back identically (header, traces, attachments, Vietnamese and markup characters)", () => {
    const pkg = samplePackage([text, xmlAtt]);
    const xml = buildEdxml(pkg);
    const back = parseEdxml(enc(xml));
    assert.deepEqual(back.header, pkg.header);
    assert.deepEqual(back.traces, pkg.traces);
    assert.equal(back.attachments.length, 2);
    back.attachments.forEach((a, i) => {
      assert.deepEqual({ ...a, bytes: Buffer.from(a.bytes) }, { ...pkg.attachments[i], bytes: Buffer.from(pkg.attachments[i].bytes) });
    });
    assert.deepEqual(back.manifest, ["phu-luc-1", "du-lieu"]);
    assert.deepEqual(back.declaredSizes, [text.bytes.length, xmlAtt.bytes.length]);
    assert.equal(back.signatureCount, 0);
    // and so does the signed package
    const signed = parseEdxml(enc(signEdxml(xml, orgSealKey())));
    assert.deepEqual(signed.header, pkg.header);
    assert.equal(signed.signatureCount, 1);
  });

  it("parses a package laid out like the public samples (envelope root, AttachmentEncoded inside, wrapped base64, cid: ids)", () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:xlink="http://www.w3.org/1999/xlink">
  <edXML:edXMLHeader>
    <edXML:MessageHeader>
      <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName></edXML:From>
      <edXML:To><edXML:OrganId>000.00.00.H53</edXML:OrganId><edXML:OrganName>UBND tỉnh Thái Bình</edXML:OrganName></edXML:To>
      <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
      <edXML:Code><edXML:CodeNumber>7816</edXML:CodeNumber><edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
      <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate></edXML:PromulgationInfo>
      <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
      <edXML:Subject>V/v triển khai Cổng TTĐT</edXML:Subject>
      <edXML:SignerInfo><edXML:Competence>TL. BỘ TRƯỞNG</edXML:Competence><edXML:Position>Giám đốc</edXML:Position><edXML:FullName>Nguyễn Văn B</edXML:FullName></edXML:SignerInfo>
      <edXML:DueDate>2015/10/05</edXML:DueDate>
      <edXML:SteeringType>1</edXML:SteeringType>
    </edXML:MessageHeader>
    <edXML:TraceHeaderList>
      <edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Timestamp>2015/09/30 16:42:07</edXML:Timestamp></edXML:TraceHeader>
    </edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:Manifest><edXML:Reference xlink:href="cid:7816.pdf"><edXML:ContentId>cid:7816.pdf</edXML:ContentId></edXML:Reference></edXML:Manifest></edXML:edXMLBody>
  <edXML:AttachmentEncoded>
    <edXML:Attachment>
      <edXML:ContentType>text/plain</edXML:ContentType>
      <edXML:ContentId>cid:7816.pdf</edXML:ContentId>
      <edXML:AttachmentName>7816.txt</edXML:AttachmentName>
      <edXML:ContentTransferEncoded>
        SGVsbG8s
        IGF4aXMh
      </edXML:ContentTransferEncoded>
    </edXML:Attachment>
  </edXML:AttachmentEncoded>
</edXML:edXMLEnvelope>`;
    const p = parseEdxml(enc(xml));
    assert.equal(p.header.documentId, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT");
    assert.deepEqual(p.header.code, { codeNumber: "7816", codeNotation: "VPCP-TTĐT" });
    assert.deepEqual(p.header.promulgationInfo, { place: "Hà Nội", promulgationDate: "2015/09/30" });
    assert.equal(p.header.from.organName, "Văn phòng Chính phủ");
    assert.deepEqual(p.header.to.map((t) => t.organId), ["000.00.00.H53"]);
    assert.equal(p.header.signerInfo?.fullName, "Nguyễn Văn B");
    assert.equal(p.header.dueDate, "2015/10/05");
    assert.deepEqual(p.traces, [{ organId: "000.00.00.G22", timestamp: "2015/09/30 16:42:07" }]);
    assert.equal(p.attachments[0].contentId, "7816.pdf");
    assert.equal(Buffer.from(p.attachments[0].bytes).toString(), "Hello, axis!");
    assert.deepEqual(p.manifest, ["7816.pdf"]);
    // Dates must be yyyy/MM/dd, and real
    assert.equal(codeOf(() => parseEdxml(enc(xml.replace("<edXML:DueDate>2015/10/05", "<edXML:DueDate>05/10/2015")))), "EDXML_BAD_DATE");
    assert.equal(codeOf(() => parseEdxml(enc(xml.replace("<edXML:DueDate>2015/10/05", "<edXML:DueDate>2015/02/30")))), "EDXML_BAD_DATE");
    assert.equal(codeOf(() => parseEdxml(enc(xml.replace("2015/09/30 16:42:07", "2015/09/30T16:42:07")))), "EDXML_BAD_DATE");
  });
});

describe("edXML XML signature (enveloped, xml-crypto)", () => {
  const signed = signEdxml(buildEdxml(samplePackage([text])), orgSealKey());

  it("verifies a package signed with the organization seal: rsa-sha256, whole package, chain to the test root", async () => {
    const r = await check(signed);
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.equal(r.xmlSignature?.signatureAlgorithm, "rsa-sha256");
    assert.equal(r.xmlSignature?.digestAlgorithm, "sha256");
    assert.equal(r.xmlSignature?.coversWholePackage, true);
    assert.equal(r.xmlSignature?.weak, false);
    assert.equal(r.xmlSignature?.chain.trusted, true);
    assert.equal(r.xmlSignature?.chain.path.length, 3);
    assert.match(r.xmlSignature?.signer?.subject ?? "", /MST:4400123456/);
    assert.equal(r.attachments[0].kind, "other");
    assert.equal(r.attachments[0].report, null);
    assert.equal(r.attachments[0].sha256, createHash("sha256").update(text.bytes).digest("hex"));
  });

  it("reports rsa-sha1 / sha1 as weak but verifiable", async () => {
    const r = await check(signEdxml(buildEdxml(samplePackage([text])), orgSealKey("rsa-sha1")));
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.equal(r.xmlSignature?.signatureAlgorithm, "rsa-sha1");
    assert.equal(r.xmlSignature?.digestAlgorithm, "sha1");
    assert.equal(r.xmlSignature?.weak, true);
    assert.match(r.warnings.join("\n"), /weak/);
  });

  it("a changed header fails with HASH_FAILURE; a changed signature value with SIG_CRYPTO_FAILURE", async () => {
    const header = await check(signed.replace("V/v cung cấp thông tin", "V/v cung cap thong tin"));
    assert.equal(header.indication, "TOTAL_FAILED");
    assert.equal(header.subIndication, "HASH_FAILURE");
    const value = /<SignatureValue>([^<]+)</.exec(signed)![1];
    const flipped = (value[10] === "A" ? "B" : "A");
    const sigval = await check(signed.replace(value, value.slice(0, 10) + flipped + value.slice(11)));
    assert.equal(sigval.indication, "TOTAL_FAILED");
    assert.equal(sigval.subIndication, "SIG_CRYPTO_FAILURE");
  });

  it("a changed attachment breaks the XML signature; no signature or an unknown root is not a pass", async () => {
    const other = Buffer.from(text.bytes).toString("base64");
    const changed = await check(signed.replace(other, Buffer.from("Dang sách đơn vị\n").toString("base64")));
    assert.equal(changed.indication, "TOTAL_FAILED");
    assert.equal(changed.subIndication, "HASH_FAILURE");
    const unsigned = await check(buildEdxml(samplePackage([text])));
    assert.equal(unsigned.indication, "INDETERMINATE");
    assert.equal(unsigned.xmlSignature?.present, false);
    const untrusted = await verifyEdxml({ bytes: enc(signed), name: "p" }, { verifyPdf: noPdf, trustAnchors: [], clock });
    assert.equal(untrusted.indication, "INDETERMINATE");
    assert.equal(untrusted.subIndication, "NO_CERTIFICATE_CHAIN_FOUND");
  });

  it("a signature moved off the whole package (Reference to an element) is not accepted", async () => {
    const partial = signed.replace('URI=""', 'URI="#x"');
    const r = await check(partial);
    assert.notEqual(r.indication, "TOTAL_PASSED");
    assert.equal(r.xmlSignature?.coversWholePackage, false);
  });
});

describe("hostile edXML", () => {
  const good = buildEdxml(samplePackage([text]));

  it("refuses DTDs and external entities before parsing (XXE, billion laughs)", async () => {
    const xxe = good.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE edXML:edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n').replace("V/v cung cấp", "&x; V/v cung cấp");
    assert.equal(codeOf(() => parseEdxml(enc(xxe))), "EDXML_DTD_REFUSED");
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&b;</edXML:edXML>`;
    assert.equal(codeOf(() => parseEdxml(enc(laughs))), "EDXML_DTD_REFUSED");
    const r = await check(xxe);
    assert.equal(r.indication, "INDETERMINATE");
    assert.equal(r.subIndication, "FORMAT_FAILURE");
    assert.equal(r.error?.code, "EDXML_DTD_REFUSED");
    assert.doesNotMatch(JSON.stringify(r), /root:x:0/);
  });

  it("bounds depth, size and element count", () => {
    const deep = `<edXML:edXML xmlns:edXML="${"http://www.mic.gov.vn/TBT/QCVN_102_2016"}">${"<edXML:a>".repeat(100_000)}${"</edXML:a>".repeat(100_000)}</edXML:edXML>`;
    assert.equal(codeOf(() => parseEdxml(enc(deep))), "EDXML_TOO_DEEP");
    assert.equal(codeOf(() => parseEdxml(enc(good), { maxBytes: 1000 })), "EDXML_TOO_LARGE");
    const many = good.replace("<edXML:TraceHeaderList>", `<edXML:TraceHeaderList>${"<edXML:x/>".repeat(2000)}`);
    assert.equal(codeOf(() => parseEdxml(enc(many), { maxElements: 1000 })), "EDXML_TOO_MANY_ELEMENTS");
  });

  it("rejects base64 that is not base64 and declared sizes that differ from the content", () => {
    const b64 = Buffer.from(text.bytes).toString("base64");
    assert.equal(codeOf(() => parseEdxml(enc(good.replace(b64, b64.slice(0, 8) + "*!" + b64.slice(10))))), "EDXML_BAD_BASE64");
    assert.equal(codeOf(() => parseEdxml(enc(good.replace(b64, b64.slice(0, -1))))), "EDXML_BAD_BASE64");
    assert.equal(codeOf(() => parseEdxml(enc(good.replace(`<edXML:Size>${text.bytes.length}<`, `<edXML:Size>${text.bytes.length + 1}<`)))), "EDXML_SIZE_MISMATCH");
  });

  it("reads elements by namespace whatever their prefix (EDXML_UNPREFIXED is a warning), and still refuses foreign elements", () => {
    const unprefixed = good.replace("<edXML:Subject>", '<Subject xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">').replace("</edXML:Subject>", "</Subject>");
    const a = parseEdxml(enc(unprefixed));
    assert.equal(a.header.subject, samplePackage([text]).header.subject);
    assert.deepEqual(a.warnings.map((w) => w.code), ["EDXML_UNPREFIXED"]);
    assert.match(a.warnings[0].message, /^1 element\(s\).*<Subject>/);
    const otherPrefix = good.replace("<edXML:Subject>", '<e:Subject xmlns:e="http://www.mic.gov.vn/TBT/QCVN_102_2016">').replace("</edXML:Subject>", "</e:Subject>");
    const b = parseEdxml(enc(otherPrefix));
    assert.equal(b.header.subject, samplePackage([text]).header.subject);
    assert.deepEqual(b.warnings.map((w) => w.code), ["EDXML_UNPREFIXED"]);
    assert.deepEqual(parseEdxml(enc(good)).warnings, []);
    const noNs = good.replace("<edXML:Subject>", "<Subject>").replace("</edXML:Subject>", "</Subject>");
    assert.equal(codeOf(() => parseEdxml(enc(noNs))), "EDXML_FOREIGN_ELEMENT");
  });

  it("rejects malformed XML, other encodings and processing instructions with a clear code", () => {
    assert.equal(codeOf(() => parseEdxml(enc(good.replace("</edXML:Subject>", "</edXML:Subjec>")))), "EDXML_MALFORMED");
    assert.equal(codeOf(() => parseEdxml(new Uint8Array([0x3c, 0x61, 0xff, 0xfe, 0x3e]))), "EDXML_ENCODING");
    assert.equal(codeOf(() => parseEdxml(enc(good.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')))), "EDXML_ENCODING");
    assert.equal(codeOf(() => parseEdxml(enc(good.replace("<edXML:edXMLEnvelope>", '<?xml-stylesheet href="x"?><edXML:edXMLEnvelope>')))), "EDXML_PI_REFUSED");
    assert.equal(codeOf(() => parseEdxml(new Uint8Array())), "EDXML_EMPTY");
  });
});
