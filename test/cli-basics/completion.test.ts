import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { repoRoot, runKyso, kysoBin } from "../support/cli.js";

/** Runs bash with the completion script loaded from `kyso completion bash`, as a user's ~/.bashrc would. */
function bash(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-c", `source <("${process.execPath}" "${kysoBin}" completion bash) || exit 9\n${script}`], { cwd: "/tmp", encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What TAB offers for these words, the last being the one completed (COMP_WORDS/COMP_CWORD as bash sets them). */
function complete(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const r = bash(`COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; COMP_LINE="${words.join(" ")}"; _kyso_completion; printf '%s\\n' "\${COMPREPLY[@]}"`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

describe("kyso completion bash|zsh", function () {
  it("the bash script loads and registers a completion function for kyso", function () {
    const r = bash("complete -p kyso");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "complete -o default -F _kyso_completion kyso");
  });

  it("kyso ve<TAB> offers verify (and version); kyso <TAB> every command, doctor and completion too", function () {
    assert.deepEqual(complete("kyso", "ve"), ["verify", "version"]);
    assert.deepEqual(complete("kyso", "veri"), ["verify"]);
    const all = complete("kyso", "");
    for (const c of ["sign", "verify", "certs", "trust", "doctor", "completion", "--help", "--version"]) assert.ok(all.includes(c), `${c} in ${all.join(" ")}`);
  });

  it("flags of the command typed, choices after a flag, actions as first positional", function () {
    assert.deepEqual(complete("kyso", "sign", "--dig"), ["--digest"]);
    assert.deepEqual(complete("kyso", "sign", "a.pdf", "--digest", "sha3"), ["sha384"]);
    assert.deepEqual(complete("kyso", "verify", "--revocation", ""), ["online", "embedded", "off"]);
    assert.ok(complete("kyso", "verify", "--").includes("--no-default-trust"));
    assert.deepEqual(complete("kyso", "trust", "l"), ["list"]);
    // A flag's value is not the action: `trust --role anchor a` still completes the action.
    assert.deepEqual(complete("kyso", "trust", "--role", "anchor", "a"), ["add"]);
    // After the action, files (bash's default), not actions again.
    assert.deepEqual(complete("kyso", "trust", "add", "a"), []);
    assert.deepEqual(complete("kyso", "completion", ""), ["bash", "zsh"]);
  });

  it("the zsh script runs the same function through bashcompinit", async function () {
    const z = await runKyso(["completion", "zsh"], { cwd: repoRoot });
    assert.equal(z.code, 0, z.stderr);
    assert.match(z.stdout, /autoload -U \+X bashcompinit && bashcompinit/);
    assert.match(z.stdout, /complete -o default -F _kyso_completion kyso/);
    const b = await runKyso(["completion", "bash"]);
    const body = (s: string) => s.slice(s.indexOf("_kyso_completion() {"));
    assert.equal(body(z.stdout), body(b.stdout));
    const bad = await runKyso(["completion", "fish"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bash, zsh|Choices/);
  });
});
