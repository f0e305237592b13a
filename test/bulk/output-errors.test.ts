/**
 * Issue 13: a full disk, a read-only file system and a folder without write permission are told
 * apart (OUTPUT_NO_SPACE, OUTPUT_READ_ONLY, OUTPUT_PERMISSION), not reported as an unreadable input.
 * The conditions are real: a 16 KiB tmpfs (ENOSPC) and a read-only remount (EROFS) in a private
 * mount namespace of the kyso process (`unshare -m`, the test runs as root; nothing outside that
 * process sees the mounts), and the CLI run as `nobody` against a 0555 folder (EACCES: root
 * itself ignores permission bits).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { p12Password, pki, ready, samples } from "@kyso/certs-test";
import { outputWriteError } from "@kyso/sign";
import { cliBin, cliEnv, officerRsaFlags, pdfsig, tempDir, type CliResult } from "./helpers.js";

const NOBODY = 65534;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(command, args, { cwd, env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", rej);
    child.on("close", (status) => res({ status, stdout, stderr }));
  });
}

/**
 * Runs kyso with a fresh tmpfs of `size` mounted at `mnt` (then `ro` when asked), in its own mount
 * namespace; with `saveTo`, what kyso left on the tmpfs (hidden temp files too) is copied there after.
 */
function kysoOnTmpfs(mnt: string, size: string, readOnly: boolean, args: string[], cwd: string, saveTo?: string): Promise<CliResult> {
  const save = saveTo ? `; rc=$?; cp -a "$0/." "${saveTo}/"; exit $rc` : "";
  const script = `mount -t tmpfs -o size=${size} kyso-test "$0" && ${readOnly ? 'mount -o remount,ro "$0" && ' : ""}"$@"${save}`;
  return run("unshare", ["-m", "--propagation", "private", "sh", "-c", script, mnt, process.execPath, cliBin, ...args], cwd, { KYSO_PIN: "123456" });
}

interface Report {
  summary: { signed: number; failed: number; aborted?: { code: string } };
  files: { input: string; status: string; errorCode: string | null }[];
}

