// ETSI TS 119 612 trusted lists: export signed by a PKCS#12 key (RSA and ECDSA), judged by xmlsec1,
// imported back only with the signer's certificate; tampered, re-signed and hostile lists refused.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { isKysoError } from "@kyso/core";
import { p12Password, pki } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { KYSO_ROLE_URI, TSL, bundledTrust, entryFromDer, exportTsl, importTsl, readTsl, type TrustEntry } from "../src/index.js";

const der = (pemFile: string): Uint8Array => new Uint8Array(new X509Certificate(readFileSync(pemFile)).raw);
const testRoot = entryFromDer(der(pki.root), "anchor", "local");
const testIntermediate = entryFromDer(der(pki.intermediate), "intermediate", "local");
const entries: TrustEntry[] = [...bundledTrust(), testRoot, testIntermediate];
const issueDate = new Date("2026-12-01T03:00:00Z");

let work: string;
before(function () {
  work = mkdtempSync(join(tmpdir(), "kyso-tsl-"));
});
after(function () {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** xmlsec1 (an independent XMLDSig implementation) with only the given certificate's key. */
function xmlsecVerifies(xml: string, certPem: string): boolean {
  const file = join(work, `judge-${Math.random().toString(16).slice(2)}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync("xmlsec1", ["--verify", "--pubkey-cert-pem", certPem, "--enabled-key-data", "key-name", file], { encoding: "utf8" });
  return r.status === 0 && /^OK/m.test(r.stderr + r.stdout);
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isKysoError(e)) return e.code;
    throw e;
  }
  return "none";
}

/** Changes one byte of the DER of the n-th certificate listed in a TSPService, keeping valid base64. */
function tamperCertificate(xml: string, n: number): string {
  let k = -1;
  return xml.replace(/<tsl:X509Certificate>([^<]+)<\/tsl:X509Certificate>/g, (whole, b64: string) => {
    if (++k !== n) return whole;
    const bytes = Buffer.from(b64, "base64");
    bytes[bytes.length - 40] ^= 0x01;
    return `<tsl:X509Certificate>${bytes.toString("base64")}</tsl:X509Certificate>`;
  });
}

for (const [name, files] of [
  ["RSA (RSA-SHA256)", pki.officerRsa],
  ["ECDSA P-256 (ECDSA-SHA256)", pki.officerEc],
] as const) {
  describe(`trust: TS 119 612 list signed with a ${name} PKCS#12 key`, function () {
    let xml: string;
    let signer: Pkcs12Signer;
    before(async function () {
      signer = await Pkcs12Signer.open(files.p12, p12Password);
      xml = await exportTsl(entries, signer, { schemeOperator: "Sở Thông tin và Truyền thông tỉnh Bắc Ninh", territory: "VN", issueDate, sequenceNumber: 7 });
    });

    it("writes the scheme information and one CA/PKC service per certificate, roots and intermediates marked", function () {
      const doc = new DOMParser().parseFromString(xml, "text/xml");
      const root = doc.documentElement!;
      assert.equal(root.namespaceURI, TSL.ns);
      assert.equal(root.localName, "TrustServiceStatusList");
      assert.equal(root.getAttribute("TSLTag"), "http://uri.etsi.org/19612/TSLTag");
      const one = (local: string): string => (root.getElementsByTagNameNS(TSL.ns, local)[0]?.textContent ?? "").trim();
      assert.equal(one("TSLVersionIdentifier"), "5");
      assert.equal(one("TSLSequenceNumber"), "7");
      assert.equal(one("TSLType"), "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/VNlist");
      assert.equal(one("SchemeTerritory"), "VN");
      assert.equal(one("ListIssueDateTime"), "2026-12-01T03:00:00Z");
      // Six months later by default (§5.3.15).
      assert.equal(one("NextUpdate"), "2027-06-01T03:00:00Z");
      assert.match(one("SchemeOperatorName"), /Bắc Ninh/);
      const services = Array.from(root.getElementsByTagNameNS(TSL.ns, "ServiceInformation") as unknown as ArrayLike<Element>);
      assert.equal(services.length, entries.length);
      services.forEach((s, k) => {
        const get = (local: string): string => (s.getElementsByTagNameNS(TSL.ns, local)[0]?.textContent ?? "").trim();
        assert.equal(get("ServiceTypeIdentifier"), "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC");
        assert.equal(get("ServiceStatus"), "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted");
        assert.ok(get("StatusStartingTime"));
        assert.deepEqual(new Uint8Array(Buffer.from(get("X509Certificate"), "base64")), new Uint8Array(entries[k].der));
        assert.equal(s.getElementsByTagNameNS(TSL.ns, "AdditionalServiceInformation")[0]!.getElementsByTagNameNS(TSL.ns, "URI")[0]!.textContent, KYSO_ROLE_URI[entries[k].role]);
      });
      // One provider per organization as its certificates write it: "Ban Co yeu Chinh phu" (G1, no
      // diacritics), "Ban Cơ yếu Chính phủ" (G2 root and intermediate), the Ministry, VNPT, the test PKI.
      const tsps = Array.from(root.getElementsByTagNameNS(TSL.ns, "TSPName") as unknown as ArrayLike<Element>).map((t) => (t.textContent ?? "").trim());
      assert.deepEqual(tsps, ["Ban Co yeu Chinh phu", "Ban Cơ yếu Chính phủ", "Ministry of Information and Communications", "VIETNAM POSTS AND TELECOMMUNICATIONS GROUP", "Ban Co yeu Chinh phu (TEST)"]);
    });

    it("xmlsec1 verifies the signature with the signer's certificate, and not with another", function () {
      assert.ok(xmlsecVerifies(xml, files.cert), "xmlsec1 --verify with the signer's certificate");
      assert.ok(!xmlsecVerifies(xml, pki.orgSeal.cert), "xmlsec1 --verify with another certificate");
    });

    it("imports back with the signer's certificate: every certificate with its role", function () {
      const list = readTsl(xml, signer.certificate);
      assert.deepEqual(list.entries.map((e) => [e.sha256, e.role]), entries.map((e) => [e.sha256, e.role]));
      assert.equal(list.sequenceNumber, 7);
      assert.equal(list.territory, "VN");
      assert.equal(list.issueDate?.toISOString(), issueDate.toISOString());
      assert.deepEqual(list.skipped, []);
      assert.equal(importTsl(xml, signer.certificate).length, entries.length);
    });

    it("refuses the list with another certificate (TSL_SIGNATURE_INVALID), also when KeyInfo is removed", function () {
      const other = der(pki.orgSeal.cert);
      assert.equal(codeOf(() => importTsl(xml, other)), "TSL_SIGNATURE_INVALID");
      // KeyInfo is outside SignedInfo: without it, only the signature value check can refuse.
      const bare = xml.replace(/<KeyInfo>[\s\S]*<\/KeyInfo>/, "");
      assert.notEqual(bare, xml);
      assert.equal(importTsl(bare, signer.certificate).length, entries.length);
      assert.equal(codeOf(() => importTsl(bare, other)), "TSL_SIGNATURE_INVALID");
    });

    it("refuses a list with one certificate byte changed, as xmlsec1 does", function () {
      const tampered = tamperCertificate(xml, 2);
      assert.notEqual(tampered, xml);
      assert.equal(codeOf(() => importTsl(tampered, signer.certificate)), "TSL_SIGNATURE_INVALID");
      assert.ok(!xmlsecVerifies(tampered, files.cert));
    });

    it("refuses a changed role, an added service, a moved signature and a second signature", function () {
      const promoted = xml.replace(KYSO_ROLE_URI.intermediate, KYSO_ROLE_URI.anchor);
      assert.equal(codeOf(() => importTsl(promoted, signer.certificate)), "TSL_SIGNATURE_INVALID");
      const firstTsp = /<tsl:TrustServiceProvider>[\s\S]*?<\/tsl:TrustServiceProvider>/.exec(xml)![0];
      const added = xml.replace("</tsl:TrustServiceProviderList>", `${firstTsp}</tsl:TrustServiceProviderList>`);
      assert.equal(codeOf(() => importTsl(added, signer.certificate)), "TSL_SIGNATURE_INVALID");
      const sig = /<Signature [\s\S]*<\/Signature>/.exec(xml)![0];
      const moved = xml.replace(sig, "").replace("</tsl:SchemeInformation>", `${sig}</tsl:SchemeInformation>`);
      assert.equal(codeOf(() => importTsl(moved, signer.certificate)), "TSL_SIGNATURE_INVALID");
      const twice = xml.replace("</tsl:TrustServiceStatusList>", `${sig}</tsl:TrustServiceStatusList>`);
      assert.equal(codeOf(() => importTsl(twice, signer.certificate)), "TSL_SIGNATURE_INVALID");
    });
  });
}

describe("trust: hostile or foreign lists", function () {
  let xml: string;
  let cert: Uint8Array;
  before(async function () {
    const signer = await Pkcs12Signer.open(pki.orgSeal.p12, p12Password);
    cert = signer.certificate;
    xml = await exportTsl([testRoot], signer, { schemeOperator: "UBND", issueDate, nextUpdate: new Date("2027-01-01T00:00:00Z") });
  });

  it("refuses a DTD or entity declaration before any parsing (TSL_DTD_REFUSED)", function () {
    const withDtd = xml.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n');
    assert.notEqual(withDtd, xml);
    assert.equal(codeOf(() => importTsl(withDtd, cert)), "TSL_DTD_REFUSED");
  });

  it("refuses an unsigned list, a non-TSL document and malformed XML", function () {
    const unsigned = xml.replace(/<Signature [\s\S]*<\/Signature>/, "");
    assert.equal(codeOf(() => importTsl(unsigned, cert)), "TSL_SIGNATURE_INVALID");
    assert.equal(codeOf(() => importTsl('<?xml version="1.0"?><a xmlns="urn:x"/>', cert)), "TSL_MALFORMED");
    assert.equal(codeOf(() => importTsl(xml.slice(0, xml.length - 20), cert)), "TSL_MALFORMED");
  });

  it("reads the next update given at export", function () {
    assert.equal(readTsl(xml, cert).nextUpdate?.toISOString(), "2027-01-01T00:00:00.000Z");
  });

  it("refuses to export an empty store and a next update before the issue date", async function () {
    const signer = await Pkcs12Signer.open(pki.orgSeal.p12, p12Password);
    await assert.rejects(exportTsl([], signer, { schemeOperator: "UBND", issueDate }), (e) => isKysoError(e, "TRUST_EMPTY"));
    await assert.rejects(exportTsl([testRoot], signer, { schemeOperator: "UBND", issueDate, nextUpdate: new Date("2020-01-01") }), (e) => isKysoError(e, "USAGE"));
  });
});
