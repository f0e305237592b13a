/**
 * Checks the material `pnpm certs` generated: chains, expiry, the CRL, and the SoftHSM2 demo token.
 * Run after `pnpm certs`, with `set -a; . certs-test/out/env.sh; set +a`.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createHash, X509Certificate } from "node:crypto";
import {
  leafNames, loadGraphene, pki, pkcs11Lib, ready, samples, softhsmConf, token, type Graphene, type LeafName,
} from "@kyso/certs-test";

// graphene-pk11 is a dependency of @kyso/certs-test, not of the test package: load it from there.
const graphene = loadGraphene();

const CKF_OS_LOCKING_OK = 2;

function verify(cert: string): { status: number | null; out: string } {
  const r = spawnSync("openssl", ["verify", "-CAfile", pki.root, "-untrusted", pki.intermediate, cert], { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function serialHex(file: string): string {
  return new X509Certificate(readFileSync(file)).serialNumber.toLowerCase();
}

describe("certs-test: generated PKI", function () {
  before(function () {
    assert.ok(ready(), "certs-test/out/READY is missing: run `pnpm certs` first");
  });

  const valid = (Object.keys(leafNames) as LeafName[]).filter((n) => n !== "expired");
  for (const n of valid) {
    it(`${leafNames[n]} verifies against root + intermediate`, function () {
      const r = verify(pki[n].cert);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /: OK/);
    });
  }

  it("expired is rejected as expired", function () {
    const r = verify(pki.expired.cert);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /certificate has expired/);
  });

  it("the intermediate CRL lists revoked (keyCompromise) and nothing else; the root CRL is empty", function () {
    const text = execFileSync("openssl", ["crl", "-inform", "DER", "-in", pki.intermediateCrl, "-noout", "-text"], {
      encoding: "utf8",
    });
    const listed = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1].toLowerCase());
    assert.deepEqual(listed, [serialHex(pki.revoked.cert)]);
    assert.match(text, /Key Compromise/);
    const rootText = execFileSync("openssl", ["crl", "-inform", "DER", "-in", pki.rootCrl, "-noout", "-text"], {
      encoding: "utf8",
    });
    assert.match(rootText, /No Revoked Certificates/);
  });

  it("the CRL verifies with the intermediate's key", function () {
    const r = spawnSync("openssl", ["crl", "-inform", "DER", "-in", pki.intermediateCrl, "-CAfile", pki.intermediate, "-noout"], {
      encoding: "utf8",
    });
    assert.match(`${r.stdout}${r.stderr}`, /verify OK/);
  });

  it("pki/all-certs.json lists every certificate with its serial and SHA-256", function () {
    const records = JSON.parse(readFileSync(pki.allCerts, "utf8")) as Array<{ name: string; path: string; serialHex: string; sha256: string }>;
    assert.deepEqual(records.map((r) => r.name).sort(), ["intermediate", "root", ...Object.values(leafNames)].sort());
    for (const r of records) {
      const x = new X509Certificate(readFileSync(r.path));
      assert.equal(r.serialHex, serialHex(r.path));
      assert.match(r.serialHex, /^[0-9a-f]{32}$/, `${r.name}: 16-byte serial`);
      assert.equal(r.sha256, createHash("sha256").update(x.raw).digest("hex"));
    }
  });

  it("leaf subjects are UTF8String (only C is PrintableString)", function () {
    const dump = execFileSync("openssl", ["asn1parse", "-in", pki.officerRsa.cert], { encoding: "utf8" });
    assert.match(dump, /UTF8STRING\s+:Nguyễn Văn An/);
    const printable = [...dump.matchAll(/PRINTABLESTRING\s+:(.*)/g)].map((m) => m[1]);
    assert.deepEqual(printable, ["VN", "VN"]);
  });

  it("every sample document exists", function () {
    for (const file of Object.values(samples)) assert.ok(existsSync(file), file);
  });
});

describe("certs-test: SoftHSM2 demo token", function () {
  let mod: Graphene.Module;
  let session: Graphene.Session;

  before(function () {
    assert.ok(ready(), "certs-test/out/READY is missing: run `pnpm certs` first");
    assert.equal(process.env.SOFTHSM2_CONF, softhsmConf, "source certs-test/out/env.sh first");
    mod = graphene.Module.load(pkcs11Lib(), "SoftHSM");
    mod.initialize({ flags: CKF_OS_LOCKING_OK });
    const slots = mod.getSlots(true);
    let slot: Graphene.Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      if (slots.items(i).getToken().label.trim() === token.label) slot = slots.items(i);
    }
    assert.ok(slot, `token ${token.label} not found`);
    session = slot.open(graphene.SessionFlag.SERIAL_SESSION);
    session.login(token.userPin, graphene.UserType.USER);
  });

  after(function () {
    if (session) {
      session.logout();
      session.close();
    }
    if (mod) {
      mod.finalize();
      mod.close();
    }
  });

  it("holds six certificates, each with a private key of the same CKA_ID and the PEM's bytes", function () {
    const certs = session.find({ class: graphene.ObjectClass.CERTIFICATE });
    assert.equal(certs.length, 6);
    for (const [name, { label, id }] of Object.entries(token.keys) as Array<[keyof typeof token.keys, { label: string; id: string }]>) {
      const found = session.find({ class: graphene.ObjectClass.CERTIFICATE, id: Buffer.from(id, "hex") });
      assert.equal(found.length, 1, `certificate ${label}`);
      const attrs = found.items(0).getAttribute({ label: null, value: null });
      assert.equal(attrs.label, label);
      assert.ok(Buffer.from(attrs.value!).equals(new X509Certificate(readFileSync(pki[name].cert)).raw), `${label} value`);
      const keys = session.find({ class: graphene.ObjectClass.PRIVATE_KEY, id: Buffer.from(id, "hex") });
      assert.equal(keys.length, 1, `private key ${label}`);
    }
  });

  it("KYSO-SPARE is initialized and empty", function () {
    const slots = mod.getSlots(true);
    let spare: Graphene.Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      if (slots.items(i).getToken().label.trim() === token.spareLabel) spare = slots.items(i);
    }
    assert.ok(spare, `token ${token.spareLabel} not found`);
    const s = spare.open(graphene.SessionFlag.SERIAL_SESSION);
    try {
      s.login(token.userPin, graphene.UserType.USER);
      assert.equal(s.find().length, 0);
      s.logout();
    } finally {
      s.close();
    }
  });

  it("onboard's private key is sensitive and not extractable, and matches its certificate", function () {
    const id = Buffer.from(token.keys.onboard.id, "hex");
    const keys = session.find({ class: graphene.ObjectClass.PRIVATE_KEY, id });
    assert.equal(keys.length, 1);
    const attrs = keys.items(0).getAttribute({ extractable: null, sensitive: null, neverExtractable: null, local: null });
    assert.equal(attrs.extractable, false);
    assert.equal(attrs.sensitive, true);
    assert.equal(attrs.local, true, "generated on the token");
    assert.equal(existsSync(pki.onboard.key), false, "no key file for onboard");

    const pub = session.find({ class: graphene.ObjectClass.PUBLIC_KEY, id });
    assert.equal(pub.length, 1);
    const { modulus } = pub.items(0).getAttribute({ modulus: null });
    const certKey = new X509Certificate(readFileSync(pki.onboard.cert)).publicKey.export({ format: "jwk" });
    assert.equal(Buffer.from(modulus!).toString("base64url"), certKey.n);
  });
});
