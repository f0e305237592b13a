/**
 * The config file (issue 13): `kyso config path|show|init`, the schema (an unknown key or a wrong
 * type is an error naming the key and the file, exit 2, for every command that reads the file),
 * and the settings that act: db, lang, timezone, trust and tsa (sign --level B-T through the test
 * PKI's TSA with no flag), precedence flags > KYSO_* > file.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { p12Password, pki, samples, serverBase } from "@kyso/certs-test";
import { runKyso, type RunResult } from "../../test/support/cli.js";

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  return r;
}

describe("kyso config and the config file (issue 13)", function () {
  let work: string;
  let cfgFile: string;
  const env = (): NodeJS.ProcessEnv => ({
    XDG_CONFIG_HOME: join(work, "xdg"),
    XDG_DATA_HOME: join(work, "data"),
    XDG_CACHE_HOME: join(work, "cache"),
    HOME: work,
    KYSO_DB: "",
    KYSO_TOKEN_LABEL: "",
    KYSO_KEY_LABEL: "",
    KYSO_TSA_URL: "",
    LC_ALL: "C.UTF-8",
  });
  const kyso = (args: string[], extra: NodeJS.ProcessEnv = {}) => runKyso(args, { cwd: work, env: { ...env(), ...extra } });
  const writeConfig = (value: unknown) => {
    mkdirSync(join(work, "xdg", "kyso"), { recursive: true });
    writeFileSync(cfgFile, typeof value === "string" ? value : JSON.stringify(value));
  };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "kyso-config-"));
    cfgFile = join(work, "xdg", "kyso", "config.json");
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("config path names the file, config init writes a valid one from KYSO_* and --set, config show says where each value comes from", async () => {
    assert.equal(ok(await kyso(["config", "path"]), "path").stdout.trim(), cfgFile);
    assert.deepEqual(JSON.parse(ok(await kyso(["config", "path", "--json"]), "path --json").stdout), { file: cfgFile, exists: false });
    assert.equal(ok(await kyso(["config", "path", "--config", "other.json"]), "path --config").stdout.trim(), join(work, "other.json"));

    ok(await kyso(["config", "init", "--set", "keyLabel=officer", "--set", "concurrency=4", "--set", 'tsa=["http://tsa.example.vn/a","http://tsa.example.vn/b"]'], { KYSO_TOKEN_LABEL: "VGCA-01", KYSO_PKCS11_LIB: "" }), "init");
    const written = JSON.parse(readFileSync(cfgFile, "utf8"));
    assert.deepEqual(written, {
      lang: "en",
      timezone: "Asia/Ho_Chi_Minh",
      tokenLabel: "VGCA-01",
      keyLabel: "officer",
      concurrency: 4,
      tsa: ["http://tsa.example.vn/a", "http://tsa.example.vn/b"],
    });
    const again = await kyso(["config", "init"]);
    assert.equal(again.code, 2, "an existing file is not replaced without --force");
    assert.match(again.stderr, /already exists/);
    const typo = await kyso(["config", "init", "--force", "--set", "tokenLable=X"]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown key "tokenLable" \(did you mean "tokenLabel"\?\)/);
    assert.equal(JSON.parse(readFileSync(cfgFile, "utf8")).tokenLabel, "VGCA-01", "a refused init leaves the file as it was");

    const shown = JSON.parse(ok(await kyso(["config", "show", "--json"], { KYSO_KEY_LABEL: "from-env" }), "show").stdout);
    assert.equal(shown.file, cfgFile);
    assert.deepEqual(shown.settings.tokenLabel, { value: "VGCA-01", source: "file", env: "KYSO_TOKEN_LABEL" });
    assert.deepEqual(shown.settings.keyLabel, { value: "from-env", source: "env", env: "KYSO_KEY_LABEL" });
    assert.deepEqual(shown.settings.db, { value: null, source: "unset", env: "KYSO_DB" });
    assert.match(ok(await kyso(["config", "show"]), "show text").stdout, /^tokenLabel\s+VGCA-01\s+\(file\)$/m);
  });

  it("unknown keys and wrong types are errors naming the key and the file, exit 2, for sign, certs and config show alike", async () => {
    writeConfig({ tokenLable: "VGCA-01", concurrency: "8", lang: "fr", timezone: "Mars/Olympus", tsa: "ftp://tsa", trust: 5, db: "mysql://x" });
    for (const args of [["config", "show"], ["sign", samples.onePage, "--dry-run"], ["certs", "list"], ["tokens", "list"]]) {
      const r = await kyso(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(r.stderr.includes(cfgFile), r.stderr);
      assert.match(r.stderr, /unknown key "tokenLable" \(did you mean "tokenLabel"\?\)/);
      assert.match(r.stderr, /"concurrency" must be a whole number of 1 or more \(got "8"\)/);
      assert.match(r.stderr, /"lang" must be one of "vi", "en" \(got "fr"\)/);
      assert.match(r.stderr, /"timezone" must be an IANA time zone/);
      assert.match(r.stderr, /"tsa" must be an http\(s\) URL/);
      assert.match(r.stderr, /"trust" must be a path or a list of paths \(got 5\)/);
      assert.match(r.stderr, /"db" must be sqlite:PATH/);
    }
    writeConfig("{ not json");
    const bad = await kyso(["config", "show"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not valid JSON/);
    writeConfig({ "token-label": "VGCA-01", "out-dir": "signed" }); // kebab case is the same key
    const kebab = JSON.parse(ok(await kyso(["config", "show", "--json"]), "kebab").stdout).settings;
    assert.equal(kebab.tokenLabel.value, "VGCA-01");
    assert.equal(kebab.outDir.value, join(work, "xdg", "kyso", "signed"), "relative to the file's folder");
  });

  it("db, lang and timezone from the file drive the registry commands; a flag or KYSO_* wins over the file", async () => {
    writeConfig({ db: "registry.db", lang: "vi", timezone: "+09:00" });
    writeFileSync(join(work, "units.csv"), "code,name,level,parent\nPY,Tỉnh Phú Yên,province,\n");
    ok(await kyso(["units", "import", "--csv", "units.csv"]), "units import");
    assert.ok(existsSync(join(work, "xdg", "kyso", "registry.db")), "sqlite file beside the config file");
    ok(await kyso(["tokens", "add", "0A1B2C3D"]), "tokens add");
    const vi = ok(await kyso(["tokens", "show", "0A1B2C3D"]), "show").stdout;
    assert.match(vi, /^0A1B2C3D: trong kho$/m);
    assert.match(vi, /\d\d:\d\d:\d\d \d\d\/\d\d\/\d{4} \(\+09:00\)  nhập kho token/);
    assert.match(ok(await kyso(["tokens", "list", "--lang", "en"]), "flag").stdout, /0A1B2C3D\s+in stock/);
    assert.match(ok(await kyso(["tokens", "list"], { KYSO_LANG: "en" }), "env").stdout, /0A1B2C3D\s+in stock/);
    const other = join(work, "other.db");
    assert.deepEqual(JSON.parse(ok(await kyso(["tokens", "list", "--json"], { KYSO_DB: `sqlite:${other}` }), "env db").stdout), []);
  });

  it("trust and tsa from the file: sign --level B-T with the test PKI's root and TSA and no flag", async function () {
    const out = join(work, "out");
    const args = ["sign", samples.onePage, "--p12", pki.officerRsa.p12, "--level", "B-T", "--out-dir", out, "--report", join(work, "r.json")];
    const without = await kyso(args, { KYSO_P12_PASSWORD: p12Password });
    assert.equal(without.code, 2, `without the settings: ${without.stderr}`);
    writeConfig({ trust: [pki.root], tsa: `${serverBase}/tsa` });
    const r = await kyso(args, { KYSO_P12_PASSWORD: p12Password });
    assert.equal(r.code, 0, r.stderr);
    const check = JSON.parse(readFileSync(join(work, "r.json"), "utf8")).summary.certificateCheck;
    assert.equal(check.signer.trusted, true, "the root from the file's trust");
    assert.equal(check.tsa.length, 1, "the TSA from the file");
    assert.match(check.tsa[0].subject, /CN=Kyso Test TSA/);
  });
});
