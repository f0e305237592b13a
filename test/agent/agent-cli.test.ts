// Issue 14: the real `kyso agent` process (not startAgent in the test's process) against the demo
// document system on HTTPS with a certificate from the test PKI (a private CA for the agent):
// `--ca` (or the config key agent.caFiles) is what lets the plain CLI download from it and post the
// signed file back. The officer answers the agent's own /confirm page over HTTP (certs-test's
// spawnAgent); the page is played by the `ws` client with the site's Origin and JWT.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pki, pkcs11Lib, samples, softhsmConf, spawnAgent, startDocsys, token, type RunningDocsys, type SpawnedAgent } from "@kyso/certs-test";
import { kysoBin, runKyso } from "../support/cli.js";
import { pdfsig, qpdfCheck } from "../support/judges.js";
import { callAgent, siteJwt } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "kyso-agent-cli-"));
let n = 0;

/** A fresh user: its own config and cache folders, the demo token, no display, no PIN in the environment. */
function userEnv(): NodeJS.ProcessEnv {
  const home = join(work, `user-${++n}`);
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), XDG_CONFIG_HOME: join(home, "config"), XDG_CACHE_HOME: join(home, "cache"), DISPLAY: "", WAYLAND_DISPLAY: "" };
  delete env.KYSO_PIN;
  delete env.KYSO_AGENT_ALLOW_ORIGINS;
  return env;
}

const tokenArgs = ["--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--chain", pki.officerRsa.chain, "--trust", pki.root];

function pdftotext(file: string): string {
  return spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).stdout;
}

