/**
 * @kyso/sign's checkCertificate on the test PKI's certificates, against the test PKI's OCSP
 * responder, CRLs and TSA (root hook): each refusal code, the chain it completes, the TSA's
 * certificate checked on the dry run's token before anything is signed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { certificatesFromPemOrDer, fixedClock, isKysoError } from "@kyso/core";
import { pki, serverBase } from "@kyso/certs-test";
import { RevocationCache, httpFetcher } from "@kyso/cms";
import { certificateRefusalError, checkCertificate, prepareLtvSignOptions, type CertificateCheckOptions } from "@kyso/sign";

const der = (file: string): Uint8Array => certificatesFromPemOrDer(new Uint8Array(readFileSync(file)))[0];
const root = der(pki.root);
const intermediate = der(pki.intermediate);
const online = (): CertificateCheckOptions => ({ trustAnchors: [root], fetcher: httpFetcher(5000), cache: new RevocationCache() });

describe("checkCertificate (library)", function () {
  it("a good certificate: trusted, good by OCSP, the chain completed from AIA caIssuers", async function () {
    const c = await checkCertificate(der(pki.officerRsa.cert), online());
    assert.equal(c.refusal, undefined);
    assert.equal(c.trusted, true);
    assert.deepEqual(c.statuses.map((s) => s.status), ["good", "good"], "the signer's and the intermediate's status");
    assert.match(c.statuses[0].origin ?? "", /\/ocsp$/);
    assert.match(c.statuses[1].origin ?? "", /root\.crl$/);
    assert.deepEqual(c.chain.map((x) => Buffer.from(x).toString("base64")), [intermediate, root].map((x) => Buffer.from(x).toString("base64")));
    assert.equal(c.warnings.length, 0);
  });

  it("refuses: expired, not yet valid (clock), revoked, a CA key for signing, a signing key for time-stamping", async function () {
    assert.equal((await checkCertificate(der(pki.expired.cert), online())).refusal?.code, "CERT_EXPIRED");
    const early = await checkCertificate(der(pki.officerRsa.cert), { ...online(), clock: fixedClock(new Date(Date.now() - 7 * 86400_000)) });
    assert.equal(early.refusal?.code, "CERT_NOT_YET_VALID");
    const revoked = await checkCertificate(der(pki.revoked.cert), online());
    assert.equal(revoked.refusal?.code, "CERT_REVOKED");
    assert.equal(revoked.refusal?.reason, "keyCompromise");
    assert.equal((await checkCertificate(intermediate, online())).refusal?.code, "CERT_KEY_USAGE");
    assert.equal((await checkCertificate(der(pki.officerRsa.cert), { ...online(), purpose: "timestamping" })).refusal?.code, "CERT_KEY_USAGE");
    assert.equal((await checkCertificate(der(pki.tsa.cert), { ...online(), purpose: "timestamping" })).refusal, undefined);
    const e = certificateRefusalError(revoked);
    assert.ok(isKysoError(e, "CERT_REVOKED"));
  });

  it("off: not checked, and says so; no fetcher: unknown, refused unless allowed", async function () {
    const off = await checkCertificate(der(pki.officerRsa.cert), { trustAnchors: [root], offered: [intermediate], revocation: "off" });
    assert.equal(off.refusal, undefined);
    assert.deepEqual(off.warnings.map((w) => w.code), ["REVOCATION_NOT_CHECKED"]);
    const none = await checkCertificate(der(pki.officerRsa.cert), { trustAnchors: [root], offered: [intermediate] });
    assert.equal(none.refusal?.code, "CERT_STATUS_UNKNOWN");
    const allowed = await checkCertificate(der(pki.officerRsa.cert), { trustAnchors: [root], offered: [intermediate], allowUnknownStatus: true });
    assert.equal(allowed.refusal, undefined);
    assert.deepEqual(allowed.warnings.map((w) => w.code), ["STATUS_UNKNOWN", "STATUS_UNKNOWN"]);
  });

  it("checks the TSA's certificate on the dry run's token: a refusal stops before anything is signed", async function () {
    const seen: string[] = [];
    const ok = await prepareLtvSignOptions({
      level: "B-T",
      tsaUrls: [`${serverBase}/tsa`],
      checkTsaCertificate: async (cert, chain) => {
        const c = await checkCertificate(cert, { ...online(), offered: chain, purpose: "timestamping" });
        if (c.refusal) throw certificateRefusalError(c);
        seen.push(c.commonName ?? "?");
      },
    });
    assert.ok((ok.unsignedReserve ?? 0) > 1000);
    assert.deepEqual(seen, ["Kyso Test TSA"]);
    // Four years on, the TSA's certificate has expired: the run stops on the dry run.
    const later = fixedClock(new Date(Date.now() + 4 * 365 * 86400_000));
    await assert.rejects(
      prepareLtvSignOptions({
        level: "B-T",
        tsaUrls: [`${serverBase}/tsa`],
        checkTsaCertificate: async (cert, chain) => {
          const c = await checkCertificate(cert, { ...online(), offered: chain, purpose: "timestamping", clock: later });
          if (c.refusal) throw certificateRefusalError(c);
        },
      }),
      (e: unknown) => isKysoError(e, "CERT_EXPIRED"),
    );
  });
});
