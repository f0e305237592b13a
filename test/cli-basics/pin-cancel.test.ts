/**
 * Ctrl-C at the PIN prompt (issue 13): one line in the user's language, exit 130, nothing signed
 * and the terminal given back with echo on. `kyso sign` runs in a real pseudo-terminal (util-linux
 * `script`), so the prompt really switches the terminal to raw mode; Ctrl-C is the byte the
 * terminal sends, or SIGINT sent to the process by the test.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkcs11Lib, samples, softhsmConf, token } from "@kyso/certs-test";
import { kysoBin } from "../support/cli.js";

interface PtyRun {
  code: number | null;
  output: string;
}

/**
 * Runs `kyso sign` in a pseudo-terminal; once the PIN prompt is up, `interrupt` sends Ctrl-C. After
 * kyso ends, `stty` in the same terminal prints whether echo is on, then the shell exits with
 * kyso's code.
 */
function signInPty(lang: Record<string, string>, interrupt: (script: ReturnType<typeof spawn>, kysoPid: () => number) => void): Promise<PtyRun> {
  const dir = mkdtempSync(join(tmpdir(), "kyso-pin-cancel-"));
  const input = join(dir, "doc.pdf");
  copyFileSync(samples.onePage, input);
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const kyso = [process.execPath, kysoBin, "sign", input, "--pkcs11-lib", pkcs11Lib(), "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--revocation-check", "off"].map(q).join(" ");
  const shell = `${kyso}; rc=$?; echo; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo | sed 's/^/tty:/'; exit $rc`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...lang, SOFTHSM2_CONF: softhsmConf, XDG_CONFIG_HOME: join(dir, "no-config"), TERM: "dumb" };
  delete env.KYSO_PIN;
  delete env.KYSO_LANG;
  return new Promise((resolve, reject) => {
    const script = spawn("script", ["-qefc", `sh -c ${q(shell)}`, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let sent = false;
    const kysoPid = (): number => {
      // script -> sh -c -> node: the node process whose command line names the CLI.
      const ps = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).stdout;
      const line = ps.split("\n").find((l) => l.includes(kysoBin) && l.includes(input) && !l.includes("sh -c") && !l.includes("script"));
      assert.ok(line, "the kyso process is running");
      return Number(line.trim().split(/\s+/)[0]);
    };
    script.stdout.setEncoding("utf8").on("data", (d: string) => {
      output += d;
      if (!sent && /(PIN for|Mã PIN của) token "KYSO-DEMO": $/.test(output.replace(/\r/g, ""))) {
        sent = true;
        // Let the prompt switch to raw mode (it writes the question just before), then interrupt.
        setTimeout(() => interrupt(script, kysoPid), 300);
      }
    });
    script.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    script.on("error", reject);
    const timer = setTimeout(() => script.kill("SIGKILL"), 60_000);
    script.on("close", (code) => {
      clearTimeout(timer);
      const left = readdirSync(dir).filter((f) => f.endsWith(".pdf"));
      assert.deepEqual(left, ["doc.pdf"], "nothing was signed");
      resolve({ code, output: output.replace(/\r/g, "") });
    });
  });
}

describe("kyso sign: Ctrl-C at the PIN prompt", function () {
  before(function () {
    assert.ok(spawnSync("script", ["--version"]).status === 0, "util-linux script is installed");
    assert.ok(existsSync(kysoBin), "the CLI is built");
  });

  it("Ctrl-C typed in the terminal (vi): one Vietnamese line, exit 130, echo back on", async function () {
    const r = await signInPty({ LANG: "vi_VN.UTF-8", LC_ALL: "" }, (script) => script.stdin!.write("\u0003"));
    assert.equal(r.code, 130, r.output);
    const after = r.output.slice(r.output.indexOf('Mã PIN của token "KYSO-DEMO": '));
    assert.match(after, /^Mã PIN của token "KYSO-DEMO": \nkyso: Đã hủy: không ký tệp nào\n\ntty:echo\n$/);
  });

  it("SIGINT sent to kyso while it asks (en): one English line, exit 130, echo back on", async function () {
    const r = await signInPty({ LANG: "C.UTF-8", LC_ALL: "" }, (_script, pid) => process.kill(pid(), "SIGINT"));
    assert.equal(r.code, 130, r.output);
    const after = r.output.slice(r.output.indexOf('PIN for token "KYSO-DEMO": '));
    assert.match(after, /^PIN for token "KYSO-DEMO": \nkyso: Cancelled: nothing was signed\n\ntty:echo\n$/);
    assert.doesNotMatch(r.output, /[ăâđêôơưĩũ\u1EA0-\u1EF9]/u, "no Vietnamese in the English run");
  });
});
