/**
 * Acceptance (issue 13): the demo token's `expired` and `revoked` keys are refused before the PIN
 * is asked: exit 2, no output, no C_Login (OpenSC's pkcs11-spy logs every PKCS#11 call), a message
 * in the user's language. The status of `revoked` comes from the test PKI's OCSP responder (root hook).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pki, ready, samples, token } from "@kyso/certs-test";
import { SPY, kyso, pdfsigText, spyCount, spyEnv, tempDir } from "./support.js";

describe("kyso sign: the certificate is checked before the PIN", function () {
  before(function () {
    assert.ok(ready(), "run `pnpm certs` first");
    assert.ok(existsSync(SPY), "OpenSC's pkcs11-spy.so (opensc-pkcs11) logs the PKCS#11 calls");
  });

  for (const [key, pattern, viPattern] of [
    ["expired", /The signing certificate "Hoàng Thị Em" expired on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00: Kyso does not sign with an expired certificate.*Nothing was signed\./, /Chứng thư số ký "Hoàng Thị Em" đã hết hạn lúc \d\d:\d\d:\d\d \d\d\/\d\d\/\d{4}.*Không tệp nào được ký\./],
    ["revoked", /The signing certificate "Phạm Văn Dũng" was revoked on .* \(reason: keyCompromise\), according to http:\/\/127\.0\.0\.1:\d+\/ocsp: Kyso does not sign with a revoked certificate/, /Chứng thư số ký "Phạm Văn Dũng" đã bị thu hồi lúc .* \(lý do: lộ khóa bí mật\)/],
  ] as const) {
    it(`refuses the "${key}" key: exit 2, no output, no login, English and Vietnamese`, async function () {
      const work = tempDir(`sc-${key}`);
      const log = join(work, "spy.log");
      const r = await kyso(["sign", samples.onePage, "--token-label", token.label, "--key-label", key, "--out-dir", join(work, "out"), "--report", join(work, "report.json")], {
        KYSO_PIN: token.userPin,
        ...spyEnv(log),
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, "");
      assert.equal(spyCount(log, "C_Login"), 0, "no C_Login for a refused certificate");
      assert.ok(spyCount(log, "C_FindObjectsInit") > 0, "the certificate was read from the token");
      assert.equal(spyCount(log, "C_SignInit"), 0);
      assert.deepEqual(readdirSync(work), ["spy.log"], "no output folder, no report, no journal");

      const vi = await kyso(["sign", samples.onePage, "--token-label", token.label, "--key-label", key, "--out-dir", join(work, "vi")], { KYSO_PIN: token.userPin, LANG: "vi_VN.UTF-8" });
      assert.equal(vi.status, 2, vi.stderr);
      assert.match(vi.stderr, viPattern);
      assert.doesNotMatch(vi.stderr, /Nothing was signed|expired|revoked on/);
      assert.ok(!existsSync(join(work, "vi")));
    });
  }

  it("refuses the revoked PKCS#12 signer from the cache alone with --revocation-check cached (no network)", async function () {
    // First an online run fills the cache; then --revocation-check cached answers from it alone.
    const work = tempDir("sc-cached");
    const cache = join(work, "cache");
    const env = { KYSO_P12_PASSWORD: "kyso-test", XDG_CACHE_HOME: cache };
    const online = await kyso(["sign", samples.onePage, "--p12", pki.revoked.p12, "--out-dir", join(work, "a")], env);
    assert.equal(online.status, 2, online.stderr);
    assert.match(online.stderr, /revoked/);
    const cached = await kyso(["sign", samples.onePage, "--p12", pki.revoked.p12, "--out-dir", join(work, "b"), "--revocation-check", "cached"], env);
    assert.equal(cached.status, 2, cached.stderr);
    assert.match(cached.stderr, /was revoked on/);
    assert.ok(!existsSync(join(work, "a")) && !existsSync(join(work, "b")));
  });

  it("signs with a good key after checking it online, and the officer's PIN is asked once", async function () {
    const work = tempDir("sc-good");
    const log = join(work, "spy.log");
    const out = join(work, "out");
    const r = await kyso(["sign", samples.onePage, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--out-dir", out, "--trust", pki.root, "--report", join(work, "r.json")], {
      KYSO_PIN: token.userPin,
      ...spyEnv(log),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(spyCount(log, "C_Login"), 1);
    assert.doesNotMatch(r.stderr, /warning|note/, "a trusted, complete, good certificate: nothing to say");
    const text = pdfsigText(join(out, "one-page.pdf"));
    assert.match(text, /Signature is Valid/);
    assert.match(text, /Certificate is Trusted/);
  });
});
