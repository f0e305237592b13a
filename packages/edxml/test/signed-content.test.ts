// The signed-content digest: a de-duplication key that a re-encoded copy of a package (new bytes,
// same signed content) shares with the original.
import assert from "node:assert/strict";
import { X509Certificate, createHash } from "node:crypto";
import { fixedClock } from "@kyso/core";
import { buildEdxml, signEdxml, verifyEdxml, type PackageReport } from "../src/index.js";
import { orgSealKey, pkiText, samplePackage } from "./support/samples.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const root = new Uint8Array(new X509Certificate(pkiText("root.pem")).raw);
const clock = fixedClock(new Date(Date.parse(new X509Certificate(pkiText("org-seal.pem")).validFrom) + 86_400_000));
const noPdf = async (): Promise<never> => {
  throw new Error("no PDF attachment in these packages");
};
const text = { contentId: "phu-luc", name: "phu-luc.txt", contentType: "text/plain", bytes: enc("Danh sách đơn vị nhận văn bản\n".repeat(8)) };

async function check(xml: string): Promise<PackageReport> {
  return verifyEdxml({ bytes: enc(xml), name: "p.edxml" }, { verifyPdf: noPdf, trustAnchors: [root], clock });
}

/**
 * The same package as another tool would write it: CRLF line ends, single-quoted and reordered
 * attributes and namespace declarations, a different XML declaration, character references for
 * some letters, the Signature re-indented outside SignedInfo, and its base64 (SignatureValue,
 * X509Certificate) re-wrapped at 64 columns. None of it changes the canonical (C14N) content.
 */
function reencode(xml: string): string {
  const wrap = (b64: string): string => `\n${b64.replace(/\s+/g, "").replace(/(.{64})/g, "$1\n")}\n`;
  return xml
    .replace('<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='utf-8' standalone='yes'?>")
    .replace(/<edXML:edXML xmlns:edXML="([^"]+)" xmlns:xlink="([^"]+)">/, "<edXML:edXML   xmlns:xlink='$2'\n    xmlns:edXML='$1' >")
    .replace(/<edXML:Reference xlink:href="([^"]+)" xlink:type="simple">/g, "<edXML:Reference xlink:type='simple' xlink:href='$1'>")
    .replace("<edXML:Subject>V/v", "<edXML:Subject>&#x56;/v")
    .replace(/<SignatureValue>([^<]+)<\/SignatureValue>/, (_, v: string) => `\n  <SignatureValue>${wrap(v)}</SignatureValue>\n  `)
    .replace(/<X509Certificate>([^<]+)<\/X509Certificate>/g, (_, v: string) => `\n      <X509Certificate>${wrap(v)}</X509Certificate>`)
    .replace(/\n/g, "\r\n");
}

describe("edXML signed-content digest (de-duplication key)", () => {
  const signed = signEdxml(buildEdxml(samplePackage([text])), orgSealKey());
  const copy = reencode(signed);

  it("a re-encoded copy has other bytes but the same signed content: both pass with the same signedContentDigest", async () => {
    assert.notEqual(copy, signed);
    assert.match(copy, /xmlns:xlink='/);
    assert.match(copy, /<SignatureValue>\r\n[A-Za-z0-9+/]{64}\r\n/);
    const a = await check(signed);
    const b = await check(copy);
    assert.equal(a.indication, "TOTAL_PASSED", a.reasons.join("; "));
    assert.equal(b.indication, "TOTAL_PASSED", b.reasons.join("; "));
    assert.notEqual(a.sha256, b.sha256);
    assert.match(a.signedContentDigest ?? "", /^[0-9a-f]{64}$/);
    assert.equal(b.signedContentDigest, a.signedContentDigest);
    // It is the SHA-256 over the verified reference (URI, transforms, digest method, digest value).
    const digest = Buffer.from(/<DigestValue>([^<]+)</.exec(signed)![1], "base64").toString("hex");
    const transforms = "http://www.w3.org/2000/09/xmldsig#enveloped-signature http://www.w3.org/2001/10/xml-exc-c14n#";
    const expected = createHash("sha256").update(`\n${transforms}\nhttp://www.w3.org/2001/04/xmlenc#sha256\n${digest}\n\n`).digest("hex");
    assert.equal(a.signedContentDigest, expected);
  });

  it("other signed content, or the same content signed with SHA-1 digests, has another value; an unverified package has none", async () => {
    const p = samplePackage([text]);
    const other = await check(signEdxml(buildEdxml({ ...p, header: { ...p.header, subject: "V/v khác" } }), orgSealKey()));
    const same = await check(signed);
    assert.equal(other.indication, "TOTAL_PASSED");
    assert.notEqual(other.signedContentDigest, same.signedContentDigest);
    const sha1 = await check(signEdxml(buildEdxml(p), orgSealKey("rsa-sha1")));
    assert.notEqual(sha1.signedContentDigest, same.signedContentDigest);
    const tampered = await check(copy.replace("Chính phủ", "Chinh phu"));
    assert.equal(tampered.subIndication, "HASH_FAILURE");
    assert.equal(tampered.signedContentDigest, null);
    assert.equal((await check(buildEdxml(p))).signedContentDigest, null);
  });
});
