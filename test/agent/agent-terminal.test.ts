// Issue 14: `kyso agent --prompt terminal` in a real pseudo-terminal (util-linux `script`, as
// test/cli-basics/pin-cancel.test.ts runs kyso sign): the officer answers y to the confirmation on
// the terminal and types the PIN without echo; one SignApproved completes and its upload is valid.
import { strict as assert } from "node:assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preparePairing } from "@kyso/agent";
import { pki, pkcs11Lib, softhsmConf, startDocsys, token, type RunningDocsys } from "@kyso/certs-test";
import { kysoBin } from "../support/cli.js";
import { pdfsig, qpdfCheck } from "../support/judges.js";
import { callAgent, siteJwt } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "kyso-agent-tty-"));
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Resolves once the terminal's output (carriage returns dropped) matches `re`. */
function waitFor(out: () => string, re: RegExp, child: ChildProcess): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = re.exec(out());
      if (m) {
        clearInterval(timer);
        resolve(m);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the agent ended before ${re}:\n${out()}`));
      }
    }, 50);
  });
}

describe("kyso agent --prompt terminal in a pseudo-terminal", function () {
  let site: RunningDocsys;
  let script: ChildProcess | undefined;
  before(function () {
    assert.ok(spawnSync("script", ["--version"]).status === 0, "util-linux script is installed");
  });
  after(async function () {
    if (script && script.exitCode === null) {
      script.kill("SIGTERM");
      await new Promise((r) => script!.once("close", r));
    }
    await site?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("y to the confirmation, the PIN typed without echo: one SignApproved completes, the upload valid in pdfsig; the PIN never shows", async function () {
    site = await startDocsys({ https: false });
    const jwt = await siteJwt(site);
    const config = join(work, "config");
    await preparePairing(join(config, "kyso", "agent", "pairing.json"), [site.url]);
    const agentArgs = [process.execPath, kysoBin, "agent", "--no-tls", "--port", "0", "--allow-http", "--allow-origin", site.url, "--prompt", "terminal", "--lang", "en",
      "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--chain", pki.officerRsa.chain, "--trust", pki.root];
    const env: NodeJS.ProcessEnv = { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), XDG_CONFIG_HOME: config, XDG_CACHE_HOME: join(work, "cache"), DISPLAY: "", WAYLAND_DISPLAY: "", TERM: "dumb" };
    delete env.KYSO_PIN;
    script = spawn("script", ["-qefc", agentArgs.map(q).join(" "), "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    script.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
    script.stderr!.setEncoding("utf8").on("data", (d: string) => (output += d));
    const out = (): string => output.replace(/\r/g, "");

    const port = Number((await waitFor(out, /\bws:\/\/127\.0\.0\.1:(\d+)\b/, script))[1]);
    const answer = callAgent(`ws://127.0.0.1:${port}`, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/cong-van-01`, FileUploadHandler: `${site.url}/upload/cong-van-01` });

    await waitFor(out, /Sign\? \[y\/N\] $/, script);
    assert.match(out(), new RegExp(`The site ${site.url.replace(/[.]/g, "\\.")} asks to SignApproved 1 document\\(s\\):\\n  - cong-van-01\\.pdf \\(1 pages, personal\\)`));
    script.stdin!.write("y\r");
    await waitFor(out, /PIN of token "KYSO-DEMO" \(asked by [^)]+\): $/, script);
    // The prompt switches the terminal to raw mode right after writing the question.
    await new Promise((r) => setTimeout(r, 300));
    script.stdin!.write(`${token.userPin}\r`);

    const result = await answer;
    assert.equal(result.Status, 0, JSON.stringify(result) + out());
    assert.equal(site.uploads.length, 1);
    const sigs = await pdfsig(site.uploads[0].path);
    assert.equal(sigs.length, 1);
    assert.ok(sigs[0].signatureValid, sigs[0].raw);
    assert.ok(sigs[0].certificateTrusted, sigs[0].raw);
    assert.equal((await qpdfCheck(site.uploads[0].path)).code, 0);
    assert.ok(!out().includes(token.userPin), `the PIN is not echoed:\n${out()}`);
  });
});
