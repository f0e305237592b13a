/**
 * Acceptance (issue 13): Ctrl-C (a real SIGINT) in the middle of a bulk run finishes the document
 * being written, prints one line with the count and the command that resumes, and exits 130; the
 * command it prints completes the run, saying in one line what the earlier run had done.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ready } from "@kyso/certs-test";
import { cliBin, cliEnv, listFiles, makeTree, officerRsaFlags, pdfsigAll, runCli, startCli, tempDir, type CliResult } from "./helpers.js";

/** Starts the CLI, sends SIGINT once `after` documents are reported signed, and waits for the end. */
function interruptAfter(args: string[], cwd: string, after: number): Promise<CliResult & { signal: NodeJS.Signals | null; signedBeforeSigint: number }> {
  const child = startCli(args, { cwd, env: { KYSO_PIN: "123456" } });
  let stdout = "";
  let stderr = "";
  let sent = false;
  let signedBeforeSigint = 0;
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    const signed = (stdout.match(/^(signed|đã ký) {2}/gm) ?? []).length;
    if (!sent && signed >= after) {
      sent = true;
      signedBeforeSigint = signed;
      child.kill("SIGINT");
    }
  });
  return new Promise((res) => child.on("close", (status, signal) => res({ status, signal, stdout, stderr, signedBeforeSigint })));
}

/**
 * The stderr lines of the run itself: without the certificate check's note before it starts ("the
 * root is not in this machine's trust store", not part of this test).
 */
function afterTheRun(stderr: string): string[] {
  return stderr.trim().split("\n").filter((l) => !/^kyso: (note|lưu ý): /.test(l));
}

/** Runs a command line printed by kyso (`kyso sign ...`) through a real shell, `kyso` being the built CLI. */
function runPrinted(command: string, cwd: string): Promise<CliResult> {
  assert.match(command, /^kyso sign /);
  const line = `"${process.execPath}" "${cliBin}" ${command.slice("kyso ".length)}`;
  return new Promise((res, rej) => {
    const child = spawn("sh", ["-c", line], { cwd, env: cliEnv({ KYSO_PIN: "123456" }), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", rej);
    child.on("close", (status) => res({ status, stdout, stderr }));
  });
}

describe("kyso sign: Ctrl-C, then the printed --resume command", function () {
  it("stops with one line and exit 130; the printed command finishes the run, one line for the earlier files", async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    const work = tempDir("sigint");
    const tree = makeTree(join(work, "in"), 200, { bad: false });
    const first = await interruptAfter(["sign", "in", "-r", "--out-dir", "out", "--concurrency", "4", ...officerRsaFlags], work, 25);

    assert.equal(first.signal, null, "kyso handles SIGINT itself");
    assert.equal(first.status, 130, first.stderr);
    const lines = afterTheRun(first.stderr);
    assert.equal(lines.length, 1, `exactly one line on stderr:\n${first.stderr}`);
    const m = /^interrupted: (\d+) of 200 signed; resume with: (kyso sign .* --resume)$/.exec(lines[0]);
    assert.ok(m, lines[0]);
    assert.doesNotMatch(first.stdout, /not processed|skipped/, "files not reached are not listed one by one");
    const signedFirst = Number(m[1]);
    assert.ok(signedFirst >= first.signedBeforeSigint && signedFirst < 200, `stopped mid-run (${signedFirst})`);
    assert.equal((first.stdout.match(/^signed {2}/gm) ?? []).length, signedFirst, "the count is what was signed");

    // What is on disk: exactly the documents counted, each complete; no temp file.
    const outRoot = join(work, "out");
    const written = listFiles(outRoot).filter((f) => f.endsWith(".pdf"));
    assert.equal(written.length, signedFirst);
    assert.deepEqual(listFiles(outRoot).filter((f) => f.endsWith(".tmp")), []);
    for (const f of written) {
      const input = readFileSync(join(work, "in", f));
      assert.ok(readFileSync(join(outRoot, f)).subarray(0, input.length).equals(input), `${f} is the input plus a signature`);
    }

    // The printed command, run as printed, completes the run.
    const second = await runPrinted(m[2], work);
    assert.equal(second.status, 0, second.stderr);
    assert.equal((second.stdout.match(/^signed {2}/gm) ?? []).length, 200 - signedFirst, "only the rest is signed");
    assert.doesNotMatch(second.stdout, /earlier run/, "no line per file done earlier");
    const resumed = second.stderr.split("\n").filter((l) => /already signed in an earlier run/.test(l));
    assert.equal(resumed.length, 1, second.stderr);
    assert.match(resumed[0], new RegExp(`^${signedFirst} file\\(s\\) already signed in an earlier run .*--verbose lists them$`));
    assert.deepEqual(listFiles(outRoot).filter((f) => f.endsWith(".pdf")), tree.good.map((f) => relative(join(work, "in"), f)).sort());
    const judged = await pdfsigAll(tree.good.filter((_, i) => i % 25 === 0).map((f) => join(outRoot, relative(join(work, "in"), f))));
    for (const [f, r] of judged) assert.ok(r.ok, `${f}\n${r.out}`);

    // --verbose lists the files done earlier (here all 200), and signs nothing.
    const third = await runCli(["sign", "in", "-r", "--out-dir", "out", "--resume", "--verbose", ...officerRsaFlags], { cwd: work, env: { KYSO_PIN: "123456" } });
    assert.equal(third.status, 0, third.stderr);
    assert.equal((third.stdout.match(/^skipped {2}.*: signed in an earlier run$/gm) ?? []).length, 200);
    assert.doesNotMatch(third.stdout, /^signed {2}/m);
    assert.ok(readdirSync(outRoot).includes(".kyso-journal.jsonl"));
  });

  it("says it in Vietnamese with --lang vi", async function () {
    const work = tempDir("sigint-vi");
    makeTree(join(work, "in"), 80, { bad: false });
    const r = await interruptAfter(["sign", "in", "-r", "--out-dir", "out", "--concurrency", "2", "--lang", "vi", ...officerRsaFlags], work, 5);
    assert.equal(r.status, 130, r.stderr);
    const lines = afterTheRun(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^đã dừng theo yêu cầu: \d+\/80 tệp đã ký; để tiếp tục, chạy: kyso sign in -r --out-dir out .*--lang vi .*--resume$/);
    assert.doesNotMatch(lines[0], /interrupted|signed|resume with/);
  });
});
