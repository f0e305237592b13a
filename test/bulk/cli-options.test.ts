/**
 * `kyso sign` inputs and defaults: globs, folders without --recursive, --suffix, --dry-run, and the
 * config file / KYSO_* environment / flag precedence.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ready, samples, token } from "@kyso/certs-test";
import { makeTree, runCli, tempDir } from "./helpers.js";

interface Planned {
  file: string;
  output: string;
  status: string;
}

async function plan(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Planned[]> {
  const r = await runCli(["sign", ...args, "--dry-run", "--json"], { cwd, env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Planned & { summary?: unknown }).filter((e) => !e.summary);
}

describe("kyso sign: inputs, dry run and defaults", function () {
  let work: string;
  before(function () {
    assert.ok(ready(), "run `pnpm certs` first");
    work = tempDir("options");
    makeTree(join(work, "docs"), 24, { bad: false });
  });

  it("--dry-run lists inputs and outputs, opens no token and writes nothing", async function () {
    const p = await plan(["docs", "-r", "--out-dir", "signed"], work);
    assert.equal(p.length, 24);
    assert.ok(p.every((e) => e.status === "planned" && e.output.startsWith(join(work, "signed") + "/")));
    assert.equal(existsSync(join(work, "signed")), false);
  });

  it("a folder without --recursive gives only its own PDFs; a glob gives what it matches, mirrored from its base", async function () {
    const empty = await runCli(["sign", "docs", "--dry-run"], { cwd: work });
    assert.equal(empty.status, 2, "no PDF directly in docs/: a usage error");
    assert.match(empty.stderr, /No PDF files found/);
    copyFileSync(samples.onePage, join(work, "docs", "top.pdf"));
    assert.deepEqual((await plan(["docs"], work)).map((e) => e.file), [join(work, "docs", "top.pdf")]);
    assert.equal((await plan(["docs", "-r"], work)).length, 25);
    rmSync(join(work, "docs", "top.pdf"));
    const g = await plan(["docs/don-vi-1/**/*.pdf", "--out-dir", "out"], work);
    assert.ok(g.length > 0);
    for (const e of g) {
      assert.match(e.file, /\/don-vi-1\//);
      assert.equal(e.output, join(work, "out", e.file.slice(join(work, "docs", "don-vi-1").length + 1)));
    }
  });

  it("--suffix names outputs beside inputs, and earlier outputs are not taken as inputs", async function () {
    const dir = join(work, "suffix");
    mkdirSync(dir);
    copyFileSync(samples.onePage, join(dir, "a.pdf"));
    copyFileSync(samples.onePage, join(dir, "a.da-ky.pdf"));
    const p = await plan([dir, "--suffix", ".da-ky"], work);
    assert.deepEqual(p.map((e) => [e.file, e.output]), [[join(dir, "a.pdf"), join(dir, "a.da-ky.pdf")]]);
  });

  it("flags win over KYSO_* variables, which win over the config file", async function () {
    const cfgDir = join(work, "xdg", "kyso");
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(join(cfgDir, "config.json"), JSON.stringify({ outDir: "from-file", suffix: ".tep" }));
    const env = { XDG_CONFIG_HOME: join(work, "xdg") };
    const one = join("docs", "don-vi-0", "den", "vb-0000.pdf");
    // Relative paths in the file are relative to the file's folder.
    assert.equal((await plan([one], work, env))[0].output, join(cfgDir, "from-file", "vb-0000.pdf"));
    assert.equal((await plan([one], work, { ...env, KYSO_OUT_DIR: join(work, "from-env") }))[0].output, join(work, "from-env", "vb-0000.pdf"));
    assert.equal((await plan([one, "--out-dir", "from-flag"], work, { ...env, KYSO_OUT_DIR: join(work, "from-env") }))[0].output, join(work, "from-flag", "vb-0000.pdf"));
    // --config names another file; a PIN in a config file is refused.
    writeFileSync(join(work, "other.json"), JSON.stringify({ suffix: ".khac" }));
    assert.equal((await plan([one, "--config", "other.json"], work, env))[0].output, join(work, "docs", "don-vi-0", "den", "vb-0000.khac.pdf"));
    writeFileSync(join(work, "bad.json"), JSON.stringify({ pin: "123456" }));
    const bad = await runCli(["sign", one, "--dry-run", "--config", "bad.json"], { cwd: work });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /must not hold a PIN/);
    assert.doesNotMatch(bad.stderr, /123456/);
  });

  it("token and key from the config file sign without flags", async function () {
    const cfg = join(work, "signer.json");
    writeFileSync(cfg, JSON.stringify({ tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, reason: "Phê duyệt" }));
    const r = await runCli(["sign", join("docs", "don-vi-0", "den", "vb-0000.pdf"), "--config", cfg, "--out-dir", "cfg-out", "--json"], { cwd: work, env: { KYSO_PIN: token.userPin } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /"status":"signed"/);
  });
});
