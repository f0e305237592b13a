/**
 * Acceptance (issue 4): SIGKILL in the middle of a run, then `--resume`: every input ends up signed
 * exactly once and no output is partial.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ready } from "@kyso/certs-test";
import { killAfterSigned, listFiles, makeTree, officerRsaFlags, pdfsigAll, runCli, signatureCount, tempDir } from "./helpers.js";

describe("kyso sign: killed with SIGKILL, then --resume", function () {
  it("signs every input exactly once and leaves no partial output", async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    const work = tempDir("resume");
    const tree = makeTree(join(work, "in"), 240, { bad: false });
    const args = ["sign", "in", "-r", "--out-dir", "out", "--json", "--concurrency", "4", ...officerRsaFlags];

    // First run: killed as soon as 30 documents are reported signed.
    const ended = await killAfterSigned(args, 30, { cwd: work, env: { KYSO_PIN: "123456" } });
    const firstSigned = ended.signed;
    assert.equal(ended.signal, "SIGKILL", "the first run was killed before it finished");
    assert.ok(firstSigned.size >= 30 && firstSigned.size < tree.good.length, `killed mid-run (${firstSigned.size} signed)`);

    // Whatever the first run left is complete or absent: no output that is not a full signed file.
    const outRoot = join(work, "out");
    const afterKill = listFiles(outRoot).filter((f) => f.endsWith(".pdf"));
    assert.ok(afterKill.length < tree.good.length);

    const second = await runCli([...args, "--resume", "--report", "report.json"], { cwd: work, env: { KYSO_PIN: "123456" } });
    assert.equal(second.status, 0, second.stderr);
    const events = second.stdout.trim().split("\n").map((l) => JSON.parse(l) as { file?: string; status?: string });
    const resignedTwice = events.filter((e) => e.status === "signed" && firstSigned.has(e.file!));
    assert.deepEqual(resignedTwice, [], "nothing the first run reported signed is signed again");
    const report = JSON.parse(readFileSync(join(work, "report.json"), "utf8")) as { summary: { signed: number; skipped: number; failed: number }; files: { status: string; reason: string | null }[] };
    assert.equal(report.summary.failed, 0);
    assert.equal(report.summary.signed + report.summary.skipped, tree.good.length);
    assert.ok(report.summary.skipped >= firstSigned.size);
    assert.ok(report.files.filter((f) => f.status === "skipped").every((f) => f.reason === "JOURNAL" || f.reason === "OUTPUT_SIGNED"));

    // Exactly one output per input, no temp file left, each output = input + one signature.
    const expected = tree.good.map((f) => relative(tree.root, f)).sort();
    assert.deepEqual(listFiles(outRoot).filter((f) => !f.startsWith(".kyso-journal")), expected);
    for (const d of new Set(expected.map((f) => join(outRoot, f, "..")))) assert.deepEqual(readdirSync(d).filter((f) => f.endsWith(".tmp")), []);
    for (const f of tree.good) {
      const out = join(outRoot, relative(tree.root, f));
      const inBytes = readFileSync(f);
      assert.ok(readFileSync(out).subarray(0, inBytes.length).equals(inBytes));
      assert.equal(signatureCount(out) - signatureCount(f), 1, `${out} carries exactly one new signature`);
    }
    const checked = await pdfsigAll(tree.good.filter((_, i) => i % 6 === 0).map((f) => join(outRoot, relative(tree.root, f))));
    for (const [f, r] of checked) assert.ok(r.ok, `${f}\n${r.out}`);
  });
});
