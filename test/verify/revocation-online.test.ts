// --revocation online against the test PKI's real OCSP responder and CRL server (certs-test
// servers.ts), started on a free port; the fetcher maps the certificates' URL base
// (serverBase, the port chosen when the PKI was generated) onto it, or onto a port nothing listens on to take a server down.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";
import { samples, serverBase, startTestServers, type TestServers } from "@kyso/certs-test";
import { httpFetcher, RevocationCache, type RevocationFetcher } from "@kyso/verify";
import { sign, tempDir, verify } from "./support.js";

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

describe("verify: --revocation online (OCSP, then CRLs)", function () {
  const dir = tempDir();
  let servers: TestServers;
  let dead: string;
  let good: string;
  let revoked: string;
  const urls: string[] = [];

  /** Routes the OCSP and CRL URLs of the certificates to the live servers or to the dead port. */
  const fetcher = (route: { ocsp: "up" | "down" | "garbage"; crl: "up" | "down" }): RevocationFetcher => {
    const http = httpFetcher(2000);
    return (url, request) => {
      urls.push(url);
      const isOcsp = url.startsWith(`${serverBase}/ocsp`);
      const state = isOcsp ? route.ocsp : route.crl;
      let target = url.replace(serverBase, state === "down" ? dead : servers.base);
      if (isOcsp && state === "garbage") target = target.replace("/ocsp", "/ocsp/garbage");
      return http(target, request);
    };
  };

  before(async function () {
    servers = await startTestServers({ port: 0 });
    dead = `http://127.0.0.1:${await closedPort()}`;
    good = await sign(samples.onePage, join(dir, "good.pdf"));
    revoked = await sign(samples.onePage, join(dir, "revoked.pdf"), "revoked");
  });
  after(() => servers?.close());
  beforeEach(() => {
    urls.length = 0;
  });

  it("a good signer passes on the OCSP responder's word, and the report says OCSP was used", async function () {
    const ocspBefore = servers.hits.ocsp ?? 0;
    const crlBefore = servers.hits.crl ?? 0;
    const r = await verify(good, { revocation: "online", fetcher: fetcher({ ocsp: "up", crl: "up" }), cache: new RevocationCache() });
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    const rev = r.signatures[0].revocation;
    assert.equal(rev.mode, "online");
    assert.equal(rev.status, "good");
    assert.equal(rev.source, "ocsp");
    assert.equal(rev.origin, `${serverBase}/ocsp`);
    assert.match(rev.message, /^OCSP .*: good/);
    assert.equal((servers.hits.ocsp ?? 0) - ocspBefore, 1, "one OCSP request, for the signer");
    // The intermediate's status counts too: it names no OCSP responder, so the root's CRL is fetched.
    assert.equal((servers.hits.crl ?? 0) - crlBefore, 1, "one CRL download: the root's, for the intermediate");
    assert.ok(urls.includes(`${serverBase}/crl/root.crl`) && !urls.includes(`${serverBase}/crl/intermediate.crl`), urls.join(", "));
    assert.deepEqual(rev.path?.map((p) => p.status), ["good", "good"]);
  });

  it("a revoked signer fails with REVOKED from the OCSP response, with its reason", async function () {
    const r = await verify(revoked, { revocation: "online", fetcher: fetcher({ ocsp: "up", crl: "down" }), cache: new RevocationCache() });
    assert.equal(r.indication, "TOTAL_FAILED");
    assert.equal(r.signatures[0].subIndication, "REVOKED");
    const rev = r.signatures[0].revocation;
    assert.equal(rev.status, "revoked");
    assert.equal(rev.source, "ocsp");
    assert.equal(rev.reason, "keyCompromise");
    assert.ok(rev.revocationTime, "the revocation time is reported");
    assert.match(r.reasons.join("\n"), /revoked/);
  });

  it("OCSP responder down: falls back to the CRL, says so, and still finds the revoked signer", async function () {
    const cache = new RevocationCache();
    const g = await verify(good, { revocation: "online", fetcher: fetcher({ ocsp: "down", crl: "up" }), cache });
    assert.equal(g.indication, "TOTAL_PASSED", g.reasons.join("; "));
    assert.equal(g.signatures[0].revocation.source, "crl");
    assert.equal(g.signatures[0].revocation.origin, `${serverBase}/crl/intermediate.crl`);
    assert.match(g.signatures[0].revocation.message, new RegExp(`OCSP gave no answer: OCSP ${esc(serverBase)}/ocsp: `));
    const ocspTries = urls.filter((u) => u.includes("/ocsp")).length;
    assert.equal(ocspTries, 2, "the dead responder is tried twice (one bounded retry), not more");
    const r = await verify(revoked, { revocation: "online", fetcher: fetcher({ ocsp: "down", crl: "up" }), cache });
    assert.equal(r.indication, "TOTAL_FAILED");
    assert.equal(r.signatures[0].revocation.status, "revoked");
    assert.equal(r.signatures[0].revocation.source, "crl");
  });

  it("an OCSP answer that is not an OCSP response is not trusted: the CRL decides", async function () {
    const r = await verify(revoked, { revocation: "online", fetcher: fetcher({ ocsp: "garbage", crl: "up" }), cache: new RevocationCache() });
    assert.equal(r.signatures[0].subIndication, "REVOKED");
    assert.equal(r.signatures[0].revocation.source, "crl");
    assert.match(r.signatures[0].revocation.message, /OCSP_MALFORMED|not an OCSP response/);
  });

  it("OCSP and CRL servers both down: INDETERMINATE / TRY_LATER naming both, never a pass", async function () {
    const r = await verify(good, { revocation: "online", fetcher: fetcher({ ocsp: "down", crl: "down" }), cache: new RevocationCache() });
    assert.equal(r.indication, "INDETERMINATE");
    assert.equal(r.signatures[0].indication, "INDETERMINATE");
    assert.equal(r.signatures[0].subIndication, "TRY_LATER");
    assert.equal(r.signatures[0].revocation.status, "unknown");
    assert.match(r.signatures[0].revocation.message, new RegExp(`OCSP ${esc(serverBase)}/ocsp: .*; CRL ${esc(serverBase)}/crl/intermediate\\.crl: `));
    for (const u of new Set(urls)) assert.equal(urls.filter((x) => x === u).length, 2, `${u} tried twice`);
  });

  it("the cache answers a second verification without the network, until the data expires", async function () {
    const cache = new RevocationCache();
    const first = await verify(good, { revocation: "online", fetcher: fetcher({ ocsp: "up", crl: "up" }), cache });
    assert.equal(first.signatures[0].revocation.source, "ocsp");
    urls.length = 0;
    const second = await verify(good, { revocation: "online", fetcher: fetcher({ ocsp: "down", crl: "down" }), cache });
    assert.equal(second.indication, "TOTAL_PASSED", second.reasons.join("; "));
    assert.equal(second.signatures[0].revocation.source, "ocsp");
    assert.deepEqual(urls, [], "nothing fetched");
    // Another certificate is not answered from that cache entry.
    const other = await verify(revoked, { revocation: "online", fetcher: fetcher({ ocsp: "down", crl: "down" }), cache });
    assert.equal(other.indication, "INDETERMINATE");
  });
});
