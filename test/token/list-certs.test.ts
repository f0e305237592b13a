/**
 * `kyso token list` and `kyso token certs` against the demo token (read-only: no login for list;
 * certs logs in once with the right PIN), middleware discovery, and Vietnamese messages.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pki, pkcs11Lib, ready, samples, token } from "@kyso/certs-test";
import { findMiddleware } from "@kyso/signers";
import { runCli, tempDir } from "../bulk/helpers.js";

describe("kyso token list / certs", function () {
  before(function () {
    assert.ok(ready(), "run `pnpm certs` first");
  });

  it("finds SoftHSM2 among the known middleware without --pkcs11-lib and lists both test tokens", async function () {
    assert.ok(findMiddleware().some((m) => m.name === "SoftHSM2"), "libsofthsm2.so is in a usual place");
    const r = await runCli(["token", "list", "--json"], { env: { KYSO_PKCS11_LIB: "" } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { libraries: { library: string; how: string; slots: { token?: { label: string; serial: string; pin: { locked: boolean } } }[] }[] };
    const softhsm = out.libraries.find((l) => l.how.startsWith("SoftHSM2"));
    assert.ok(softhsm, JSON.stringify(out));
    const labels = softhsm.slots.map((s) => s.token?.label);
    assert.ok(labels.includes(token.label) && labels.includes(token.spareLabel), labels.join(","));
    const demo = softhsm.slots.find((s) => s.token?.label === token.label)!.token!;
    assert.match(demo.serial, /^[0-9a-f]+$/);
    assert.equal(demo.pin.locked, false);
  });

  it("with --pkcs11-lib lists only that library, in plain text", async function () {
    const r = await runCli(["token", "list", "--pkcs11-lib", pkcs11Lib()]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split("\n").filter((l) => l && !l.startsWith(" ")).length, 1);
    assert.match(r.stdout, new RegExp(`"${token.label}" serial [0-9a-f]+, SoftHSM`));
  });

  it("certs: every certificate with subject, serial, validity, algorithm, CKA_ID and key presence", async function () {
    const r = await runCli(["token", "certs", "--token-label", token.label, "--json"], { env: { KYSO_PIN: token.userPin } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { token: string; certificates: { id: string; label: string; serial: string; subject: string; keyAlgorithm: string; notAfter: string; hasPrivateKey: boolean | null }[] };
    assert.equal(out.token, token.label);
    const rsa = out.certificates.find((c) => c.id === token.keys.officerRsa.id)!;
    assert.equal(rsa.label, token.keys.officerRsa.label);
    assert.equal(rsa.serial, new X509Certificate(readFileSync(pki.officerRsa.cert)).serialNumber.toLowerCase());
    assert.match(rsa.subject, /CN=Nguyễn Văn An/);
    assert.equal(rsa.keyAlgorithm, "RSA-2048");
    assert.equal(rsa.hasPrivateKey, true);
    assert.equal(out.certificates.find((c) => c.id === token.keys.officerEc.id)?.keyAlgorithm, "EC P-256");
    assert.ok(out.certificates.length >= 6);
  });

  it("certs without a PIN does not log in and says key presence is unknown", async function () {
    const r = await runCli(["token", "certs", "--token-label", token.label, "--json"], { env: { KYSO_PIN: undefined as unknown as string } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { certificates: { hasPrivateKey: boolean | null }[] };
    assert.ok(out.certificates.every((c) => c.hasPrivateKey === null));
  });

  it("speaks Vietnamese with --lang vi (and a vi locale)", async function () {
    const work = tempDir("vi");
    // A real PDF: a dry run reports a missing input as missing (issue 13), not "sẽ ký".
    copyFileSync(samples.onePage, join(work, "khong-co.pdf"));
    const a = await runCli(["sign", "khong-co.pdf", "--dry-run", "--lang", "vi"], { cwd: work });
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /^sẽ ký {2}/m);
    assert.match(a.stderr, /chạy thử/);
    const b = await runCli(["sign", "khong-co.pdf", "--dry-run"], { cwd: work, env: { LANG: "vi_VN.UTF-8" } });
    assert.match(b.stderr, /chạy thử/);
    const c = await runCli(["sign", "khong-co.pdf", "--dry-run"], { cwd: work });
    assert.match(c.stderr, /dry run/);
  });
});
