// Packages shaped like the official SDK sample of the national axis (DOMAIN.md): the root
// `<edXML xmlns="…QCVN_102_2016">` in the default namespace, the envelope and the
// `<AttachmentEncoded><Attachment><ContentId>…` block unprefixed, and a `<Signature>` with no `ds:`
// prefix. What Kyso reads is matched by namespace URI; unprefixed elements are a warning only.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { SignedXml } from "xml-crypto";
import { fixedClock } from "@kyso/core";
import { XMLDSIG_ALG, buildEdxml, parseEdxml, verifyEdxml, type PackageReport } from "../src/index.js";
import { orgSealKey, pkiText, samplePackage } from "./support/samples.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const root = new Uint8Array(new X509Certificate(pkiText("root.pem")).raw);
const clock = fixedClock(new Date(Date.parse(new X509Certificate(pkiText("org-seal.pem")).validFrom) + 86_400_000));
const noPdf = async (): Promise<never> => {
  throw new Error("no PDF attachment in these packages");
};
const text = { contentId: "7816.txt", name: "7816.txt", contentType: "text/plain", description: "Công văn", bytes: enc("Công văn số 7816\n") };
const DSIG_DEFAULT = ' xmlns="http://www.w3.org/2000/09/xmldsig#"';

async function check(xml: string): Promise<PackageReport> {
  return verifyEdxml({ bytes: enc(xml), name: "sdk.edxml" }, { verifyPdf: noPdf, trustAnchors: [root], clock });
}

/** Kyso's package rewritten the SDK's way: default namespace, no prefixes. */
function sdkUnsigned(): string {
  return buildEdxml(samplePackage([text]))
    .replace('encoding="UTF-8"', 'encoding="utf-8"')
    .replace(/<(\/?)edXML:/g, "<$1")
    .replace("xmlns:edXML=", "xmlns=");
}

/**
 * Signed as .NET's SignedXml and the SDK do: enveloped, exclusive C14N, rsa-sha1, the `<Signature>`
 * appended to the root after AttachmentEncoded, unprefixed (XMLDSig as its default namespace);
 * written with Windows line ends, which every XML parser reads as LF (XML 1.0 §2.11).
 */
function sdkSigned(): string {
  const key = orgSealKey("rsa-sha1");
  const sig = new SignedXml({ privateKey: key.privateKeyPem, publicCert: key.certificatesPem, signatureAlgorithm: XMLDSIG_ALG.rsaSha1, canonicalizationAlgorithm: XMLDSIG_ALG.excC14n });
  sig.addReference({ xpath: "/*", uri: "", isEmptyUri: true, transforms: [XMLDSIG_ALG.enveloped, XMLDSIG_ALG.excC14n], digestAlgorithm: XMLDSIG_ALG.sha1 });
  sig.computeSignature(sdkUnsigned(), { location: { reference: "/*", action: "append" } });
  return sig.getSignedXml().replace(/\n/g, "\r\n");
}

