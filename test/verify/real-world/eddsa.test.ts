import assert from "node:assert/strict";
import { createPublicKey, verify as nodeVerify, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { children, readTlv } from "@kyso/core";
import { tempDir, verify } from "../support.js";
import { assertGenuineRevocationOff, describeReport } from "./expect.js";
import { edSigned, type Fixture } from "./fixtures.js";
import { openssl } from "./openssl.js";

/**
 * Issue 11, acceptance 2 (Ed25519/Ed448): EdDSA signatures (RFC 8419) with keys and certificates
 * from openssl verify; today they are reported "not made with the key of the certificate".
 * openssl 3.0's CMS can neither make nor check EdDSA SignedData ("invalid digest"), so the CMS is
 * assembled by hand (see fixtures.ts) and checked here with node:crypto first.
 */
describe("verify: Ed25519 and Ed448 signatures (RFC 8419)", function () {
  const dir = tempDir("kyso-real-world-eddsa-");
  const f: Record<string, Fixture> = {};

  before(async function () {
    f.ed25519 = await edSigned(dir, "ed25519");
    f.ed448 = await edSigned(dir, "ed448");
    f["ed448-shake256-len"] = await edSigned(dir, "ed448-shake256-len");
  });

  /** The SignerInfo's signature checked with node:crypto over the DER of its signed attributes (RFC 5652 §5.4). */
  function selfCheck(x: Fixture): { digestOid: string; sigOid: string } {
    const sd = children(children(children(readTlv(new Uint8Array(readFileSync(x.cms))))[1])[0]);
    const si = children(children(sd[sd.length - 1])[0]);
    const attrs = new Uint8Array(si[3].raw);
    attrs[0] = 0x31; // [0] IMPLICIT -> SET OF for the signature input
    const certs = children(sd.find((n) => n.tag === 0xa0)!);
    const leaf = new X509Certificate(Buffer.from(certs[0].raw));
    assert.ok(nodeVerify(null, attrs, createPublicKey(leaf.publicKey.export({ type: "spki", format: "pem" })), si[5].value), `${x.name}: signature over the signed attributes`);
    const oidText = (n: Uint8Array): string => openssl(["asn1parse", "-inform", "DER"], n).toString("latin1");
    return { digestOid: oidText(si[2].raw), sigOid: oidText(si[4].raw) };
  }

  it("ed25519: the fixture is PureEdDSA over the signed attributes with SHA-512 as message digest", function () {
    const { digestOid, sigOid } = selfCheck(f.ed25519);
    assert.match(digestOid, /sha512/);
    assert.match(sigOid, /ED25519/);
  });

  it("ed448: the fixture is PureEdDSA over the signed attributes with SHAKE256/512 (id-shake256) as message digest", function () {
    const { digestOid, sigOid } = selfCheck(f.ed448);
    assert.match(digestOid, /shake256|2\.16\.840\.1\.101\.3\.4\.2\.12/i);
    assert.match(sigOid, /ED448/);
  });

  it("ed448-shake256-len: the fixture's message digest is id-shake256-len with output length 512", function () {
    const { digestOid, sigOid } = selfCheck(f["ed448-shake256-len"]);
    assert.match(digestOid, /2\.16\.840\.1\.101\.3\.4\.2\.18|shake256-len/i);
    assert.match(digestOid, /INTEGER\s*:0?200/, "ShakeOutputLen 512");
    assert.match(sigOid, /ED448/);
  });

  it("ed25519: Kyso verifies it (integrity, no SIG_CRYPTO_FAILURE) and names the algorithm Ed25519", async function () {
    const r = await verify(f.ed25519.file, { revocation: "off" });
    const s = assertGenuineRevocationOff(r);
    assert.match(s.signatureAlgorithm ?? "", /Ed25519/i, describeReport(r));
    assert.equal(s.digestAlgorithm, "SHA-512");
  });

  for (const name of ["ed448", "ed448-shake256-len"]) {
    it(`${name}: Kyso verifies it (integrity, no SIG_CRYPTO_FAILURE) and names the algorithm Ed448`, async function () {
      const r = await verify(f[name].file, { revocation: "off" });
      const s = assertGenuineRevocationOff(r);
      assert.match(s.signatureAlgorithm ?? "", /Ed448/i, describeReport(r));
      assert.match(s.digestAlgorithm ?? "", /SHAKE-?256/i, describeReport(r));
    });
  }
});
