import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { repoRoot } from "../support/cli.js";

/** Where scripts/install.sh puts the shim (KYSO_SHIM overrides it there and here). */
const shim = process.env.KYSO_SHIM ?? "/usr/local/bin/kyso";
const version = (JSON.parse(readFileSync(new URL("../../cli/package.json", import.meta.url), "utf8")) as { version: string }).version;

describe("kyso on the PATH (the shim scripts/install.sh writes)", function () {
  it("the shim exists, is executable and runs this clone's CLI", function () {
    assert.ok(existsSync(shim), `${shim} is missing: scripts/install.sh must have written it`);
    const text = readFileSync(shim, "utf8");
    assert.match(text, /^#!\/bin\/sh\n/);
    assert.ok(text.includes(`"${realpathSync(repoRoot)}/cli/dist/bin.js"`) || text.includes(`"${repoRoot}/cli/dist/bin.js"`), `${shim} points elsewhere:\n${text}`);
  });

  it("kyso --version and kyso verify --help work from /tmp", function () {
    const v = spawnSync(shim, ["--version"], { cwd: "/tmp", encoding: "utf8" });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const h = spawnSync(shim, ["verify", "--help"], { cwd: "/tmp", encoding: "utf8" });
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /kyso verify/);
    assert.match(h.stdout, /--revocation/);
  });

  it("found by name on the PATH: `kyso version --json` from /tmp is valid JSON", function () {
    const r = spawnSync("sh", ["-c", "command -v kyso && kyso version --json"], { cwd: "/tmp", encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const [where, ...json] = r.stdout.split("\n");
    assert.equal(where, shim);
    assert.equal((JSON.parse(json.join("\n")) as { kyso: string }).kyso, version);
  });

  it("`pnpm -s kyso ... --json` at the repository root is valid JSON (no pnpm banner)", function () {
    const r = spawnSync("pnpm", ["-s", "kyso", "version", "--json"], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { kyso: string }).kyso, version);
  });
});
