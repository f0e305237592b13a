/**
 * Acceptance (issue 4): `token keygen` -> `token csr` -> certificate issued by the test CA
 * (openssl) -> `token import-cert` -> `kyso sign` with that key -> valid in pdfsig. On a private
 * copy of the token directory (the spare token), so the shared demo token is untouched.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { loadGraphene, pki, pkcs11Lib, ready, samples, serverBase, token } from "@kyso/certs-test";
import { pdfsig, runCli, tempDir, tokenCopy, withTokenSlot } from "../bulk/helpers.js";

/** Attributes of the private key labelled `label` on the spare token of a token copy (logs in with the right PIN). */
function privateKeyAttributes(conf: string, label: string): Record<string, unknown> {
  return withTokenSlot(conf, token.spareLabel, (slot, graphene) => {
    const s = slot.open(graphene.SessionFlag.SERIAL_SESSION);
    try {
      s.login(token.userPin, graphene.UserType.USER);
      const keys = s.find({ class: graphene.ObjectClass.PRIVATE_KEY, label });
      assert.equal(keys.length, 1);
      const a = keys.items(0).getAttribute({ sensitive: null, extractable: null, sign: null, id: null }) as { sensitive: boolean; extractable: boolean; sign: boolean; id: Buffer };
      return { sensitive: a.sensitive, extractable: a.extractable, sign: a.sign, id: a.id.toString("hex") };
    } finally {
      s.close();
    }
  });
}

const SUBJECT = "CN=Lê Thị Hoa,UID=CCCD:001190011111,title=Phó Chủ tịch,O=Ủy ban nhân dân tỉnh Phú Yên,L=Phú Yên,C=VN";

for (const algo of ["rsa2048", "p256"] as const) {
  describe(`kyso token: keygen -> csr -> issue -> import-cert -> sign (${algo})`, function () {
    let work: string;
    let env: NodeJS.ProcessEnv;
    const label = `can-bo-${algo}`;
    const spare = ["--token-label", token.spareLabel];

    before(function () {
      assert.ok(ready(), "run `pnpm certs` first");
      work = tempDir(`onboard-${algo}`);
      env = { SOFTHSM2_CONF: tokenCopy().conf, KYSO_PIN: token.userPin };
    });

    it("generates a non-extractable key pair on the token", async function () {
      const r = await runCli(["token", "keygen", ...spare, "--label", label, "--algo", algo, "--json"], { cwd: work, env });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { id: string; publicKey: string; label: string };
      assert.equal(out.label, label);
      assert.match(out.id, /^[0-9a-f]+$/);
      assert.match(out.publicKey, /BEGIN PUBLIC KEY/);
      const attrs = privateKeyAttributes(env.SOFTHSM2_CONF!, label);
      assert.deepEqual(attrs, { sensitive: true, extractable: false, sign: true, id: out.id });
      const again = await runCli(["token", "keygen", ...spare, "--label", label, "--algo", algo], { cwd: work, env });
      assert.equal(again.status, 2, "a second key with the same label is refused");
      assert.match(again.stderr, /already holds objects labelled/);
    });

    it("makes a PKCS#10 request signed on the token, subject in UTF8String", async function () {
      const r = await runCli(["token", "csr", ...spare, "--key-label", label, "--subject", SUBJECT, "--out", "req.pem"], { cwd: work, env });
      assert.equal(r.status, 0, r.stderr);
      const v = spawnSync("openssl", ["req", "-in", join(work, "req.pem"), "-verify", "-noout"], { encoding: "utf8" });
      assert.equal(v.status, 0, v.stderr);
      assert.match(`${v.stdout}${v.stderr}`, /verify OK/i);
      const parsed = spawnSync("openssl", ["asn1parse", "-in", join(work, "req.pem")], { encoding: "utf8" }).stdout;
      assert.match(parsed, /:commonName\n.*prim: UTF8STRING/);
      assert.match(parsed, /:organizationName\n.*prim: UTF8STRING/);
      assert.match(parsed, /:countryName\n.*prim: PRINTABLESTRING\s*:VN/);
      const subj = spawnSync("openssl", ["req", "-in", join(work, "req.pem"), "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"], { encoding: "utf8" }).stdout;
      assert.match(subj, /CN=Lê Thị Hoa/);
      assert.match(subj, /O=Ủy ban nhân dân tỉnh Phú Yên/);
    });

    it("imports the certificate the test CA issued, beside its key", async function () {
      // The test CA's leaf profile (certs-test ext_signer). Without a CRL distribution point and AIA,
      // pdfsig -no-ocsp reports "Unknown issue with Certificate" even for a good chain.
      writeFileSync(
        join(work, "ext.cnf"),
        [
          "basicConstraints=CA:false",
          "keyUsage=critical,digitalSignature,nonRepudiation",
          "extendedKeyUsage=emailProtection,clientAuth",
          "subjectKeyIdentifier=hash",
          "authorityKeyIdentifier=keyid:always",
          `authorityInfoAccess=OCSP;URI:${serverBase}/ocsp,caIssuers;URI:${serverBase}/certs/intermediate.cer`,
          `crlDistributionPoints=URI:${serverBase}/crl/intermediate.crl`,
          "",
        ].join("\n"),
      );
      const issue = spawnSync(
        "openssl",
        ["x509", "-req", "-in", "req.pem", "-CA", pki.intermediate, "-CAkey", pki.intermediateKey, "-CAcreateserial", "-CAserial", join(work, "ca.srl"), "-days", "365", "-sha256", "-extfile", "ext.cnf", "-out", "cert.pem"],
        { cwd: work, encoding: "utf8" },
      );
      assert.equal(issue.status, 0, issue.stderr);
      const r = await runCli(["token", "import-cert", ...spare, "--cert", "cert.pem", "--json"], { cwd: work, env });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { label: string; id: string; subject: string };
      assert.equal(out.label, label);
      assert.equal(out.subject, "Lê Thị Hoa");

      const certs = await runCli(["token", "certs", ...spare, "--json"], { cwd: work, env });
      assert.equal(certs.status, 0, certs.stderr);
      const list = JSON.parse(certs.stdout) as { certificates: { label: string; id: string; serial: string; hasPrivateKey: boolean | null; keyAlgorithm: string }[] };
      const serial = new X509Certificate(readFileSync(join(work, "cert.pem"))).serialNumber.toLowerCase();
      const mine = list.certificates.find((c) => c.serial === serial);
      assert.ok(mine, "the certificate is on the token");
      assert.equal(mine.id, out.id);
      assert.equal(mine.hasPrivateKey, true);
      assert.equal(mine.keyAlgorithm, algo === "p256" ? "EC P-256" : "RSA-2048");

      const dup = await runCli(["token", "import-cert", ...spare, "--cert", "cert.pem"], { cwd: work, env });
      assert.equal(dup.status, 2);
      assert.match(dup.stderr, /already holds this certificate/);
    });

    it("signs a PDF with the new key; pdfsig says valid and trusted", async function () {
      copyFileSync(samples.vietnamese, join(work, "quyet-dinh.pdf"));
      const r = await runCli(["sign", "quyet-dinh.pdf", ...spare, "--key-label", label, "--chain", pki.officerRsa.chain], { cwd: work, env });
      assert.equal(r.status, 0, r.stderr);
      const v = pdfsig(join(work, "quyet-dinh.signed.pdf"));
      assert.ok(v.ok, v.out);
      assert.match(v.out, /Common Name: Lê Thị Hoa/);
    });
  });
}
