// The XML signer's certificate is validated by the verifier's chain building and revocation
// checking (OCSP at the real test responder), not only by the edXML package's own path check.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildEdxml, signEdxml, verifyEdxml, type PackageReport } from "@kyso/edxml";
import { RevocationCache, httpFetcher, validateCertificate, verifyPdf, type FileReport, type RevocationFetcher } from "@kyso/verify";
import { pki, serverBase, startTestServers, type TestServers } from "@kyso/certs-test";
import { anchors, tempDir } from "../verify/support.js";
import { header, pdfAttachment, pkg, signedPdfs } from "./support.js";

describe("edXML: the XML signer's certificate (chain and revocation)", function () {
  const dir = tempDir("kyso-edxml-signer-");
  let servers: TestServers;
  let pdf: string;
  const fetcher = (): RevocationFetcher => {
    const http = httpFetcher(2000);
    return (url, request) => http(url.replace(serverBase, servers.base), request);
  };

  before(async function () {
    servers = await startTestServers({ port: 0 });
    pdf = (await signedPdfs(dir)).a;
  });
  after(() => servers?.close());

  async function check(signer: "orgSeal" | "revoked", revocation: "online" | "embedded"): Promise<PackageReport<FileReport>> {
    const key = { privateKeyPem: readFileSync(pki[signer].key, "utf8"), certificatesPem: readFileSync(pki[signer].cert, "utf8") + readFileSync(pki.intermediate, "utf8") };
    const xml = signEdxml(buildEdxml(pkg(header(), [pdfAttachment(pdf, "quyet-dinh.pdf")])), key);
    return verifyEdxml(
      { bytes: new TextEncoder().encode(xml), name: "goi-tin.edxml" },
      {
        trustAnchors: anchors,
        verifyPdf: (a) => verifyPdf(a, { trustAnchors: anchors, revocation: "online", fetcher: httpFetcher(5000) }),
        validateCertificate: (der, extra) => validateCertificate(der, extra, { trustAnchors: anchors, revocation, fetcher: fetcher(), cache: new RevocationCache() }),
      },
    );
  }

  it("a package signed with a good certificate passes, revocation checked online (OCSP)", async function () {
    const r = await check("orgSeal", "online");
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.equal(r.xmlSignature?.revocation.status, "good");
    assert.equal(r.xmlSignature?.revocation.mode, "online");
    assert.equal(r.xmlSignature?.chain.trusted, true);
    assert.equal(r.xmlSignature?.chain.path.length, 3);
  });

  it("a package signed with a revoked certificate fails (REVOKED), though its signature value verifies", async function () {
    const r = await check("revoked", "online");
    assert.equal(r.xmlSignature?.integrity, true);
    assert.equal(r.xmlSignature?.indication, "TOTAL_FAILED");
    assert.equal(r.xmlSignature?.subIndication, "REVOKED");
    assert.equal(r.indication, "TOTAL_FAILED");
  });

  it("without online checking the report says revocation was not possible, never a silent pass", async function () {
    const r = await check("revoked", "embedded");
    assert.equal(r.xmlSignature?.revocation.status, "no-information");
    assert.ok(r.warnings.some((w) => /No revocation information/.test(w)), r.warnings.join("; "));
  });
});