describe("kyso sign: output errors get their own codes", function () {
  let work: string;
  const inputs = ["a.pdf", "b.pdf", "c.pdf"];
  before(function () {
    assert.ok(ready(), "run `pnpm certs` first");
    assert.equal(process.getuid?.(), 0, "these conditions are produced as root (mount namespace, setpriv)");
    work = tempDir("outerr");
    for (const f of inputs) copyFileSync(samples.onePage, join(work, f));
  });

  it("a full disk: OUTPUT_NO_SPACE, the run stops (exit 2) and no partial file is left", async function () {
    const mnt = join(work, "full");
    mkdirSync(mnt);
    const saved = join(work, "full-saved");
    mkdirSync(saved);
    // 39 KB documents on a 64 KiB file system: the first output fits, the second does not. A short
    // write (the disk takes what fits, no error) must not leave a cut-short "signed" file.
    const big = inputs.map((f) => `big-${f}`);
    for (const f of big) copyFileSync(samples.vietnamese, join(work, f));
    const r = await kysoOnTmpfs(mnt, "64k", false, ["sign", ...big, "--out-dir", mnt, "--journal", "full.jsonl", "--report", "full.json", "-j", "1", ...officerRsaFlags], work, saved);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Cannot write .*full\/big-b\.pdf: no space left on the device.*ENOSPC.*\[OUTPUT_NO_SPACE\]/);
    assert.doesNotMatch(r.stderr, /FILE_UNREADABLE/);
    const report = JSON.parse(readFileSync(join(work, "full.json"), "utf8")) as Report;
    assert.equal(report.summary.aborted?.code, "OUTPUT_NO_SPACE");
    assert.deepEqual(report.files.map((f) => [f.status, f.errorCode]), [["signed", null], ["failed", "OUTPUT_NO_SPACE"], ["skipped", "NOT_PROCESSED"]]);
    assert.deepEqual(readdirSync(saved), ["big-a.pdf"], "the signed output, no partial big-b.pdf, no temp file");
    const v = pdfsig(join(saved, "big-a.pdf"));
    assert.ok(v.ok, v.out);
    assert.deepEqual(readdirSync(mnt), [], "the tmpfs was private to kyso: the folder here is untouched");
  });

  it("a read-only file system: OUTPUT_READ_ONLY, for the outputs and for the journal beside them", async function () {
    const mnt = join(work, "ro");
    mkdirSync(mnt);
    const perFile = await kysoOnTmpfs(mnt, "1m", true, ["sign", ...inputs, "--out-dir", mnt, "--journal", "ro.jsonl", "--report", "ro.json", "-j", "1", ...officerRsaFlags], work);
    assert.equal(perFile.status, 2, perFile.stderr);
    assert.match(perFile.stderr, /Cannot write .*ro\/a\.pdf: the file system is read-only.*EROFS.*\[OUTPUT_READ_ONLY\]/);
    const report = JSON.parse(readFileSync(join(work, "ro.json"), "utf8")) as Report;
    assert.equal(report.summary.aborted?.code, "OUTPUT_READ_ONLY");
    assert.equal(report.files[0].errorCode, "OUTPUT_READ_ONLY");

    // Default journal: in the output folder, so the read-only disk is found before anything is signed.
    const journal = await kysoOnTmpfs(mnt, "1m", true, ["sign", ...inputs, "--out-dir", mnt, ...officerRsaFlags], work);
    assert.equal(journal.status, 2, journal.stderr);
    assert.match(journal.stderr, /^kyso: Cannot write .*ro\/\.kyso-journal\.jsonl: the file system is read-only/m);
    // A sub-folder to create for the outputs: the same, from mkdir.
    const folder = await kysoOnTmpfs(mnt, "1m", true, ["sign", ...inputs, "--out-dir", join(mnt, "sub"), ...officerRsaFlags], work);
    assert.equal(folder.status, 2, folder.stderr);
    assert.match(folder.stderr, /^kyso: Cannot write .*ro\/sub: the file system is read-only/m);
  });

  it("a folder without write permission: OUTPUT_PERMISSION (kyso run as nobody), the other files go on", async function () {
    const dir = join(work, "nobody");
    chmodSync(work, 0o755); // mkdtemp made it 0700
    mkdirSync(join(dir, "locked"), { recursive: true });
    mkdirSync(join(dir, "open"));
    mkdirSync(join(dir, "cache"));
    for (const f of inputs) copyFileSync(samples.onePage, join(dir, f));
    copyFileSync(pki.officerRsa.p12, join(dir, "me.p12"));
    for (const p of ["", "open", "cache", "me.p12", ...inputs]) chownSync(join(dir, p), NOBODY, NOBODY);
    chmodSync(join(dir, "locked"), 0o555); // owned by root: nobody may not write
    const items = ["--p12", "me.p12", "--revocation-check", "off", "--journal", "open/j.jsonl", "--report", "open/r.json"];
    const r = await run(
      "setpriv",
      ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups", process.execPath, cliBin, "sign", ...inputs, "--out-dir", "locked", ...items],
      dir,
      { KYSO_P12_PASSWORD: p12Password, HOME: dir, XDG_CACHE_HOME: join(dir, "cache"), XDG_DATA_HOME: join(dir, "cache") },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.equal((r.stderr.match(/: permission denied.*EACCES.*\[OUTPUT_PERMISSION\]$/gm) ?? []).length, 3, r.stderr);
    const report = JSON.parse(readFileSync(join(dir, "open", "r.json"), "utf8")) as Report;
    assert.deepEqual(report.files.map((f) => f.errorCode), ["OUTPUT_PERMISSION", "OUTPUT_PERMISSION", "OUTPUT_PERMISSION"]);
    assert.equal(report.summary.aborted, undefined, "no permission on one folder does not stop the run");
  });

  it("outputWriteError maps errors of real failing system calls", async function () {
    // ENOTDIR: a file where a folder is expected; EISDIR: a folder where a file is expected.
    const file = join(work, "a.pdf");
    const notDir = await fs.writeFile(join(file, "x.pdf"), "x").catch((e: unknown) => e);
    assert.equal(outputWriteError(notDir, "x").code, "OUTPUT_WRITE_FAILED");
    assert.match(outputWriteError(notDir, join(file, "x.pdf")).message, /ENOTDIR/);
    const exists = await fs.open(file, "wx").catch((e: unknown) => e);
    assert.equal(outputWriteError(exists, file).code, "OUTPUT_WRITE_FAILED");
  });
});
