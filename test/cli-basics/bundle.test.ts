// Issue 13 (start-up): kyso runs from the bundle `pnpm build` writes (cli/scripts/bundle.mjs), and the
// bundle stands on its own: copied with cli/dist/bin.js into a folder outside the repository (only
// cli/node_modules beside it, for the native externals), it signs with a visible signature (fonts,
// pdf.js), verifies with the bundled Vietnam trust store and reports its version; its CommonJS copy
// runs with V8's code cache in the user's cache folder.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { p12Password, pki, samples } from "@kyso/certs-test";
import { repoRoot } from "../support/cli.js";
import { pdfsig, qpdfCheck } from "../support/judges.js";

const cliDist = join(repoRoot, "cli", "dist");
const bundleDir = join(cliDist, "bundle");
const version = (JSON.parse(readFileSync(join(repoRoot, "cli", "package.json"), "utf8")) as { version: string }).version;

/** A copy of the built kyso outside the repository: dist/bin.js, dist/bundle/ and node_modules (a link to cli's). */
function detachedCopy(): string {
  const root = mkdtempSync(join(tmpdir(), "kyso-bundle-"));
  cpSync(join(cliDist, "bin.js"), join(root, "dist", "bin.js"));
  cpSync(bundleDir, join(root, "dist", "bundle"), { recursive: true });
  symlinkSync(join(repoRoot, "cli", "node_modules"), join(root, "node_modules"), "dir");
  cpSync(join(repoRoot, "cli", "package.json"), join(root, "package.json"));
  return root;
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.KYSO_PIN;
  if (!env.KYSO_P12_PASSWORD) delete e.KYSO_P12_PASSWORD;
  return spawnSync(process.execPath, [bin, ...args], { cwd: "/tmp", env: e, encoding: "utf8" });
}

