// Issue 14: "removing the token ends the session", for real. The spawned `kyso agent` signs with a
// private copy of the demo token (its own SOFTHSM2_CONF and token folder), keeps the session, and
// the token is then deleted under it with softhsm2-util --delete-token: the agent's watcher (every
// 2 s: CKF_TOKEN_PRESENT, then C_GetTokenInfo, which SoftHSM fails for a deleted token while the
// slot flag stays) closes the session on its own, before any further request.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pki, pkcs11Lib, spawnAgent, startDocsys, token, type RunningDocsys, type SpawnedAgent } from "@kyso/certs-test";
import { kysoBin } from "../support/cli.js";
import { pdfsig } from "../support/judges.js";
import { callAgent, siteJwt } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "kyso-agent-removal-"));

/** A private SoftHSM configuration with a copy of the demo token's folder. */
function privateToken(): string {
  const dir = join(work, "softhsm");
  mkdirSync(dir, { recursive: true });
  const source = /directories\.tokendir\s*=\s*(\S+)/.exec(readFileSync(process.env.SOFTHSM2_CONF as string, "utf8"))?.[1];
  assert.ok(source, "the demo token's folder in SOFTHSM2_CONF");
  cpSync(source, join(dir, "tokens"), { recursive: true });
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  return conf;
}

describe("kyso agent: deleting the token under a kept session ends it (SoftHSM, for real)", function () {
  let site: RunningDocsys;
  let agent: SpawnedAgent | undefined;
  after(async function () {
    await agent?.stop();
    await site?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("signs once, then softhsm2-util --delete-token: the agent logs 'token session closed: the token was removed' on its own; the next request finds no token", async function () {
    site = await startDocsys({ https: false });
    const jwt = await siteJwt(site);
    const conf = privateToken();
    const env: NodeJS.ProcessEnv = { ...process.env, SOFTHSM2_CONF: conf, KYSO_PKCS11_LIB: pkcs11Lib(), XDG_CONFIG_HOME: join(work, "config"), XDG_CACHE_HOME: join(work, "cache"), DISPLAY: "", WAYLAND_DISPLAY: "" };
    delete env.KYSO_PIN;
    agent = await spawnAgent({
      kysoBin,
      args: ["--no-tls", "--port", "0", "--allow-http", "--allow-origin", site.url, "--prompt", "page", "--lang", "en", "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--chain", pki.officerRsa.chain, "--trust", pki.root],
      env,
      pin: token.userPin,
    });
    const first = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/cong-van-01`, FileUploadHandler: `${site.url}/upload/cong-van-01` });
    assert.equal(first.Status, 0, JSON.stringify(first));
    const sigs = await pdfsig(site.uploads[0].path);
    assert.equal(sigs.length, 1);
    assert.ok(sigs[0].signatureValid, sigs[0].raw);
    assert.match(agent.stderr(), /token session opened: token "KYSO-DEMO"/);
    assert.doesNotMatch(agent.stderr(), /token session closed/, "the session is kept after the request");

    const del = spawnSync("softhsm2-util", ["--delete-token", "--token", token.label], { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: "utf8" });
    assert.equal(del.status, 0, del.stderr);
    // No request is made: the watcher alone must notice (the test's timeout bounds the wait).
    while (!/token session closed/.test(agent.stderr())) await new Promise((r) => setTimeout(r, 100));
    assert.match(agent.stderr(), /token session closed: the token was removed/);

    const second = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/cong-van-01`, FileUploadHandler: `${site.url}/upload/cong-van-01` });
    assert.notEqual(second.Status, 0, JSON.stringify(second));
    assert.equal(second.Code, "P11_TOKEN_NOT_FOUND", JSON.stringify(second));
    assert.equal(site.uploads.length, 1, "nothing more uploaded");
  });
});
