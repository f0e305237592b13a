/**
 * Acceptance (issue 13): a status that cannot be obtained (the certificate's OCSP responder and CRL
 * server are a closed port) refuses signing by default, with a message that says how to proceed;
 * `--allow-unknown-status` signs and writes the warning into the report and the journal. A missing
 * issuer is named.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { samples } from "@kyso/certs-test";
import { kyso, offlineCa, p12Pass, tempDir, type OfflineCa } from "./support.js";

describe("kyso sign: revocation status unknown (offline)", function () {
  let ca: OfflineCa;
  before(async function () {
    ca = await offlineCa("Offline");
  });
  const env = (): NodeJS.ProcessEnv => ({ KYSO_P12_PASSWORD: p12Pass });

  it("refuses by default, says how to proceed, in English and Vietnamese", async function () {
    const work = tempDir("sc-offline");
    const r = await kyso(["sign", samples.onePage, "--p12", ca.p12, "--trust", ca.root, "--out-dir", join(work, "out")], env());
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /The revocation status of the signing certificate "Ngô Thị Offline" could not be obtained/);
    assert.ok(r.stderr.includes(`http://127.0.0.1:${ca.port}/ocsp`), r.stderr);
    assert.match(r.stderr, /sign anyway with --allow-unknown-status/);
    assert.ok(!existsSync(join(work, "out")));

    const vi = await kyso(["sign", samples.onePage, "--p12", ca.p12, "--trust", ca.root, "--out-dir", join(work, "vi")], { ...env(), LANG: "vi_VN.UTF-8" });
    assert.equal(vi.status, 2, vi.stderr);
    assert.match(vi.stderr, /Không xác định được trạng thái thu hồi của chứng thư số ký "Ngô Thị Offline"/);
    assert.match(vi.stderr, /--allow-unknown-status/);
    assert.doesNotMatch(vi.stderr, /could not be obtained|Nothing was signed/);
    assert.ok(!existsSync(join(work, "vi")));

    // The cache alone knows nothing either.
    const cached = await kyso(["sign", samples.onePage, "--p12", ca.p12, "--trust", ca.root, "--revocation-check", "cached", "--out-dir", join(work, "c")], env());
    assert.equal(cached.status, 2, cached.stderr);
    assert.match(cached.stderr, /could not be obtained/);
  });

  it("signs with --allow-unknown-status, warns, and records the warning in the report (JSON, CSV) and the journal", async function () {
    const work = tempDir("sc-allow");
    const out = join(work, "out");
    const r = await kyso(["sign", samples.onePage, samples.vietnamese, "--p12", ca.p12, "--trust", ca.root, "--allow-unknown-status", "--out-dir", out, "--report", join(work, "r.json")], env());
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: signing although the revocation status of the signing certificate "Ngô Thị Offline" is not known \(--allow-unknown-status\)/);
    assert.ok(existsSync(join(out, "one-page.pdf")) && existsSync(join(out, "vietnamese.pdf")));

    const report = JSON.parse(readFileSync(join(work, "r.json"), "utf8"));
    // The signer's status and its CA's (the intermediate's CRL is on the closed port too).
    assert.deepEqual(report.summary.warnings.map((w: { code: string }) => w.code), ["STATUS_UNKNOWN", "STATUS_UNKNOWN"]);
    assert.match(report.summary.warnings[1].message, /CA certificate "Offline Test Intermediate"/);
    assert.equal(report.summary.certificateCheck.signer.status, "unknown");
    assert.equal(report.summary.certificateCheck.signer.trusted, true);

    const journal = readFileSync(join(out, ".kyso-journal.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(journal.filter((l) => l.warning?.code === "STATUS_UNKNOWN").length, 2, "the journal carries the warnings");
    assert.equal(journal.filter((l) => l.status === "signed").length, 2);

    const csvRun = await kyso(["sign", samples.objstm, "--p12", ca.p12, "--trust", ca.root, "--allow-unknown-status", "--out-dir", join(work, "csv"), "--report", join(work, "r.csv")], env());
    assert.equal(csvRun.status, 0, csvRun.stderr);
    const csv = readFileSync(join(work, "r.csv"), "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
    assert.ok(csv[0].endsWith(",warning"), csv[0]);
    assert.match(csv[1], /STATUS_UNKNOWN: signing although the revocation status/);
  });

  it("names the missing issuer when no chain is found (no --chain, none in the file, not in the trust store, no caIssuers)", async function () {
    const work = tempDir("sc-missing");
    const refused = await kyso(["sign", samples.onePage, "--p12", ca.p12LeafOnly, "--trust", ca.root, "--out-dir", join(work, "a")], env());
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /warning: the issuer "[^"]*CN=Offline Test Intermediate[^"]*" of "Ngô Thị Offline" was not found/);
    assert.match(refused.stderr, /could not be obtained/);

    // Given with --chain, the intermediate completes the path (the status is still unknown: offline).
    const chained = await kyso(["sign", samples.onePage, "--p12", ca.p12LeafOnly, "--trust", ca.root, "--chain", ca.intermediate, "--allow-unknown-status", "--out-dir", join(work, "b"), "--report", join(work, "b.json")], env());
    assert.equal(chained.status, 0, chained.stderr);
    assert.doesNotMatch(chained.stderr, /was not found/);
    const report = JSON.parse(readFileSync(join(work, "b.json"), "utf8"));
    assert.equal(report.summary.certificateCheck.signer.path.length, 3);
  });
});
