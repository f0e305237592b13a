// Acceptance 3 of issue 14: `kyso agent install` as root for a user leaves a user service and a
// local certificate that the user's Chromium trusts (wss:// opens without a certificate error), and
// `uninstall` removes both. Runs as root (useradd, runuser); the system store is a private tree
// given to update-ca-certificates, so the machine's own store is never touched.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { pki, startDocsys, type RunningDocsys } from "@kyso/certs-test";
import { runKyso } from "../support/cli.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Chromium reading its NSS database from `home` (~/.pki/nssdb), as the user's own browser does. */
function chromiumWithHome(home: string): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", env: { ...process.env, HOME: home }, args: CHROMIUM_ARGS });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port });
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the agent did not listen on ${port}: ${log()}`);
}

function certutilList(user: string, home: string): { status: number; out: string } {
  const r = spawnSync("runuser", ["-u", user, "--", "certutil", "-L", "-d", `sql:${join(home, ".pki", "nssdb")}`, "-n", "Kyso Agent Local CA"], { encoding: "utf8" });
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** The page's WebSocket to the agent: "open" or "error" (a certificate error fails the handshake). */
async function wsFromPage(browser: Browser, pageUrl: string, wsUrl: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(pageUrl);
    return await page.evaluate(
      (u) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(u);
          ws.onopen = () => (ws.close(), resolve("open"));
          ws.onerror = () => resolve("error");
        }),
      wsUrl,
    );
  } finally {
    await page.close();
  }
}

describe("kyso agent install / status / uninstall for a user, as root (acceptance 3)", function () {
  const user = `kysoag${process.pid % 100000}`;
  const home = `/home/${user}`;
  const work = mkdtempSync(join(tmpdir(), "kyso-agent-install-"));
  const store = { local: join(work, "local"), etc: join(work, "etc"), share: join(work, "share"), hooks: join(work, "hooks"), conf: join(work, "ca-certificates.conf") };
  const env: NodeJS.ProcessEnv = {
    KYSO_AGENT_CA_DIR: store.local,
    KYSO_AGENT_UPDATE_CA: `update-ca-certificates --localcertsdir ${store.local} --etccertsdir ${store.etc} --certsconf ${store.conf} --certsdir ${store.share} --hooksdir ${store.hooks}`,
    KYSO_LANG: "en",
  };
  let port: number;
  let site: RunningDocsys;
  let agent: ChildProcess | undefined;
  let agentLog = "";

  before(async function () {
    assert.equal(process.getuid?.(), 0, "this test installs for another account and must run as root");
    spawnSync("userdel", ["-r", user]);
    const r = spawnSync("useradd", ["-m", "-s", "/bin/sh", user], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    for (const d of [store.local, store.etc, store.share, store.hooks]) mkdirSync(d, { recursive: true });
    writeFileSync(store.conf, "");
    // Another local certificate, as a real store has: the bundle must keep it and lose only ours.
    writeFileSync(join(store.local, "other.crt"), readFileSync(pki.root, "utf8"));
    port = await freePort();
    // A document system on http://127.0.0.1 (a secure context): the page whose WebSocket must open.
    site = await startDocsys({ https: false });
  });

  after(async function () {
    if (agent && agent.exitCode === null) agent.kill("SIGTERM");
    await site?.close();
    spawnSync("userdel", ["-r", user]);
    rmSync(work, { recursive: true, force: true });
  });

  it("install writes the unit and 0600 certificate files owned by the user, trusts the CA in the user's NSS database and the system store", async function () {
    const r = await runKyso(["agent", "install", "--user", user, "--port", String(port), "--allow-origin", site.url], { env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const unit = join(home, ".config", "systemd", "user", "kyso-agent.service");
    const text = readFileSync(unit, "utf8");
    assert.match(text, new RegExp(`^ExecStart=${process.execPath.replace(/[/.]/g, "\\$&")} \\S+/cli/dist/bin\\.js agent --port ${port} --allow-origin ${site.url.replace(/[/.:]/g, "\\$&")}$`, "m"));
    assert.match(text, /^Restart=on-failure$/m);
    assert.match(text, /^WantedBy=default\.target$/m);
    assert.doesNotMatch(text, /PIN|123456/i, "no PIN in the unit");
    assert.ok(lstatSync(join(home, ".config", "systemd", "user", "default.target.wants", "kyso-agent.service")).isSymbolicLink(), "enabled for the next login");
    const uid = Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
    for (const f of ["agent.pem", "agent.key.pem", "ca.pem"]) {
      const st = statSync(join(home, ".config", "kyso", "agent", "tls", f));
      assert.equal(st.mode & 0o777, 0o600, `${f} is 0600`);
      assert.equal(st.uid, uid, `${f} belongs to ${user}`);
    }
    assert.equal(statSync(join(home, ".pki", "nssdb", "cert9.db")).uid, uid, "the NSS database was made by the user, not root");
    const listed = certutilList(user, home);
    assert.equal(listed.status, 0, listed.out);
    assert.match(listed.out, /Kyso Agent Local CA/);
    // The CA: name-constrained to the loopback, no sub-CA, and the same in the system store.
    const ca = readFileSync(join(home, ".config", "kyso", "agent", "tls", "ca.pem"), "utf8");
    const dump = spawnSync("openssl", ["x509", "-noout", "-text"], { input: ca, encoding: "utf8" }).stdout;
    assert.match(dump, /Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+IP:127\.0\.0\.1\/255\.255\.255\.255/);
    assert.match(dump, /CA:TRUE, pathlen:0/);
    const bundle = readFileSync(join(store.etc, "ca-certificates.crt"), "utf8");
    assert.ok(bundle.includes(ca.split("\n").slice(1, 4).join("\n")), "update-ca-certificates put the CA in the bundle");
    assert.match(r.stdout, new RegExp(`kyso-agent-local-ca-${user}\\.crt`));
  });

  it("the unit's command, run as the user, serves wss:// that the user's Chromium opens without a certificate error (and an empty profile does not)", async function () {
    const unit = readFileSync(join(home, ".config", "systemd", "user", "kyso-agent.service"), "utf8");
    const exec = /^ExecStart=(.*)$/m.exec(unit)![1].split(" ");
    const vars = [...unit.matchAll(/^Environment=(.*)$/gm)].map((m) => m[1]);
    // What systemd would do: the command as the user, with the unit's environment (and a PKCS#11
    // module, which the service needs only to sign).
    agent = spawn("runuser", ["-u", user, "--", "env", `HOME=${home}`, ...vars, `KYSO_PKCS11_LIB=${process.env.KYSO_PKCS11_LIB ?? ""}`, `SOFTHSM2_CONF=${process.env.SOFTHSM2_CONF ?? ""}`, ...exec], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    agent.stdout!.on("data", (d) => (agentLog += d));
    agent.stderr!.on("data", (d) => (agentLog += d));
    await waitForPort(port, agent, () => agentLog);

    const browser = await chromiumWithHome(home);
    try {
      const page = await browser.newPage();
      const res = await page.goto(`https://127.0.0.1:${port}/confirm`);
      assert.equal(res?.status(), 200);
      assert.equal(page.url(), `https://127.0.0.1:${port}/confirm`, "no interstitial, no chrome-error://");
      assert.match(await page.title(), /Kyso/);
      await page.close();
      assert.equal(await wsFromPage(browser, site.url, `wss://127.0.0.1:${port}`), "open");
    } finally {
      await browser.close();
    }
    // The control: a profile that does not trust the local CA cannot connect.
    const emptyHome = mkdtempSync(join(work, "home-"));
    const stranger = await chromiumWithHome(emptyHome);
    try {
      assert.equal(await wsFromPage(stranger, site.url, `wss://127.0.0.1:${port}`), "error");
      await assert.rejects(stranger.newPage().then((p) => p.goto(`https://127.0.0.1:${port}/confirm`)), /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await stranger.close();
    }
  });

  it("status says installed, listening, until when the certificate is valid and which sites may call", async function () {
    const r = await runKyso(["agent", "status", "--user", user, "--json"], { env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const s = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(s.installed, true);
    assert.equal(s.listening, true, `agent exit ${agent?.exitCode}: ${agentLog}`);
    assert.equal(s.port, port);
    assert.deepEqual(s.allowedOrigins, [site.url]);
    assert.equal(s.serviceManager, existsSync("/run/systemd/system") ? s.serviceManager : "no-systemd");
    assert.match(s.certificate.notAfter, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$/);
    assert.ok(new Date(s.certificate.notAfter).getTime() > Date.now() + 9 * 365 * 86400_000, "about ten years");
    assert.deepEqual(s.localCa.trustedIn, [join(home, ".pki", "nssdb")]);
    const human = await runKyso(["agent", "status", "--user", user, "--lang", "vi"], { env: { ...env, KYSO_LANG: "vi" } });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Đã cài đặt/);
    assert.match(human.stdout, new RegExp(`Các trang được phép: ${site.url.replace(/[/.:]/g, "\\$&")}`));
  });

  it("uninstall removes the unit, the CA from the NSS database and the system store, and the certificate files; Chromium then refuses the agent", async function () {
    const r = await runKyso(["agent", "uninstall", "--user", user], { env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(existsSync(join(home, ".config", "systemd", "user", "kyso-agent.service")), false);
    assert.equal(existsSync(join(home, ".config", "systemd", "user", "default.target.wants", "kyso-agent.service")), false);
    assert.notEqual(certutilList(user, home).status, 0, "certutil -L no longer lists the CA");
    for (const f of ["agent.pem", "agent.key.pem", "ca.pem"]) assert.equal(existsSync(join(home, ".config", "kyso", "agent", "tls", f)), false);
    assert.equal(existsSync(join(store.local, `kyso-agent-local-ca-${user}.crt`)), false);
    const bundle = readFileSync(join(store.etc, "ca-certificates.crt"), "utf8");
    assert.equal(bundle.match(/BEGIN CERTIFICATE/g)?.length, 1, "only the other certificate is left in the bundle");
    assert.ok(bundle.includes(readFileSync(pki.root, "utf8").split("\n")[1]));
    // The agent still runs with the old certificate: the user's browser no longer trusts it.
    const browser = await chromiumWithHome(home);
    try {
      assert.equal(await wsFromPage(browser, site.url, `wss://127.0.0.1:${port}`), "error");
    } finally {
      await browser.close();
    }
    const s = await runKyso(["agent", "status", "--user", user, "--json"], { env });
    assert.equal(s.code, 1);
    assert.equal(JSON.parse(s.stdout).installed, false);
  });
});
