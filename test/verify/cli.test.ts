import assert from "node:assert/strict";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import { flipByte, runCli, sign, tempDir } from "./support.js";

describe("kyso verify (built CLI as a process)", function () {
  const dir = tempDir();
  let good: string;
  let bad: string;
  before(async function () {
    good = await sign(samples.onePage, join(dir, "good.pdf"), "officerRsa");
    bad = flipByte(good, join(dir, "bad.pdf"), (b) => b.indexOf("/MediaBox"));
  });

  it("--json prints an array with one report per file and exits 0 when all pass", function () {
    const r = runCli(["verify", good, "--trust", pki.root, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const reports = JSON.parse(r.stdout);
    assert.ok(Array.isArray(reports));
    assert.equal(reports.length, 1);
    const [rep] = reports;
    assert.equal(rep.indication, "TOTAL_PASSED");
    assert.match(rep.sha256, /^[0-9a-f]{64}$/);
    const s = rep.signatures[0];
    for (const k of ["field", "indication", "subIndication", "signer", "signingTime", "timeSource", "digestAlgorithm", "signatureAlgorithm", "integrity", "coverage", "modifications", "chain", "revocation", "timestamp", "warnings"])
      assert.ok(k in s, `report field ${k}`);
    assert.equal(s.signer.commonName, "Nguyễn Văn An");
    assert.equal(s.coverage, "ENTIRE_FILE");
    // The default: revocation of the whole path checked online (the test PKI's OCSP and CRLs).
    assert.equal(s.revocation.mode, "online");
    assert.equal(s.revocation.status, "good");
    assert.deepEqual(s.revocation.path.map((p: { status: string }) => p.status), ["good", "good"]);
  });

  it("with default options a revoked signer is TOTAL_FAILED REVOKED (exit 1)", async function () {
    const revoked = await sign(samples.onePage, join(dir, "revoked.pdf"), "revoked");
    const r = runCli(["verify", revoked, "--trust", pki.root, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    const [rep] = JSON.parse(r.stdout);
    assert.equal(rep.indication, "TOTAL_FAILED");
    assert.equal(rep.subIndication, "REVOKED");
    assert.equal(rep.signatures[0].revocation.reason, "keyCompromise");
  });

  it("--revocation embedded (offline) and --revocation off never pass a document that carries no revocation data", function () {
    for (const mode of ["embedded", "off"]) {
      const r = runCli(["verify", good, "--trust", pki.root, "--revocation", mode, "--json"]);
      assert.equal(r.code, 1, `${mode}: ${r.stderr}`);
      const [rep] = JSON.parse(r.stdout);
      assert.equal(rep.indication, "INDETERMINATE", mode);
      assert.equal(rep.subIndication, "TRY_LATER", mode);
    }
  });

  it("--at validates as of another time and says which (after every test certificate expired: not valid)", function () {
    const r = runCli(["verify", good, "--trust", pki.root, "--revocation", "off", "--at", "2060-01-01", "--json"]);
    const [rep] = JSON.parse(r.stdout);
    assert.equal(rep.validationTime, "2059-12-31T17:00:00.000Z");
    assert.notEqual(rep.indication, "TOTAL_PASSED");
    assert.ok(rep.signatures[0].chain.path.length > 0);
    assert.equal(runCli(["verify", good, "--at", "yesterday-ish"]).code, 2);
  });

  it("the bundled Vietnam roots are trust anchors by default, --no-default-trust leaves them out", function () {
    // A signature by the test PKI is not trusted by the Vietnamese roots: the path stops at the test root.
    const r = runCli(["verify", good, "--json"]);
    const [rep] = JSON.parse(r.stdout);
    assert.equal(rep.subIndication, "NO_CERTIFICATE_CHAIN_FOUND");
    // The test root added to the local store is trusted; with --no-default-trust it is not.
    const data = tempDir("kyso-data-");
    const add = runCli(["trust", "add", pki.root], { XDG_DATA_HOME: data });
    assert.equal(add.code, 0, add.stderr);
    const trusted = JSON.parse(runCli(["verify", good, "--json"], { XDG_DATA_HOME: data }).stdout)[0];
    assert.equal(trusted.indication, "TOTAL_PASSED", trusted.reasons.join("; "));
    const without = JSON.parse(runCli(["verify", good, "--json", "--no-default-trust"], { XDG_DATA_HOME: data }).stdout)[0];
    assert.equal(without.subIndication, "NO_CERTIFICATE_CHAIN_FOUND");
  });

  it("exits 1 when any file does not pass, and says why", function () {
    const r = runCli(["verify", good, bad, "--trust", pki.root, "--json"]);
    assert.equal(r.code, 1);
    const reports = JSON.parse(r.stdout);
    assert.equal(reports.length, 2);
    assert.equal(reports[1].indication, "TOTAL_FAILED");
    assert.equal(reports[1].subIndication, "HASH_FAILURE");
  });

  it("is INDETERMINATE without a trust anchor", function () {
    const r = runCli(["verify", good, "--json"]);
    assert.equal(r.code, 1);
    const [rep] = JSON.parse(r.stdout);
    assert.equal(rep.indication, "INDETERMINATE");
    assert.equal(rep.subIndication, "NO_CERTIFICATE_CHAIN_FOUND");
  });

  it("exits 2 on unreadable input and on usage errors, --json still an array", function () {
    const r = runCli(["verify", join(dir, "missing.pdf"), "--json"]);
    assert.equal(r.code, 2);
    assert.deepEqual(JSON.parse(r.stdout), []);
    assert.equal(runCli(["verify", good, "--revocation", "sometimes"]).code, 2);
  });

  it("prints a readable summary in English and in Vietnamese", function () {
    const en = runCli(["verify", bad, "--trust", pki.root]);
    assert.equal(en.code, 1);
    assert.match(en.stdout, /INVALID/);
    assert.match(en.stdout, /HASH_FAILURE/);
    const vi = runCli(["verify", good, "--trust", pki.root], { LANG: "vi_VN.UTF-8" });
    assert.equal(vi.code, 0);
    assert.match(vi.stdout, /HỢP LỆ/);
    assert.match(vi.stdout, /Người ký: Nguyễn Văn An/);
    // Times shown to people are Vietnam time.
    assert.match(vi.stdout, /: \d{2}:\d{2}:\d{2} \d{2}\/\d{2}\/\d{4} \(\+07:00\) \(/);
    // One language at a time: no Vietnamese in the English summary, the level's reason in Vietnamese.
    // (the signer's name and organization are data, in Vietnamese in any language)
    const enGood = runCli(["verify", good, "--trust", pki.root, "--lang", "en"]);
    assert.match(enGood.stdout, /PAdES: B-B \(no signature timestamp/);
    // English shows the same instant in its own format; a configured zone replaces Vietnam time.
    const enTime = /: (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) \+07:00 \(/.exec(enGood.stdout);
    assert.ok(enTime, enGood.stdout);
    const viTime = /: (\d{2}):(\d{2}):(\d{2}) (\d{2})\/(\d{2})\/(\d{4}) \(\+07:00\) \(/.exec(vi.stdout);
    assert.ok(viTime, vi.stdout);
    assert.deepEqual([viTime[6], viTime[5], viTime[4], viTime[1], viTime[2], viTime[3]], enTime.slice(1));
    const zoned = runCli(["verify", good, "--trust", pki.root, "--lang", "en"], { KYSO_TIMEZONE: "+01:00" });
    const zonedTime = /: (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) \+01:00 \(/.exec(zoned.stdout);
    assert.ok(zonedTime, zoned.stdout);
    const instant = (m: RegExpExecArray, offsetHours: number): number =>
      Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - offsetHours, +m[5], +m[6]);
    assert.equal(instant(zonedTime, 1), instant(enTime, 7));
    const uiText = (en.stdout + enGood.stdout).split("\n").filter((l) => !/^\s+(Signer|Organization):/.test(l)).join("\n");
    assert.doesNotMatch(uiText, /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i);
    assert.match(vi.stdout, /PAdES: B-B \(Chữ ký không gắn dấu thời gian\)/);
    const vi2 = runCli(["verify", bad, "--trust", pki.root, "--lang", "vi"]);
    assert.match(vi2.stdout, /tài liệu đã bị sửa đổi sau khi ký/);
  });

  it("reports a file without signatures as NO_SIGNATURE", function () {
    const r = runCli(["verify", samples.onePage, "--json"]);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout)[0].indication, "NO_SIGNATURE");
  });

  it("takes folders (-r for sub-folders) and globs, quoted or not, and ends with a summary line", async function () {
    const tree = tempDir("kyso-verify-tree-");
    const { copyFileSync, mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(join(tree, "sub"));
    copyFileSync(good, join(tree, "a.pdf"));
    copyFileSync(bad, join(tree, "b.pdf"));
    copyFileSync(good, join(tree, "sub", "c.pdf"));
    writeFileSync(join(tree, "notes.txt"), "not a document");
    const flat = runCli(["verify", tree, "--trust", pki.root, "--lang", "en"]);
    assert.equal(flat.code, 1, flat.stderr);
    assert.match(flat.stdout, /^1 valid, 1 invalid$/m);
    const deep = runCli(["verify", tree, "-r", "--trust", pki.root, "--json"]);
    assert.deepEqual((JSON.parse(deep.stdout) as { file: string }[]).map((r) => r.file.split("/").pop()), ["a.pdf", "b.pdf", "c.pdf"]);
    const globbed = runCli(["verify", join(tree, "*.pdf"), "--trust", pki.root, "--lang", "vi"]);
    assert.match(globbed.stdout, /^1 hợp lệ, 1 không hợp lệ$/m);
    const none = runCli(["verify", join(tree, "*.docx")]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /No PDF or edXML file found/);
  });

  it("reads trust and lang from the config file, below the flags", async function () {
    const { writeFileSync } = await import("node:fs");
    const cfg = join(tempDir("kyso-verify-config-"), "config.json");
    writeFileSync(cfg, JSON.stringify({ trust: [pki.root], lang: "vi" }));
    const r = runCli(["verify", good, "--config", cfg]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /HỢP LỆ/);
    const en = runCli(["verify", good, "--config", cfg, "--lang", "en"]);
    assert.match(en.stdout, /VALID/);
  });
});