describe("the bundled kyso (issue 13, start-up)", function () {
  this.timeout(180_000);
  let copy: string;
  let bin: string;
  const work = mkdtempSync(join(tmpdir(), "kyso-bundle-work-"));

  before(function () {
    assert.ok(existsSync(join(bundleDir, "main.js")), "cli/dist/bundle/main.js is missing: `pnpm build` bundles the CLI after tsc");
    copy = detachedCopy();
    bin = join(copy, "dist", "bin.js");
  });

  it("the copy has no unbundled CLI modules: what runs below can only be the bundle", function () {
    assert.deepEqual(readdirSync(join(copy, "dist")).sort(), ["bin.js", "bundle"]);
    assert.ok(!existsSync(join(copy, "dist", "main.js")));
  });

  it("kyso --version and kyso version --json from /tmp", function () {
    const v = run(bin, ["--version"]);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const j = run(bin, ["version", "--json"]);
    assert.equal(j.status, 0, j.stderr);
    assert.equal((JSON.parse(j.stdout) as { kyso: string }).kyso, version);
  });

  it("help of every command is there (commands are found without per-command configuration)", function () {
    const h = run(bin, ["--help"]);
    assert.equal(h.status, 0, h.stderr);
    for (const c of ["sign", "verify", "serve", "trust", "certs", "doctor", "completion"]) assert.match(h.stdout, new RegExp(`kyso ${c}\\b`));
    const s = run(bin, ["sign", "--help"]);
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, /--appearance/);
  });

  it("the bundled Vietnam trust store is read from the bundle's assets", function () {
    const r = run(bin, ["trust", "list", "--json"], { XDG_DATA_HOME: join(work, "empty-data") });
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout;
    for (const label of ["Government CA RootCA", "Vietnam National Root CA", "VNPT-CA"]) assert.ok(text.includes(label), `${label} missing from:\n${text}`);
  });

  it("a visible personal signature (fonts, pdf.js) from the bundle: pdfsig and qpdf accept it; kyso verify (bundle) calls it VALID", async function () {
    const out = join(work, "signed");
    const s = run(bin, ["sign", samples.vietnamese, "--p12", pki.officerRsa.p12, "--appearance", "personal", "--trust", pki.root, "--out-dir", out], { KYSO_P12_PASSWORD: p12Password });
    assert.equal(s.status, 0, s.stderr);
    const signed = join(out, "vietnamese.pdf");
    const sigs = await pdfsig(signed);
    assert.equal(sigs.length, 1);
    assert.ok(sigs[0].signatureValid && sigs[0].totalDocument, sigs[0].raw);
    assert.equal((await qpdfCheck(signed)).code, 0);
    const v = run(bin, ["verify", signed, "--trust", pki.root, "--json"]);
    assert.equal(v.status, 0, v.stderr + v.stdout);
    assert.match(v.stdout, /TOTAL_PASSED/);
  });

  it("libraries loaded on demand keep their named exports: a printable PDF report (pdf-lib, fontkit, qrcode) and the token's certificates read for the registry (graphene-pk11)", async function () {
    const signed = join(work, "signed", "vietnamese.pdf");
    assert.ok(existsSync(signed), "the visible-signature test above must have signed it");
    const report = join(work, "report.pdf");
    const v = run(bin, ["verify", signed, "--trust", pki.root, "--report-pdf", report]);
    assert.equal(v.status, 0, v.stderr + v.stdout);
    assert.equal((await qpdfCheck(report)).code, 0);
    assert.ok(readFileSync(report).subarray(0, 5).toString("latin1") === "%PDF-");
    // certs import --from-token reads the token through graphene-pk11 (a CommonJS package imported with import()).
    const db = `sqlite:${join(work, "registry.db")}`;
    const csv = join(work, "units.csv");
    writeFileSync(csv, "code,name,level,parent\nPY,Tỉnh Phú Yên,province,\nPY-STP,Sở Tư pháp,department,PY\n");
    const u = run(bin, ["units", "import", "--csv", csv, "--db", db]);
    assert.equal(u.status, 0, u.stderr);
    const r = run(bin, ["certs", "import", "--from-token", "--token-label", "KYSO-DEMO", "--unit", "PY-STP", "--db", db, "--json"], { KYSO_PKCS11_LIB: process.env.KYSO_PKCS11_LIB ?? "" });
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { imported: unknown[] }).imported.length > 0, r.stdout);
  });

  it("the CommonJS copy runs with V8's code cache: written on the first run, used on the next, a damaged file replaced, an unusable cache folder no error", function () {
    const cacheHome = join(work, "xdg-cache");
    const env = { XDG_CACHE_HOME: cacheHome };
    const first = run(bin, ["version", "--json"], env);
    assert.equal(first.status, 0, first.stderr);
    const [folder] = readdirSync(join(cacheHome, "kyso", "code"));
    const dir = join(cacheHome, "kyso", "code", folder);
    const mainCache = () => readdirSync(dir).filter((f) => /^main\.js\.[0-9a-f]{32}\.v8$/.test(f));
    assert.equal(mainCache().length, 1, readdirSync(dir).join(" "));
    const file = join(dir, mainCache()[0]);
    const before = statSync(file);
    // Accepted by V8: the next run leaves the file as it is (a rejected cache is written anew).
    const second = run(bin, ["version", "--json"], env);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(statSync(file).ino, before.ino);
    assert.equal(statSync(file).mtimeMs, before.mtimeMs);
    // A damaged cache (same size, other bytes) is rejected by V8: kyso runs as usual and writes it again.
    const junk = Buffer.alloc(before.size, 0x5a);
    writeFileSync(file, junk);
    const third = run(bin, ["version", "--json"], env);
    assert.equal(third.status, 0, third.stderr);
    assert.equal((JSON.parse(third.stdout) as { kyso: string }).kyso, version);
    assert.ok(!readFileSync(file).equals(junk), "the damaged cache file was not replaced");
    // A cache folder that cannot be made (a file in the way), and the cache turned off: no error, nothing written.
    const blocked = join(work, "not-a-folder");
    writeFileSync(blocked, "x");
    const fourth = run(bin, ["--version"], { XDG_CACHE_HOME: blocked });
    assert.equal(fourth.status, 0, fourth.stderr);
    assert.equal(fourth.stdout.trim(), version);
    const offHome = join(work, "xdg-cache-off");
    const fifth = run(bin, ["--version"], { XDG_CACHE_HOME: offHome, KYSO_CODE_CACHE: "off" });
    assert.equal(fifth.status, 0, fifth.stderr);
    assert.ok(!existsSync(join(offHome, "kyso")));
  });

  it("no absolute path of this checkout in the bundle (assets are found relative to the bundle file)", function () {
    const roots = [...new Set([repoRoot, realpathSync(repoRoot)])];
    const offending: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(m?js|json)$/.test(e.name) && roots.some((r) => readFileSync(p, "utf8").includes(r))) offending.push(p);
      }
    };
    walk(bundleDir);
    assert.deepEqual(offending, []);
  });
});
