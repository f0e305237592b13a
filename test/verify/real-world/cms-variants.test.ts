import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tempDir, verify } from "../support.js";
import { assertGenuineRevocationOff, describeReport, FORGERY, onlySignature } from "./expect.js";
import { adbePkcs7Sha1, berIndefinite, certsShuffledRepeated, noSignedAttrs, opensslBaseline, signerBySki, type Fixture } from "./fixtures.js";
import { openssl, opensslCmsVerify } from "./openssl.js";

/**
 * Issue 11, acceptance 3: CMS shapes found in real Vietnamese documents, each made by openssl over
 * the signed byte ranges of a PDF, each judged by openssl too. With `revocation: "off"` a genuine
 * signature is INDETERMINATE (never TOTAL_PASSED), never a forgery claim.
 */
describe("verify: real-world CMS shapes made by openssl", function () {
  const dir = tempDir("kyso-real-world-cms-");
  const f: Record<string, Fixture> = {};

  before(async function () {
    for (const x of [await opensslBaseline(dir), await noSignedAttrs(dir), await berIndefinite(dir), await signerBySki(dir), await certsShuffledRepeated(dir), await adbePkcs7Sha1(dir)])
      f[x.name] = x;
  });

  const opensslAccepts = (x: Fixture): void => {
    const v = opensslCmsVerify(x.cms, x.attached ? undefined : x.ranges, x.caFile, x.extraCerts);
    assert.ok(v.ok, `openssl cms -verify on ${x.name}: ${v.output}`);
  };
  const asn1 = (x: Fixture): string => openssl(["asn1parse", "-inform", "DER", "-in", x.cms, "-i"]).toString("latin1");

  it("openssl-baseline (control: signed attributes, DER, chain in order): openssl accepts it; Kyso: genuine, INDETERMINATE with revocation off", async function () {
    opensslAccepts(f["openssl-baseline"]);
    assertGenuineRevocationOff(await verify(f["openssl-baseline"].file, { revocation: "off" }));
  });

  it("no-signed-attrs: the fixture has no signed attributes (RFC 5652 §5.3 signedAttrs absent) and openssl accepts it", function () {
    const x = f["no-signed-attrs"];
    assert.match(openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", x.cms]).toString("latin1"), /signedAttrs:\s*<ABSENT>/, "no signed attributes");
    opensslAccepts(x);
  });

  it("no-signed-attrs: Kyso verifies the signature over the content itself (RFC 5652 §5.4): integrity, no forgery claim", async function () {
    const s = assertGenuineRevocationOff(await verify(f["no-signed-attrs"].file, { revocation: "off" }));
    assert.equal(s.digestAlgorithm, "SHA-256");
  });

  it("ber-indefinite: the fixture is BER with indefinite lengths (X.690 §8.1.3.6) and openssl accepts it", function () {
    const x = f["ber-indefinite"];
    const der = readFileSync(x.cms);
    assert.deepEqual([...der.subarray(0, 2)], [0x30, 0x80], "outer SEQUENCE of indefinite length");
    assert.match(asn1(x), /l=inf\s+cons: {2}cont \[ 0 \]/, "[0] of indefinite length");
    opensslAccepts(x);
  });

  it("ber-indefinite: Kyso reads BER and verifies it: integrity, no forgery claim", async function () {
    assertGenuineRevocationOff(await verify(f["ber-indefinite"].file, { revocation: "off" }));
  });

  it("signer-by-ski: the fixture names its signer by subjectKeyIdentifier (RFC 5652 §5.3, version 3) and openssl accepts it", function () {
    const x = f["signer-by-ski"];
    assert.match(openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", x.cms]).toString("latin1"), /d\.subjectKeyIdentifier/);
    opensslAccepts(x);
  });

  it("signer-by-ski: Kyso finds the signer by its key identifier: integrity, chain of 3, no forgery claim", async function () {
    const s = assertGenuineRevocationOff(await verify(f["signer-by-ski"].file, { revocation: "off" }));
    assert.equal(s.signer?.commonName, "Nguyễn Văn An");
  });

  it("certs-shuffled-repeated: the fixture carries root, intermediate, leaf, intermediate (a SET has no order) and openssl accepts it", function () {
    const x = f["certs-shuffled-repeated"];
    const subjects = [...openssl(["pkcs7", "-inform", "DER", "-in", x.cms, "-print_certs", "-noout"]).toString("utf8").matchAll(/^subject=.*CN ?= ?([^,\n]+)/gm)].map((m) => m[1].trim());
    assert.equal(subjects.length, 4, subjects.join(" / "));
    assert.equal(subjects[1], subjects[3], "the intermediate is repeated");
    opensslAccepts(x);
  });

  it("certs-shuffled-repeated: Kyso builds the chain whatever the order: leaf, intermediate, root once each", async function () {
    const s = assertGenuineRevocationOff(await verify(f["certs-shuffled-repeated"].file, { revocation: "off" }));
    assert.equal(new Set(s.chain.path.map((c) => c.sha256)).size, 3);
  });

  it("adbe-pkcs7-sha1: the fixture encapsulates the SHA-1 of the byte ranges (ISO 32000-1 §12.8.3.3.1) and openssl accepts it", function () {
    const x = f["adbe-pkcs7-sha1"];
    const content = openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", x.cms, "-CAfile", x.caFile, "-purpose", "any"]);
    assert.deepEqual(content, createHash("sha1").update(readFileSync(x.ranges)).digest());
    assert.ok(readFileSync(x.file).includes("/SubFilter /adbe.pkcs7.sha1"));
  });

  it("adbe-pkcs7-sha1: Kyso checks it: integrity, SHA-1 reported as weak, never a forgery claim, never TOTAL_PASSED", async function () {
    const r = await verify(f["adbe-pkcs7-sha1"].file, { revocation: "off" });
    const s = onlySignature(r);
    const what = describeReport(r);
    assert.equal(s.subFilter, "adbe.pkcs7.sha1");
    assert.equal(s.integrity, true, what);
    assert.ok(!FORGERY.includes(s.subIndication!) && !FORGERY.includes(r.subIndication!), what);
    assert.ok([...s.warnings, ...s.reasons].some((w) => /SHA-?1/i.test(w) && /weak|broken|no longer|not (considered )?secure/i.test(w)), `SHA-1 reported as weak: ${what} ${s.warnings.join(" | ")}`);
    assert.equal(s.chain.trusted, true, what);
    assert.notEqual(r.indication, "TOTAL_PASSED", what);
  });
});
