/**
 * Issue 13, registry in the CLI: an import that rejects everything changes nothing (also from the
 * SoftHSM token); `tokens lost|destroy` revokes or keeps the token's certificates (a flag, a
 * question on a real terminal, or exit 2 without either); statuses, reasons and times as words in
 * the user's language and zone, JSON keeping the codes.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCertificates, type CertificateRecord } from "@kyso/registry";
import { kysoBin, runKyso, type RunResult } from "../../test/support/cli.js";
import { backends, requireBackend } from "../../packages/registry/test/support/backends.js";
import { pkiBytes, pkiFile } from "../../packages/registry/test/support/pki.js";

const serialOf = (name: string): string => parseCertificates(pkiBytes(`${name}.pem`))[0].serial;

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  return r;
}

/** Runs kyso on a real pseudo-terminal (util-linux script), typing `answer` at the question. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv, cwd: string, answer: string): Promise<RunResult> {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, kysoBin, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      // Answer once the question is on the screen, as a person would.
      if (/\[(y\/n|c\/k)\] $/.test(stdout) && answer) {
        child.stdin.write(`${answer}\n`);
        answer = "";
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr: "" }));
  });
}

for (const backend of backends) {
  describe(`kyso certs import / tokens lost on ${backend.name} (issue 13)`, function () {
    let db: string;
    let work: string;
    const env = (): NodeJS.ProcessEnv => ({ KYSO_DB: "", LC_ALL: "C.UTF-8", XDG_DATA_HOME: work, XDG_CONFIG_HOME: work, KYSO_ACTOR: "cli-test" });
    const kyso = (args: string[], extra: NodeJS.ProcessEnv = {}) => runKyso([...args, "--db", db], { cwd: work, env: { ...env(), ...extra } });
    const json = async <T>(args: string[]): Promise<T> => JSON.parse(ok(await kyso([...args, "--json"]), args.join(" ")).stdout) as T;

    before(function () {
      requireBackend(this, backend);
    });
    beforeEach(async () => {
      db = await backend.fresh();
      work = mkdtempSync(join(tmpdir(), "kyso-issue13-"));
      writeFileSync(join(work, "units.csv"), "code,name,level,parent\nPY,Tỉnh Phú Yên,province,\n");
      ok(await kyso(["units", "import", "--csv", "units.csv"]), "units import");
    });
    afterEach(() => rmSync(work, { recursive: true, force: true }));
    after(() => backend.cleanup());

    it("a CSV import whose every row is rejected leaves no certificate, holder or token, even with --skip-invalid", async () => {
      const rows = ["holder,unit,type,file,token_serial"];
      for (const name of ["officer-rsa", "officer-ec"]) rows.push(`Cán bộ ${name},NO-SUCH-UNIT,personal,${pkiFile(`${name}.pem`)},TK-${name}`);
      writeFileSync(join(work, "all-bad.csv"), `${rows.join("\n")}\n`);
      for (const extra of [[], ["--skip-invalid"]]) {
        const r = await kyso(["certs", "import", "--csv", "all-bad.csv", ...extra]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /nothing imported/);
        assert.deepEqual(await json(["certs", "list"]), []);
        assert.deepEqual(await json(["tokens", "list"]), []);
      }
    });

    it("an import from the SoftHSM token that rejects every certificate does not add the token to stock", async function () {
      if (!process.env.SOFTHSM2_CONF || !process.env.KYSO_PKCS11_LIB) {
        if (process.env.CI) assert.fail("SOFTHSM2_CONF and KYSO_PKCS11_LIB must be set (certs-test/out/env.sh)");
        this.skip();
      }
      for (const extra of [[], ["--skip-invalid"]]) {
        const r = await kyso(["certs", "import", "--from-token", "--token-label", "KYSO-DEMO", "--unit", "NO-SUCH-UNIT", ...extra]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /unknown unit NO-SUCH-UNIT/);
        assert.deepEqual(await json(["tokens", "list"]), [], "the token read is not recorded when nothing is imported");
      }
      // The same token into a known unit is recorded, with what it imported.
      ok(await kyso(["certs", "import", "--from-token", "--token-label", "KYSO-DEMO", "--unit", "PY"]), "from-token");
      const tokens = await json<{ status: string; model: string }[]>(["tokens", "list"]);
      assert.deepEqual(tokens.map((t) => [t.status, t.model]), [["issued", "SoftHSM v2"]]);
    });

    it("tokens lost without a terminal and without a choice exits 2 naming both flags; the flags revoke or keep", async () => {
      ok(await kyso(["certs", "import", pkiFile("officer-rsa.pem"), "--holder", "Nguyễn Văn An", "--unit", "PY", "--type", "personal", "--token-serial", "TK-1"]), "import");
      ok(await kyso(["certs", "import", pkiFile("officer-ec.pem"), "--holder", "Trần Thị Bình", "--unit", "PY", "--type", "personal", "--token-serial", "TK-2"]), "import");

      const undecided = await kyso(["tokens", "lost", "TK-1"]);
      assert.equal(undecided.code, 2);
      assert.match(undecided.stderr, /--revoke-certificates/);
      assert.match(undecided.stderr, /--keep-certificates/);
      assert.ok(undecided.stderr.includes(serialOf("officer-rsa")), undecided.stderr);
      assert.equal((await json<{ status: string }>(["tokens", "show", "TK-1"])).status, "issued", "nothing changed");
      const vi = await kyso(["tokens", "lost", "TK-1", "--lang", "vi"]);
      assert.equal(vi.code, 2);
      assert.match(vi.stderr, /Hãy chọn: --revoke-certificates .*lộ khóa bí mật.* hoặc --keep-certificates/);
      assert.equal((await kyso(["tokens", "lost", "TK-1", "--revoke-certificates", "--keep-certificates"])).code, 2);

      const lost = ok(await kyso(["tokens", "lost", "TK-1", "--revoke-certificates", "--lang", "en"]), "lost --revoke-certificates");
      assert.match(lost.stdout, /^TK-1: lost, Nguyễn Văn An \(PY\)$/m);
      assert.match(lost.stdout, new RegExp(`revoked ${serialOf("officer-rsa")} \\(Nguyễn Văn An\\): key compromise`));
      const kept = ok(await kyso(["tokens", "destroy", "TK-2", "--keep-certificates", "--json"]), "destroy --keep-certificates");
      assert.equal(JSON.parse(kept.stdout).status, "destroyed");

      const certs = await json<CertificateRecord[]>(["certs", "list"]);
      const bySerial = new Map(certs.map((c) => [c.serial, c]));
      assert.deepEqual([bySerial.get(serialOf("officer-rsa"))!.status, bySerial.get(serialOf("officer-rsa"))!.revocationReason], ["revoked", "keyCompromise"], "JSON keeps the codes");
      assert.equal(bySerial.get(serialOf("officer-ec"))!.status, "active");
      const history = (await json<{ history: { kind: string; details: Record<string, unknown> }[] }>(["tokens", "show", "TK-2"])).history;
      assert.equal(history.at(-1)!.details.certificates, "kept");
    });

    it("asks on a terminal: 'c' revokes (cessationOfOperation for a destroyed token), 'n' keeps", async function () {
      ok(await kyso(["certs", "import", pkiFile("officer-rsa.pem"), "--holder", "Nguyễn Văn An", "--unit", "PY", "--type", "personal", "--token-serial", "TK-1"]), "import");
      ok(await kyso(["certs", "import", pkiFile("officer-ec.pem"), "--holder", "Trần Thị Bình", "--unit", "PY", "--type", "personal", "--token-serial", "TK-2"]), "import");
      const no = await onTerminal(["tokens", "lost", "TK-2", "--db", db, "--lang", "en"], env(), work, "n");
      assert.equal(no.code, 0, no.stdout);
      assert.match(no.stdout, /holds 1 certificate still in force/);
      assert.match(no.stdout, /Revoke it \(reason "key compromise"\)\? \[y\/n\]/);
      assert.match(no.stdout, /kept /);
      const yes = await onTerminal(["tokens", "destroy", "TK-1", "--db", db, "--lang", "vi"], env(), work, "c");
      assert.equal(yes.code, 0, yes.stdout);
      assert.match(yes.stdout, /Thu hồi chứng thư số này \(lý do "chấm dứt sử dụng"\)\? \[c\/k\]/);
      assert.match(yes.stdout, /đã thu hồi .*: chấm dứt sử dụng/);
      const certs = new Map((await json<CertificateRecord[]>(["certs", "list"])).map((c) => [c.serial, c]));
      assert.equal(certs.get(serialOf("officer-rsa"))!.revocationReason, "cessationOfOperation");
      assert.equal(certs.get(serialOf("officer-ec"))!.status, "active");
    });

    it("shows statuses, reasons and times as words in Vietnamese or English, in +07:00 or the zone asked for", async () => {
      ok(await kyso(["tokens", "add", "0A1B2C3D"]), "add");
      ok(await kyso(["certs", "import", pkiFile("officer-rsa.pem"), "--holder", "Nguyễn Văn An", "--unit", "PY", "--type", "personal"]), "import");
      ok(await kyso(["certs", "revoke", serialOf("officer-rsa"), "--reason", "keyCompromise", "--date", "2026-03-02T13:07:00Z"]), "revoke");

      const vi = ok(await kyso(["tokens", "list"], { LC_ALL: "vi_VN.UTF-8" }), "tokens list vi").stdout;
      assert.match(vi, /0A1B2C3D\s+trong kho/);
      assert.match(ok(await kyso(["tokens", "list", "--lang", "en"]), "tokens list en").stdout, /0A1B2C3D\s+in stock/);
      const showVi = ok(await kyso(["certs", "show", serialOf("officer-rsa"), "--lang", "vi"]), "show vi").stdout;
      assert.match(showVi, /Trạng thái:\s+đã thu hồi từ 20:07:00 02\/03\/2026 \(\+07:00\) \(lộ khóa bí mật\)/);
      assert.doesNotMatch(showVi, /keyCompromise|T13:07/);
      const showEn = ok(await kyso(["certs", "show", serialOf("officer-rsa"), "--lang", "en", "--timezone", "Europe/Paris"]), "show en").stdout;
      assert.match(showEn, /Status:\s+revoked since 2026-03-02 14:07:00 \+01:00 \(key compromise\)/);
      const report = ok(await kyso(["certs", "report", "--lang", "en", "--from", "2020-01-01"]), "report").stdout;
      assert.match(report, /Revoked in the period: 1 \(key compromise 1\)/);
      assert.match(report, /Tokens: in stock 1,/);
      assert.match(ok(await kyso(["certs", "list", "--status", "revoked", "--json"]), "json").stdout, /"revocationReason": "keyCompromise"/);
      assert.equal((await kyso(["certs", "list", "--timezone", "Mars/Olympus"])).code, 2);

      ok(await kyso(["certs", "report", "--html", "r.html", "--from", "2020-01-01", "--lang", "en"]), "report --html");
      const html = readFileSync(join(work, "r.html"), "utf8");
      assert.match(html, /generated \d\d:\d\d:\d\d \d\d\/\d\d\/\d{4} \(\+07:00\)/);
      assert.match(html, /<td>Key compromise<\/td>/);
    });
  });
}
