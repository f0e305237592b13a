/**
 * Acceptance (issue 13): chains are completed when signing: --chain, the token's CA certificates,
 * the trust store, AIA caIssuers. The demo token holds no CA certificate; without --chain (and
 * without KYSO_CHAIN) the signature still carries the intermediate, so that pdfsig (trusting only
 * the test root) calls it trusted.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pki, samples, softhsmConf, token } from "@kyso/certs-test";
import { CertificatePool, readSignedDataInfo } from "@kyso/cms";
import { withTokenSlot } from "../bulk/helpers.js";
import { signatureContents } from "../ltv/helpers.js";
import { kyso, pdfsigText, tempDir } from "./support.js";

/** The common names of the certificates the (single) signature of `file` carries. */
function embeddedSubjects(file: string): string[] {
  const [sig] = signatureContents(file);
  const pool = new CertificatePool();
  return readSignedDataInfo(new Uint8Array(sig.cms)).certificates.map((c) => pool.certificate(c).commonName ?? "?");
}

describe("kyso sign: chains completed from the trust store and AIA", function () {
  const sign = (out: string, data: string) =>
    kyso(["sign", samples.onePage, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--out-dir", out, "--report", `${out}.json`], {
      KYSO_PIN: token.userPin,
      XDG_DATA_HOME: data,
    });

  it("the demo token holds no CA certificate", function () {
    const pool = new CertificatePool();
    const certs = withTokenSlot(softhsmConf, token.label, (slot, graphene) => {
      const session = slot.open(graphene.SessionFlag.SERIAL_SESSION);
      try {
        const found = session.find({ class: graphene.ObjectClass.CERTIFICATE });
        const out: { label: string; der: Uint8Array }[] = [];
        for (let i = 0; i < found.length; i++) {
          const c = found.items(i).toType<InstanceType<typeof graphene.X509Certificate>>();
          out.push({ label: c.label, der: new Uint8Array(c.value) });
        }
        return out;
      } finally {
        session.close();
      }
    });
    assert.ok(certs.length > 0);
    assert.deepEqual(certs.filter((c) => pool.certificate(c.der).isCa).map((c) => c.label), []);
  });

  it("takes the issuer from the trust store (kyso trust add): pdfsig trusts the signature, no AIA fetch", async function () {
    const work = tempDir("sc-store");
    const data = join(work, "data");
    for (const cert of [pki.root, pki.intermediate]) {
      const add = await kyso(["trust", "add", cert], { XDG_DATA_HOME: data });
      assert.equal(add.status, 0, add.stderr);
    }
    const out = join(work, "out");
    const r = await sign(out, data);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning|note/);
    const report = JSON.parse(readFileSync(`${out}.json`, "utf8"));
    assert.equal(report.summary.certificateCheck.signer.trusted, true);
    assert.equal(report.summary.certificateCheck.signer.status, "good");
    assert.deepEqual(report.summary.certificateCheck.signer.chainNotes, [], "nothing fetched from caIssuers");
    assert.deepEqual(embeddedSubjects(join(out, "one-page.pdf")), ["Nguyễn Văn An", "Kyso Test Intermediate CA", "Kyso Test Root CA"]);
    const text = pdfsigText(join(out, "one-page.pdf"));
    assert.match(text, /Signature is Valid/);
    assert.match(text, /Certificate is Trusted/);
  });

  it("fetches the issuer from AIA caIssuers on the local server when the store has only the root", async function () {
    const work = tempDir("sc-aia");
    const data = join(work, "data");
    const add = await kyso(["trust", "add", pki.root], { XDG_DATA_HOME: data });
    assert.equal(add.status, 0, add.stderr);
    const out = join(work, "out");
    const r = await sign(out, data);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning|note/);
    const report = JSON.parse(readFileSync(`${out}.json`, "utf8"));
    assert.match(report.summary.certificateCheck.signer.chainNotes.join("\n"), /issuer "Kyso Test Intermediate CA" fetched from http:\/\/127\.0\.0\.1:\d+\/certs\/intermediate\.cer \(AIA caIssuers\)/);
    assert.ok(embeddedSubjects(join(out, "one-page.pdf")).includes("Kyso Test Intermediate CA"));
    const text = pdfsigText(join(out, "one-page.pdf"));
    assert.match(text, /Certificate is Trusted/);
    assert.doesNotMatch(text, /issuer is unknown/i);
  });

  it("--chain still comes first and still works", async function () {
    const work = tempDir("sc-chain");
    const out = join(work, "out");
    const r = await kyso(["sign", samples.onePage, "--p12", pki.officerEc.p12, "--chain", pki.officerEc.chain, "--trust", pki.root, "--out-dir", out, "--report", `${out}.json`], {
      KYSO_P12_PASSWORD: "kyso-test",
    });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(`${out}.json`, "utf8"));
    assert.deepEqual(report.summary.certificateCheck.signer.chainNotes, []);
    assert.match(pdfsigText(join(out, "one-page.pdf")), /Certificate is Trusted/);
  });
});
