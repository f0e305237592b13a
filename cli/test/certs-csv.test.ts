import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv } from "@kyso/registry";
import { runKyso, type RunResult } from "../../test/support/cli.js";
import { pkiFile } from "../../packages/registry/test/support/pki.js";

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  return r;
}

describe("kyso certs list --csv: formula injection (OWASP CSV injection)", function () {
  let work: string;
  const kyso = (args: string[]) => runKyso([...args, "--db", `sqlite:${join(work, "registry.db")}`], { cwd: work, env: { KYSO_DB: "", XDG_DATA_HOME: work, KYSO_ACTOR: "csv-test" } });

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "kyso-certs-csv-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("writes holder and unit names that start with =, @, + or - with a leading ' so no spreadsheet runs them", async () => {
    writeFileSync(join(work, "units.csv"), `code,name,level,parent\nPY,"@SUM(1+1)*cmd|' /C calc'!A0",province,\nPY-TH,+1+2,district,PY\n`);
    ok(await kyso(["units", "import", "--csv", "units.csv"]), "units import");
    const evil = "=cmd|' /C calc'!A0";
    ok(await kyso(["certs", "import", pkiFile("officer-rsa.pem"), "--holder", evil, "--unit", "PY", "--type", "personal"]), "import officer-rsa");
    ok(await kyso(["certs", "import", pkiFile("officer-ec.pem"), "--holder=-2+3+cmd|' /C calc'!A0", "--unit", "PY-TH", "--type", "personal"]), "import officer-ec");
    const out = ok(await kyso(["certs", "list", "--csv"]), "certs list --csv").stdout;
    assert.ok(!/(^|,|\n)"?[=+\-@]/.test(out.replace(/,-?\d+(?=,|\r)/g, ",")), `a cell starts with a formula character:\n${out}`);
    const [header, ...rows] = parseCsv(out);
    const col = (name: string) => header.fields.indexOf(name);
    const byHolder = new Map(rows.map((r) => [r.fields[col("holder")], r.fields]));
    assert.deepEqual([...byHolder.keys()].sort(), ["'-2+3+cmd|' /C calc'!A0", `'${evil}`]);
    assert.equal(byHolder.get(`'${evil}`)![col("unit_name")], "'@SUM(1+1)*cmd|' /C calc'!A0");
    assert.equal(byHolder.get("'-2+3+cmd|' /C calc'!A0")![col("unit_name")], "'+1+2");
    // Values that are not formulas are written as they are.
    assert.equal(byHolder.get(`'${evil}`)![col("unit")], "PY");
    assert.match(byHolder.get(`'${evil}`)![col("key_size")], /^\d+$/);
  });
});
