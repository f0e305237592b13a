import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { runKyso, kysoBin } from "../../test/support/cli.js";

describe("kyso --version, kyso version, output to a closed pipe", function () {
  const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

  it("kyso --version prints the version, kyso version --json the versions of Kyso, Node and the PKCS#11 module", async function () {
    const v = await runKyso(["--version"]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const j = await runKyso(["version", "--json"], { env: { KYSO_PKCS11_LIB: "/usr/lib/softhsm/libsofthsm2.so" } });
    assert.equal(j.code, 0, j.stderr);
    const info = JSON.parse(j.stdout) as Record<string, string>;
    assert.equal(info.kyso, version);
    assert.equal(info.node, process.versions.node);
    assert.equal(info.pkcs11Module, "/usr/lib/softhsm/libsofthsm2.so");
  });

  it("writing to a closed pipe ends quietly with exit 0, no stack trace", async function () {
    const child = spawn(process.execPath, [kysoBin, "trust", "list", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader went away (as `| head -0` does)
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error:|at /);
  });
});
