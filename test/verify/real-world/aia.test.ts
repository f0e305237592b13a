import assert from "node:assert/strict";
import { httpFetcher, loadTrustAnchors, verifyPdf } from "@kyso/verify";
import { runCli, tempDir } from "../support.js";
import { deadUrl, fileServer, leafOnlyAia, type AiaCase, type FileServer } from "./aia.js";
import { assertGenuineRevocationOff, describeReport, FORGERY, onlySignature } from "./expect.js";
import { openssl, opensslCmsVerify } from "./openssl.js";

/**
 * Issue 11, acceptance 3: a signature embedding only the signer's certificate (as Government CA
 * signatures do) whose issuer is found through the certificate's AIA caIssuers URL (RFC 5280
 * §4.2.2.1) served from a local server. The test PKI's leaves carry caIssuers, but at certs-test's
 * fixed port (18731); tests listen on port 0, so the CA is a small openssl CA made here.
 * The verification is given an HTTP fetcher and `revocation: "off"`: fetching a missing issuer is
 * path building, not revocation checking.
 */
describe("verify: leaf-only CMS, issuer through AIA caIssuers", function () {
  const dir = tempDir("kyso-real-world-aia-");
  let server: FileServer;
  let live: AiaCase;
  let down: AiaCase;
  const savedCache = process.env.XDG_CACHE_HOME;

  before(async function () {
    // Any on-disk cache the engine keeps goes to this test's temp dir.
    process.env.XDG_CACHE_HOME = tempDir("kyso-real-world-aia-cache-");
    server = await fileServer();
    live = await leafOnlyAia(dir, "aia-live", `${server.base}/ca/intermediate.der`);
    server.serve("/ca/intermediate.der", live.ca.intermediate.der, "application/pkix-cert");
    down = await leafOnlyAia(dir, "aia-down", await deadUrl("/ca/intermediate.der"));
  });
  after(async function () {
    await server?.close();
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
  });

  const verifyWith = (c: AiaCase) =>
    verifyPdf({ path: c.fixture.file }, { trustAnchors: loadTrustAnchors([c.ca.root.cert]), revocation: "off", fetcher: httpFetcher(2000) });

  it("the fixture: the CMS holds the leaf only, the leaf names the caIssuers URL, openssl accepts it once given the intermediate (and not without)", function () {
    const certs = openssl(["pkcs7", "-inform", "DER", "-in", live.fixture.cms, "-print_certs", "-noout"]).toString("utf8");
    assert.equal((certs.match(/^subject=/gm) ?? []).length, 1, certs);
    const ext = openssl(["x509", "-in", live.leaf.cert, "-noout", "-ext", "authorityInfoAccess"]).toString("utf8");
    assert.ok(ext.includes(`CA Issuers - URI:${server.base}/ca/intermediate.der`), ext);
    const v = opensslCmsVerify(live.fixture.cms, live.fixture.ranges, live.ca.root.cert, live.ca.intermediate.cert);
    assert.ok(v.ok, v.output);
    assert.ok(!opensslCmsVerify(live.fixture.cms, live.fixture.ranges, live.ca.root.cert).ok, "without the intermediate openssl finds no path");
  });

  it("leaf-only-aia: Kyso fetches the intermediate from the caIssuers URL and builds root -> intermediate -> leaf", async function () {
    const before = server.hits;
    const r = await verifyWith(live);
    assert.ok(server.hits > before, `the caIssuers URL was fetched: ${describeReport(r)}`);
    const s = assertGenuineRevocationOff(r, 3);
    assert.equal(s.chain.path[s.chain.path.length - 1].sha256, openssl(["x509", "-in", live.ca.root.cert, "-noout", "-fingerprint", "-sha256"]).toString("latin1").split("=")[1].trim().replace(/:/g, "").toLowerCase());
  });

  it("leaf-only-aia, server down: INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND, integrity still true, no forgery claim", async function () {
    const r = await verifyWith(down);
    const s = onlySignature(r);
    const what = describeReport(r);
    assert.equal(s.integrity, true, what);
    assert.equal(s.indication, "INDETERMINATE", what);
    assert.equal(s.subIndication, "NO_CERTIFICATE_CHAIN_FOUND", what);
    assert.equal(r.indication, "INDETERMINATE", what);
    assert.ok(!FORGERY.includes(r.subIndication!), what);
    assert.equal(s.chain.trusted, false, what);
  });

  it("leaf-only, AIA server down, the intermediate in the trust store: the path is built offline from the store", async function () {
    const r = await verifyPdf({ path: down.fixture.file }, { trustAnchors: loadTrustAnchors([down.ca.root.cert]), intermediates: loadTrustAnchors([down.ca.intermediate.cert]), revocation: "off" });
    assertGenuineRevocationOff(r, 3);
  });

  it("leaf-only, the intermediate added with kyso trust add: kyso verify finds the path with the network down", async function () {
    const data = tempDir("kyso-real-world-aia-data-");
    const cache = tempDir("kyso-real-world-aia-cache2-");
    const env = { XDG_DATA_HOME: data, XDG_CACHE_HOME: cache };
    assert.equal(runCli(["trust", "add", down.ca.root.cert, "--role", "anchor"], env).code, 0);
    const before = JSON.parse(runCli(["verify", down.fixture.file, "--revocation", "off", "--json"], env).stdout)[0];
    assert.equal(before.subIndication, "NO_CERTIFICATE_CHAIN_FOUND", describeReport(before));
    const add = runCli(["trust", "add", down.ca.intermediate.cert, "--role", "intermediate"], env);
    assert.equal(add.code, 0, add.stderr);
    const after = JSON.parse(runCli(["verify", down.fixture.file, "--revocation", "off", "--json"], env).stdout)[0];
    assert.equal(after.signatures[0].chain.trusted, true, describeReport(after));
    assert.equal(after.signatures[0].chain.path.length, 3);
    assert.equal(after.subIndication, "TRY_LATER", "trusted, but --revocation off never passes");
  });
});
