/**
 * Issue 13: inputs are checked before the PIN is asked (a typo costs no token login), `--dry-run`
 * says which inputs are missing or not PDFs, and `kyso sign *.pdf` run twice in one folder does not
 * take the first run's outputs as inputs.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pkcs11Lib, ready, samples } from "@kyso/certs-test";
import { cliBin, cliEnv, officerRsaFlags, pdfsig, runCli, tempDir, tokenCopy, type CliResult } from "./helpers.js";

const SPY = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so";

/** The C_Login calls in a pkcs11-spy log (none when the module was never even loaded). */
function logins(spyLog: string): number {
  return existsSync(spyLog) ? (readFileSync(spyLog, "utf8").match(/^\d+: C_Login$/gm) ?? []).length : 0;
}

/** Runs `kyso ARGS` through a real shell, so that an unquoted *.pdf is expanded by the shell. */
function shell(args: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn("sh", ["-c", `"${process.execPath}" "${cliBin}" ${args}`], { cwd, env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", rej);
    child.on("close", (status) => res({ status, stdout, stderr }));
  });
}

describe("kyso sign: inputs checked before the PIN", function () {
  before(function () {
    assert.ok(ready(), "run `pnpm certs` first");
    assert.ok(existsSync(SPY), "OpenSC's pkcs11-spy.so (opensc-pkcs11) logs the PKCS#11 calls");
  });

  it("a typo'd input (every input missing) names the file, exits 2 and never logs in to the token", async function () {
    const copy = tokenCopy();
    const work = tempDir("typo");
    copyFileSync(samples.onePage, join(work, "quyet-dinh.pdf"));
    const spy = (name: string): NodeJS.ProcessEnv => ({ KYSO_PIN: "123456", SOFTHSM2_CONF: copy.conf, PKCS11SPY: pkcs11Lib(), PKCS11SPY_OUTPUT: join(copy.dir, name) });

    const typo = await runCli(["sign", "quyet-dinh .pdf", "--pkcs11-lib", SPY, ...officerRsaFlags], { cwd: work, env: spy("typo.log") });
    assert.equal(typo.status, 2, typo.stderr);
    assert.match(typo.stderr, /quyet-dinh \.pdf: file not found \(ENOENT\)/);
    assert.match(typo.stderr, /The token was not opened/);
    assert.equal(logins(join(copy.dir, "typo.log")), 0, "no C_Login");
    assert.deepEqual(readdirSync(work), ["quyet-dinh.pdf"], "nothing written (no journal, no output)");

    // In Vietnamese too; a file that is not a PDF is refused the same way.
    writeFileSync(join(work, "ghi-chu.pdf"), "không phải PDF");
    const vi = await runCli(["sign", "thieu.pdf", "ghi-chu.pdf", "--pkcs11-lib", SPY, ...officerRsaFlags], { cwd: work, env: { ...spy("vi.log"), LANG: "vi_VN.UTF-8" } });
    assert.equal(vi.status, 2, vi.stderr);
    assert.match(vi.stderr, /thieu\.pdf: không tìm thấy tệp \(ENOENT\); .*ghi-chu\.pdf: không phải tệp PDF/);
    assert.match(vi.stderr, /Token chưa được mở/);
    assert.equal(logins(join(copy.dir, "vi.log")), 0, "no C_Login");

    // The control: with one good input the same spy sees the one login, the good file is signed and the typo reported.
    const some = await runCli(["sign", "quyet-dinh.pdf", "quyet-dinh .pdf", "--pkcs11-lib", SPY, ...officerRsaFlags], { cwd: work, env: spy("some.log") });
    assert.equal(some.status, 1, some.stderr);
    assert.equal(logins(join(copy.dir, "some.log")), 1, "the spy does see a login");
    assert.match(some.stderr, /quyet-dinh \.pdf: /);
    const v = pdfsig(join(work, "quyet-dinh.signed.pdf"));
    assert.ok(v.ok, v.out);
  });

  it("--dry-run reports a missing file as missing and a non-PDF as not a PDF, exit 1", async function () {
    const work = tempDir("dry");
    copyFileSync(samples.onePage, join(work, "a.pdf"));
    writeFileSync(join(work, "b.pdf"), "plain text");
    const r = await runCli(["sign", "a.pdf", "b.pdf", "c.pdf", "--dry-run"], { cwd: work });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      `would sign  ${join(work, "a.pdf")} -> ${join(work, "a.signed.pdf")}`,
      `not a PDF  ${join(work, "b.pdf")}: not a PDF file (no %PDF- header)`,
      `missing  ${join(work, "c.pdf")}: file not found (ENOENT)`,
    ]);
    assert.match(r.stderr, /^1 file\(s\) would be signed/m);
    assert.match(r.stderr, /^2 input\(s\) cannot be signed$/m);

    const json = await runCli(["sign", "a.pdf", "c.pdf", "--dry-run", "--json"], { cwd: work });
    assert.equal(json.status, 1);
    const lines = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, any>);
    assert.deepEqual(lines.map((l) => l.status ?? "summary"), ["planned", "failed", "summary"]);
    assert.equal(lines[1].error.code, "FILE_NOT_FOUND");
    assert.deepEqual(lines[2].summary, { total: 2, planned: 1, failed: 1, dryRun: true });
    assert.deepEqual(readdirSync(work).sort(), ["a.pdf", "b.pdf"], "a dry run writes nothing");
  });

  it("kyso sign *.pdf twice in one folder: the second run skips, it does not take a.signed.pdf as an input", async function () {
    const work = tempDir("twice");
    copyFileSync(samples.onePage, join(work, "a.pdf"));
    copyFileSync(samples.vietnamese, join(work, "b.pdf"));
    const flags = officerRsaFlags.map((f) => `'${f}'`).join(" ");
    const first = await shell(`sign *.pdf ${flags}`, work, { KYSO_PIN: "123456" });
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(readdirSync(work).filter((f) => f.endsWith(".pdf")).sort(), ["a.pdf", "a.signed.pdf", "b.pdf", "b.signed.pdf"]);
    const before = readFileSync(join(work, "a.signed.pdf"));

    // The shell now names a.pdf a.signed.pdf b.pdf b.signed.pdf.
    const second = await shell(`sign *.pdf ${flags}`, work, { KYSO_PIN: "123456" });
    assert.equal(second.status, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /both an input and the output/);
    assert.match(second.stderr, /^0 signed, 2 skipped, 0 failed/m);
    assert.equal((second.stdout.match(/^skipped {2}.*already signed with this certificate$/gm) ?? []).length, 2, second.stdout);
    assert.deepEqual(readdirSync(work).filter((f) => f.endsWith(".pdf")).sort(), ["a.pdf", "a.signed.pdf", "b.pdf", "b.signed.pdf"], "no a.signed.signed.pdf");
    assert.ok(readFileSync(join(work, "a.signed.pdf")).equals(before), "the first output is untouched");

    // The same with the glob quoted (expanded by kyso).
    const quoted = await runCli(["sign", "*.pdf", ...officerRsaFlags], { cwd: work, env: { KYSO_PIN: "123456" } });
    assert.equal(quoted.status, 0, quoted.stderr);
    assert.match(quoted.stderr, /^0 signed, 2 skipped, 0 failed/m);
  });
});
