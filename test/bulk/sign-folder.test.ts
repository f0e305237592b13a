/**
 * Acceptance (issue 4): a folder tree of 300 PDFs, 3 corrupt and 1 encrypted, signed with the
 * SoftHSM demo token in one run of the built CLI.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { ready } from "@kyso/certs-test";
import { listFiles, makeTree, officerRsaFlags, pdfsigAll, runCli, tempDir, type CliResult, type Tree } from "./helpers.js";

const sha256 = (f: string): string => createHash("sha256").update(readFileSync(f)).digest("hex");

describe("kyso sign: a folder tree of 300 PDFs", function () {
  let work: string;
  let tree: Tree;
  let run: CliResult;
  let report: { summary: Record<string, number>; files: Record<string, unknown>[] };
  const outDir = (): string => join(work, "da-ky");

  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    work = tempDir("bulk300");
    tree = makeTree(join(work, "van-ban"), 300, { large: true });
    run = await runCli(["sign", "van-ban", "--recursive", "--out-dir", "da-ky", "--report", "bao-cao.json", "--json", ...officerRsaFlags], {
      cwd: work,
      env: { KYSO_PIN: "123456" },
    });
    report = JSON.parse(readFileSync(join(work, "bao-cao.json"), "utf8"));
  });

  it("exits with 1 because some inputs failed", function () {
    assert.equal(run.status, 1, run.stderr);
  });

  it("reports every input once, in the JSON report and as JSON events", function () {
    const inputs = [...tree.good, ...tree.bad].sort();
    assert.deepEqual(report.files.map((f) => f.input).sort(), inputs);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.filter((l) => "file" in l);
    assert.equal(events.length, 300);
    for (const e of events) assert.deepEqual(Object.keys(e).sort(), ["error", "file", "ms", "output", "sha256", "signer", "status"]);
    const summary = lines.find((l) => "summary" in l)?.summary as Record<string, number>;
    assert.equal(summary.signed, 296);
    assert.equal(summary.failed, 4);
    assert.deepEqual({ signed: report.summary.signed, failed: report.summary.failed, skipped: report.summary.skipped, total: report.summary.total }, { signed: 296, failed: 4, skipped: 0, total: 300 });
  });

  it("names the 4 bad inputs with their error codes and writes nothing for them", function () {
    const failed = report.files.filter((f) => f.status === "failed");
    assert.deepEqual(failed.map((f) => f.input).sort(), [...tree.bad].sort());
    const byName = new Map(failed.map((f) => [String(f.input).split("/").pop(), f]));
    assert.equal(byName.get("ma-hoa.pdf")?.errorCode, "PDF_ENCRYPTED");
    assert.equal(byName.get("hong-1.pdf")?.errorCode, "PDF_NOT_PDF"); // plain text
    assert.equal(byName.get("hong-2.pdf")?.errorCode, "PDF_NOT_PDF"); // 0 bytes
    assert.match(String(byName.get("hong-0.pdf")?.errorCode), /^PDF_/); // truncated + garbage
    for (const f of failed) {
      assert.ok(String(f.errorMessage).length > 10, `a clear message for ${f.input}`);
      assert.equal(existsSync(String(f.output)), false);
    }
  });

  it("mirrors the input tree under --out-dir and leaves no temp file", function () {
    const expected = tree.good.map((f) => relative(tree.root, f)).sort();
    const written = listFiles(outDir()).filter((f) => !f.startsWith(".kyso-journal"));
    assert.deepEqual(written, expected);
  });

  it("never changes an input; each output is its input plus an appended revision; hashes in the report are right", function () {
    for (const row of report.files.filter((f) => f.status === "signed")) {
      const input = String(row.input);
      const output = String(row.output);
      const inBytes = readFileSync(input);
      const outBytes = readFileSync(output);
      assert.ok(outBytes.length > inBytes.length);
      assert.ok(outBytes.subarray(0, inBytes.length).equals(inBytes), `${output} starts with ${input}`);
      assert.equal(row.inputSha256, sha256(input));
      assert.equal(row.outputSha256, sha256(output));
      assert.match(String(row.signerSerial), /^[0-9a-f]+$/);
      assert.equal(row.signer, "Nguyễn Văn An");
    }
    assert.ok(statSync(join(outDir(), relative(tree.root, tree.good[7]))).size > 20_000_000, "the 20 MB scan was signed too");
  });

  it("every good output is valid and trusted in pdfsig", async function () {
    const outputs = tree.good.map((f) => join(outDir(), relative(tree.root, f)));
    const results = await pdfsigAll(outputs);
    const bad = [...results].filter(([, r]) => !r.ok);
    assert.equal(bad.length, 0, bad.slice(0, 3).map(([f, r]) => `${f}\n${r.out}`).join("\n"));
  });

  it("a second run skips everything already signed with this certificate and signs nothing twice", async function () {
    const again = await runCli(["sign", "van-ban", "-r", "--out-dir", "da-ky", "--report", "lan-2.csv", ...officerRsaFlags], { cwd: work, env: { KYSO_PIN: "123456" } });
    assert.equal(again.status, 1, again.stderr); // the 4 bad files still fail
    const csv = readFileSync(join(work, "lan-2.csv"), "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
    assert.equal(csv[0], "input,output,status,inputSha256,outputSha256,signer,signerSerial,ms,time,reason,errorCode,errorMessage");
    const statuses = csv.slice(1).map((l) => l.split(",")[2]);
    assert.equal(statuses.filter((s) => s === "skipped").length, 296);
    assert.equal(statuses.filter((s) => s === "failed").length, 4);
    assert.equal(statuses.filter((s) => s === "signed").length, 0);
  });
});