describe("edXML packages shaped like the national SDK sample", () => {
  const signed = sdkSigned();
  // The same package with the Signature's namespace declaration gone: `<Signature>` then sits in
  // the edXML default namespace, as DOMAIN.md describes the sample.
  const inEdxmlNs = signed.replace(`<Signature${DSIG_DEFAULT}>`, "<Signature>");

  it("the samples are what they claim to be: default-namespace root, unprefixed attachment block and signature", () => {
    assert.match(signed, /^<\?xml version="1.0" encoding="utf-8"\?>\r\n<edXML xmlns="http:\/\/www.mic.gov.vn\/TBT\/QCVN_102_2016"/);
    assert.match(signed, /<\/edXMLEnvelope>\r\n {2}<AttachmentEncoded>\r\n {4}<Attachment>\r\n {6}<ContentId>7816.txt<\/ContentId>/);
    assert.match(signed, /<\/AttachmentEncoded>\r\n<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#"><SignedInfo>/);
    assert.doesNotMatch(signed, /edXML:|ds:/);
    assert.equal(inEdxmlNs.split("<Signature>").length, 2);
    assert.doesNotMatch(inEdxmlNs, /xmldsig#"/);
  });

  it("verifies with an unprefixed XMLDSig Signature: TOTAL_PASSED, EDXML_UNPREFIXED only a warning, the header and attachment read", async () => {
    const r = await check(signed);
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.equal(r.error, null);
    assert.ok(r.warnings.some((w) => /^EDXML_UNPREFIXED: \d+ element\(s\) of the edXML namespace/.test(w)), r.warnings.join("\n"));
    assert.equal(r.xmlSignature?.integrity, true);
    assert.equal(r.xmlSignature?.signatureAlgorithm, "rsa-sha1");
    assert.deepEqual(r.header, samplePackage([text]).header);
    assert.equal(r.attachments.length, 1);
    assert.equal(r.attachments[0].contentId, "7816.txt");
    assert.equal(r.attachments[0].size, text.bytes.length);
    assert.equal(r.senderBinding?.status, "matched");
    assert.match(r.signedContentDigest ?? "", /^[0-9a-f]{64}$/);
    // and the parser alone says the same
    const p = parseEdxml(enc(signed));
    assert.equal(p.signatureCount, 1);
    assert.deepEqual(p.warnings.map((w) => w.code), ["EDXML_UNPREFIXED"]);
  });

  it("verifies a <Signature> that is literally in the edXML default namespace, as the XMLDSig signature it stands for, with a warning", async () => {
    const r = await check(inEdxmlNs);
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.equal(r.xmlSignature?.integrity, true);
    assert.equal(r.xmlSignature?.coversWholePackage, true);
    assert.ok(r.warnings.some((w) => /<Signature> element is in the edXML namespace, not in XMLDSig's .*read as an XMLDSig signature/.test(w)), r.warnings.join("\n"));
    assert.ok(r.warnings.some((w) => w.startsWith("EDXML_UNPREFIXED")));
    assert.equal(parseEdxml(enc(inEdxmlNs)).signatureCount, 1);
    // The signed content is the same whatever namespace the Signature element was read in.
    assert.equal(r.signedContentDigest, (await check(signed)).signedContentDigest);
  });

  it("a changed edXML-namespace package is INDETERMINATE with the precise reason, never FORMAT_FAILURE or a pass", async () => {
    const r = await check(inEdxmlNs.replace("V/v cung cấp thông tin", "V/v cung cap thong tin"));
    assert.equal(r.indication, "INDETERMINATE");
    assert.equal(r.subIndication, "SIG_CONSTRAINTS_FAILURE");
    assert.equal(r.error, null);
    assert.match(r.xmlSignature?.reasons[0] ?? "", /edXML namespace.*read as an XMLDSig signature it does not verify: The package was changed after it was signed/);
    assert.equal(r.signedContentDigest, null);
    // A Signature written with a prefix of the edXML namespace cannot be read as XMLDSig at all.
    const prefixed = signed.replace(`<Signature${DSIG_DEFAULT}>`, '<e:Signature xmlns:e="http://www.mic.gov.vn/TBT/QCVN_102_2016">').replace("</Signature>", "</e:Signature>");
    const q = await check(prefixed);
    assert.equal(q.indication, "INDETERMINATE");
    assert.equal(q.subIndication, "SIG_CONSTRAINTS_FAILURE");
    assert.match(q.xmlSignature?.reasons[0] ?? "", /cannot be checked as an XML signature: the element is written <e:Signature> with a prefix/);
    // and the changed package in the XMLDSig namespace is still a plain HASH_FAILURE
    const plain = await check(signed.replace("V/v cung cấp thông tin", "V/v cung cap thong tin"));
    assert.equal(plain.indication, "TOTAL_FAILED");
    assert.equal(plain.subIndication, "HASH_FAILURE");
  });

  it("keeps the hostile-XML guards for default-namespace packages (DTD, depth, size, base64, declared size)", async () => {
    const codeOf = async (xml: string, limits?: { maxBytes?: number }): Promise<string | undefined> =>
      (await verifyEdxml({ bytes: enc(xml), name: "x" }, { verifyPdf: noPdf, trustAnchors: [root], clock, ...(limits ? { limits } : {}) })).error?.code;
    const xxe = signed.replace("<edXML ", '<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>\r\n<edXML ');
    assert.equal(await codeOf(xxe), "EDXML_DTD_REFUSED");
    const deep = `<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">${"<a>".repeat(200)}${"</a>".repeat(200)}</edXML>`;
    assert.equal(await codeOf(deep), "EDXML_TOO_DEEP");
    assert.equal(await codeOf(signed, { maxBytes: 1000 }), "EDXML_TOO_LARGE");
    const b64 = Buffer.from(text.bytes).toString("base64");
    assert.equal(await codeOf(signed.replace(b64, `${b64.slice(0, 4)}*${b64.slice(5)}`)), "EDXML_BAD_BASE64");
    assert.equal(await codeOf(signed.replace(`<Size>${text.bytes.length}</Size>`, `<Size>${text.bytes.length + 5}</Size>`)), "EDXML_SIZE_MISMATCH");
  });
});
