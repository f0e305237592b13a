/**
 * The resume command printed after Ctrl-C is pasted into a shell by the officer: every argument
 * must come back exactly as given (Vietnamese names, spaces, quotes), with --resume once.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./helpers.js";

const { resumeCommand } = (await import(join(repoRoot, "cli/dist/commands/sign/resume-command.js"))) as { resumeCommand: (argv: readonly string[], files: readonly string[]) => string };

/** The words a POSIX shell makes of a command line. */
function shellWords(line: string): string[] {
  const r = spawnSync("sh", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\0").slice(0, -1);
}

describe("kyso sign: the printed resume command", function () {
  it("survives a shell: spaces, quotes, Vietnamese, globs; --resume once", function () {
    const argv = ["sign", "văn bản/it's here.pdf", "den/**/*.pdf", "--reason", "Phê duyệt; $HOME `x`", "--resume", "--out-dir", "ký"];
    const line = resumeCommand(argv, []);
    assert.match(line, /^kyso sign /);
    assert.deepEqual(shellWords(line), ["kyso", "sign", "văn bản/it's here.pdf", "den/**/*.pdf", "--reason", "Phê duyệt; $HOME `x`", "--out-dir", "ký", "--resume"]);
    assert.equal(resumeCommand(["sign", "a.pdf", "-r"], []), "kyso sign a.pdf -r --resume", "plain arguments stay unquoted");
  });
});