describe("kyso agent as a process, with the demo document system on a private CA (issue 14)", function () {
  let site: RunningDocsys;
  let jwt: string;
  const agents: SpawnedAgent[] = [];

  before(async function () {
    site = await startDocsys({ https: true });
    jwt = await siteJwt(site, readFileSync(pki.root));
  });

  after(async function () {
    for (const a of agents) await a.stop();
    await site?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("kyso agent --no-tls --port 0 --ca ROOT prints 'listening on ws://127.0.0.1:PORT'; SignApproved from the site: one pairing, one confirmation, one PIN, the upload valid in pdfsig with the signer's name", async function () {
    const agent = await spawnAgent({
      kysoBin,
      args: ["--no-tls", "--port", "0", "--ca", pki.root, "--allow-origin", site.url, "--prompt", "page", "--lang", "en", ...tokenArgs],
      env: userEnv(),
      pin: token.userPin,
    });
    agents.push(agent);
    assert.match(agent.stderr(), /^kyso agent: listening on ws:\/\/127\.0\.0\.1:\d+ /m);
    assert.ok(agent.port > 0 && agent.port !== 8987, `an ephemeral port, got ${agent.port}`);
    assert.equal(agent.url, `ws://127.0.0.1:${agent.port}`);

    const answer = await callAgent(agent.url, site.url, {
      FunctionName: "SignApproved",
      SessionId: "S-cli-1",
      JWTToken: jwt,
      FileName: `${site.url}/files/cong-van-01`,
      FileUploadHandler: `${site.url}/upload/cong-van-01`,
      MetaData: [{ Key: "title", Value: "CHUYÊN VIÊN" }],
    });
    assert.equal(answer.Status, 0, JSON.stringify(answer));
    assert.equal(answer.FunctionName, "SignApproved");
    assert.match(String(answer.FileServer), new RegExp(`^${site.url}/signed/cong-van-01\\.signed-1\\.pdf$`));

    assert.deepEqual(agent.answers.map((a) => a.kind), ["pair", "confirm", "pin"], "pairing, then one confirmation, then one PIN");
    assert.equal(agent.answers[1].operation, "SignApproved");
    assert.equal(agent.answers[1].documents, 1);
    assert.ok(agent.answers.every((a) => a.origin === site.url), "the site asking is the one shown");

    assert.equal(site.uploads.length, 1);
    const up = site.uploads[0];
    assert.equal(up.docId, "cong-van-01");
    assert.equal(up.authorized, true, "the upload carried the page's JWTToken");
    assert.equal(up.sessionId, "S-cli-1");
    const signed = readFileSync(up.path);
    const source = readFileSync(samples.onePage);
    assert.ok(signed.subarray(0, source.length).equals(source), "the source is a byte-identical prefix of the upload");
    const sigs = await pdfsig(up.path);
    assert.equal(sigs.length, 1, "pdfsig sees one signature");
    assert.ok(sigs[0].signatureValid, sigs[0].raw);
    assert.ok(sigs[0].certificateTrusted, sigs[0].raw);
    assert.ok(sigs[0].totalDocument, sigs[0].raw);
    assert.equal((await qpdfCheck(up.path)).code, 0);
    assert.match(pdftotext(up.path), /Nguyễn Văn An/, "the personal appearance carries the signer's name");
    assert.doesNotMatch(agent.stderr(), new RegExp(token.userPin), "the PIN is never written out");
  });

  it("without --ca the same agent cannot reach the site: Status 6 (download), nothing confirmed, no PIN asked, nothing uploaded", async function () {
    const before = site.uploads.length;
    const agent = await spawnAgent({
      kysoBin,
      args: ["--no-tls", "--port", "0", "--allow-origin", site.url, "--prompt", "page", "--lang", "en", ...tokenArgs],
      env: userEnv(),
      pin: token.userPin,
    });
    agents.push(agent);
    const answer = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/cong-van-01`, FileUploadHandler: `${site.url}/upload/cong-van-01` });
    assert.equal(answer.Status, 6, JSON.stringify(answer));
    assert.equal(answer.Code, "AGENT_DOWNLOAD_FAILED");
    assert.match(String(answer.Message), /certificate/i);
    assert.deepEqual(agent.answers.map((a) => a.kind), ["pair"], "no confirmation and no PIN for a document that never came");
    assert.equal(site.uploads.length, before);
  });

  it("the config key agent.caFiles (a path relative to the config file) does what --ca does: VerifyPDF downloads from the site", async function () {
    const dir = join(work, "cfg");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "province-root.pem"), readFileSync(pki.root));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ agent: { allowOrigins: [site.url], caFiles: ["province-root.pem"] } }));
    const agent = await spawnAgent({ kysoBin, args: ["--no-tls", "--port", "0", "--config", join(dir, "config.json"), "--prompt", "page", "--lang", "en", ...tokenArgs], env: userEnv(), pin: token.userPin });
    agents.push(agent);
    const answer = await callAgent(agent.url, site.url, { FunctionName: "VerifyPDF", JWTToken: jwt, FileName: `${site.url}/files/da-ky-01` });
    assert.equal(answer.Status, 0, JSON.stringify(answer).slice(0, 500));
    const report = answer.Report as { signatures?: unknown[] };
    assert.ok(Array.isArray(report.signatures) && report.signatures.length >= 1, "the report lists the already signed document's signature");
    assert.ok(!agent.answers.some((a) => a.kind === "pin"), "verifying asks no PIN");
  });

  it("a --ca file that cannot be read, and agent.caFiles of the wrong type, stop with a clear message (exit 2) before listening", async function () {
    const missing = await runKyso(["agent", "--no-tls", "--port", "0", "--ca", join(work, "nope.pem"), "--allow-origin", site.url, "--lang", "en", ...tokenArgs], { env: userEnv() });
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /Cannot read the CA certificate file .*nope\.pem \(--ca or agent\.caFiles\): ENOENT/);
    assert.doesNotMatch(missing.stderr, /listening on/);

    const empty = join(work, "not-a-certificate.pem");
    writeFileSync(empty, "not a certificate\n");
    const bad = await runKyso(["agent", "--no-tls", "--port", "0", "--ca", empty, "--allow-origin", site.url, "--lang", "vi", ...tokenArgs], { env: userEnv() });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /Tệp .*not-a-certificate\.pem \(--ca hoặc agent\.caFiles\) không chứa chứng thư số nào/);

    const cfg = join(work, "bad-config.json");
    writeFileSync(cfg, JSON.stringify({ agent: { allowOrigins: [site.url], caFiles: 42 } }));
    const wrong = await runKyso(["agent", "--no-tls", "--port", "0", "--config", cfg, "--lang", "en", ...tokenArgs], { env: userEnv() });
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /"caFiles" must be a path or a list of paths/);
  });
});
