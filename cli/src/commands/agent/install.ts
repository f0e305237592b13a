/**
 * `kyso agent install|uninstall|status`: the agent as a user service with a trusted local
 * certificate. `kyso agent` (index.ts) loads this file only for these three actions.
 *
 * install: a new local CA and server certificate (packages/agent/src/local-ca.ts) in
 * `$XDG_CONFIG_HOME/kyso/agent/tls/`, the CA trusted in the user's NSS databases (Chromium,
 * Firefox profiles) and, as root, in the system store; a systemd user unit, enabled, started when
 * the user's manager runs. What it did is recorded in `kyso/agent/install.json` for uninstall and
 * status. Root may act for another account with `--user NAME`.
 */
import { existsSync, realpathSync } from "node:fs";
import { promises as fs } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { KysoError, isoVietnamTime } from "@kyso/core";
import { agentTlsPaths, configHomeOf, describeCertificateFile, issueLocalCa, normalizeOrigin, writeLocalCa, LOCAL_CA_NICKNAME } from "@kyso/agent";
import { defineCommand, type Io } from "../../command.js";
import { t } from "../../messages/index.js";
import { shownTime } from "../../time.js";
import { nssAddCa, nssDatabases, nssHasCa, nssRemoveCa, systemStore, systemStoreAdd, systemStoreFile, systemStoreRemove } from "./browser-trust.js";
import { chownFor, mkdirFor, ownerLabel, resolveTargetUser, type TargetUser } from "./target-user.js";
import { managerState, removeUnit, systemctlUser, unitPaths, unitText, writeUnit, UNIT_NAME, type ManagerState } from "./user-service.js";

export const DEFAULT_AGENT_PORT = 8987;

/** What install did, for uninstall and status (`$XDG_CONFIG_HOME/kyso/agent/install.json`). */
interface InstallRecord {
  version: 1;
  installedAt: string;
  user: string;
  port: number;
  allowedOrigins: string[];
  caFingerprint256: string;
  certificateNotAfter: string;
  nssDatabases: string[];
  systemStoreFile?: string;
  unit: string;
}

interface Where {
  user: TargetUser;
  configHome: string;
  tls: ReturnType<typeof agentTlsPaths>;
  unit: ReturnType<typeof unitPaths>;
  record: string;
}

function where(userFlag: string | undefined, env: NodeJS.ProcessEnv): Where {
  const user = resolveTargetUser(userFlag, env);
  // For another account its own ~/.config: root's XDG_CONFIG_HOME is not theirs.
  const configHome = user.foreign ? join(user.home, ".config") : configHomeOf(env, user.home);
  return { user, configHome, tls: agentTlsPaths(configHome), unit: unitPaths(configHome), record: join(configHome, "kyso", "agent", "install.json") };
}

async function readRecord(file: string): Promise<InstallRecord | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as InstallRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new KysoError("AGENT_INSTALL_RECORD", t("agent.err.installRecord", { file }), { cause: e });
  }
}

/**
 * The `kyso` this installation runs as: node and the script node was started with (cli/dist/bin.js,
 * also behind the /usr/local/bin/kyso shim), both absolute. Not import.meta.url: the CLI is bundled.
 */
function kysoEntry(): { node: string; script: string; docs?: string } {
  let script = process.argv[1] ? resolve(process.argv[1]) : "";
  try {
    script = realpathSync(script);
  } catch {
    /* kept as given */
  }
  const docs = resolve(script, "../../../docs/agent-security.md");
  return { node: process.execPath, script, docs: existsSync(docs) ? docs : undefined };
}

/** True when something accepts TCP connections on 127.0.0.1:port within a second. */
export function probePort(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: "127.0.0.1", port });
    const end = (ok: boolean): void => {
      s.destroy();
      done(ok);
    };
    s.setTimeout(timeoutMs, () => end(false));
    s.once("connect", () => end(true));
    s.once("error", () => end(false));
  });
}

interface InstallArgs {
  user?: string;
  /** Default 8987 (no yargs default: `kyso agent` merges this builder with status's). */
  port?: number;
  allowOrigin?: string[];
  systemStore: boolean;
  start: boolean;
}

export async function install(args: InstallArgs, io: Io, now = new Date()): Promise<number> {
  const w = where(args.user, io.env);
  const u = w.user;
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  const port = args.port ?? DEFAULT_AGENT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new KysoError("USAGE", t("agent.install.badPort", { port: String(port) }));
  const origins = (args.allowOrigin ?? []).map(normalizeOrigin);

  // 1. Certificates: a new CA every time (its key is gone after this call).
  const material = issueLocalCa({ owner: ownerLabel(u), now });
  await mkdirFor(u, w.tls.dir, 0o700);
  await writeLocalCa(w.tls, material);
  for (const f of [w.tls.dir, w.tls.cert, w.tls.key, w.tls.ca]) await chownFor(u, f);
  out(t("agent.install.tlsWritten", { dir: w.tls.dir, date: shownTime(material.notAfter) }));
  out(t("agent.install.caFingerprint", { fingerprint: material.caFingerprint256 }));

  // 2. Browsers: Chromium's database (created when missing), each Firefox profile.
  const dbs = nssDatabases(u);
  const trusted: string[] = [];
  await nssAddCa(u, dbs.chromium, w.tls.ca, true);
  trusted.push(dbs.chromium);
  out(t("agent.install.nssAdded", { db: dbs.chromium, browser: "Chromium/Chrome" }));
  for (const db of dbs.firefox) {
    await nssAddCa(u, db, w.tls.ca, false);
    trusted.push(db);
    out(t("agent.install.nssAdded", { db, browser: "Firefox" }));
  }
  if (dbs.firefox.length === 0) out(t("agent.install.noFirefox"));

  // 3. The system store, as root only.
  let systemFile: string | undefined;
  if (!args.systemStore) out(t("agent.install.systemSkipped"));
  else if (process.getuid?.() !== 0) out(t("agent.install.systemNotRoot"));
  else {
    const store = systemStore(io.env);
    systemFile = systemStoreFile(store, u);
    await systemStoreAdd(store, systemFile, material.caCertPem);
    out(t("agent.install.systemAdded", { file: systemFile }));
  }

  // 4. The user service.
  const entry = kysoEntry();
  await writeUnit(u, w.unit, unitText({ ...entry, port: port, allowedOrigins: origins, configHome: w.configHome, env: io.env }));
  out(t("agent.install.unitWritten", { file: w.unit.unit }));
  const state = managerState(u);
  if (state === "running" && args.start) {
    const reload = systemctlUser(u, ["daemon-reload"]);
    const start = reload.status === 0 ? systemctlUser(u, ["restart", UNIT_NAME]) : reload;
    if (start.status !== 0) out(t("agent.install.startFailed", { detail: start.out }));
    else out(t("agent.install.started", { port: port }));
  } else {
    out(state === "no-systemd" ? t("agent.install.noSystemd") : state === "running" ? t("agent.install.notStarted") : t("agent.install.managerNotRunning", { user: u.name }));
    out(t("agent.install.startByHand", { command: startCommand(port, origins) }));
  }
  if (origins.length === 0) out(t("agent.install.noOrigins"));

  // 5. The record.
  const record: InstallRecord = {
    version: 1,
    installedAt: isoVietnamTime(now),
    user: u.name,
    port: port,
    allowedOrigins: origins,
    caFingerprint256: material.caFingerprint256,
    certificateNotAfter: isoVietnamTime(material.notAfter),
    nssDatabases: trusted,
    ...(systemFile ? { systemStoreFile: systemFile } : {}),
    unit: w.unit.unit,
  };
  await fs.writeFile(w.record, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await chownFor(u, w.record);
  out(t("agent.install.done", { user: u.name, url: `wss://127.0.0.1:${port}` }));
  return 0;
}

function startCommand(port: number, origins: string[]): string {
  return ["kyso agent", ...(port === DEFAULT_AGENT_PORT ? [] : [`--port ${port}`]), ...origins.map((o) => `--allow-origin ${o}`)].join(" ");
}

interface UninstallArgs {
  user?: string;
  systemStore: boolean;
}

export async function uninstall(args: UninstallArgs, io: Io): Promise<number> {
  const w = where(args.user, io.env);
  const u = w.user;
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  const record = await readRecord(w.record);

  if (managerState(u) === "running" && existsSync(w.unit.unit)) systemctlUser(u, ["disable", "--now", UNIT_NAME]);
  if (await removeUnit(w.unit)) out(t("agent.uninstall.unitRemoved", { file: w.unit.unit }));
  if (managerState(u) === "running") systemctlUser(u, ["daemon-reload"]);

  const dbs = nssDatabases(u);
  for (const db of new Set([dbs.chromium, ...dbs.firefox, ...(record?.nssDatabases ?? [])])) {
    if (existsSync(join(db, "cert9.db")) && nssRemoveCa(u, db)) out(t("agent.uninstall.nssRemoved", { db }));
  }

  if (args.systemStore && process.getuid?.() === 0) {
    const store = systemStore(io.env);
    const file = record?.systemStoreFile ?? systemStoreFile(store, u);
    if (await systemStoreRemove(store, file)) out(t("agent.uninstall.systemRemoved", { file }));
  } else if (record?.systemStoreFile && existsSync(record.systemStoreFile)) {
    out(t("agent.uninstall.systemLeft", { file: record.systemStoreFile }));
  }

  let removedTls = false;
  for (const f of [w.tls.key, w.tls.cert, w.tls.ca]) {
    if (existsSync(f)) {
      await fs.rm(f);
      removedTls = true;
    }
  }
  await fs.rmdir(w.tls.dir).catch(() => undefined);
  if (removedTls) out(t("agent.uninstall.tlsRemoved", { dir: w.tls.dir }));
  await fs.rm(w.record, { force: true });
  out(record || removedTls ? t("agent.uninstall.done", { user: u.name }) : t("agent.uninstall.nothing", { user: u.name }));
  return 0;
}

interface StatusArgs {
  user?: string;
  port?: number;
  json?: boolean;
}

export async function status(args: StatusArgs, io: Io): Promise<number> {
  const w = where(args.user, io.env);
  const u = w.user;
  const record = await readRecord(w.record);
  const port = args.port ?? record?.port ?? DEFAULT_AGENT_PORT;
  const cert = await describeCertificateFile(w.tls.cert);
  const dbs = nssDatabases(u);
  const trustedIn = [dbs.chromium, ...dbs.firefox].filter((db) => nssHasCa(u, db));
  const state: ManagerState = managerState(u);
  const unitInstalled = existsSync(w.unit.unit);
  const active = state === "running" && unitInstalled ? systemctlUser(u, ["is-active", UNIT_NAME]).out === "active" : false;
  const listening = await probePort(port);
  const installed = !!record && unitInstalled && !!cert;
  const report = {
    user: u.name,
    installed,
    unit: unitInstalled ? w.unit.unit : null,
    serviceManager: state,
    serviceActive: active,
    listening,
    port,
    url: `wss://127.0.0.1:${port}`,
    allowedOrigins: record?.allowedOrigins ?? [],
    certificate: cert ? { file: w.tls.cert, subject: cert.subject, notAfter: isoVietnamTime(cert.notAfter), expired: cert.notAfter.getTime() < Date.now() } : null,
    localCa: record ? { nickname: LOCAL_CA_NICKNAME, fingerprint256: record.caFingerprint256, trustedIn, systemStoreFile: record.systemStoreFile ?? null } : null,
  };
  if (args.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return installed ? 0 : 1;
  }
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  if (!installed) out(record || cert || unitInstalled ? t("agent.status.partly", { user: u.name }) : t("agent.status.notInstalled", { user: u.name }));
  else if (active) out(t("agent.status.runningService", { port }));
  else if (listening) out(t("agent.status.runningNotService", { port }));
  else out(state === "running" ? t("agent.status.stopped") : t("agent.status.installedNoService"));
  if (!installed && listening) out(t("agent.status.listening", { port }));
  if (unitInstalled) out(t("agent.status.unit", { file: w.unit.unit }));
  if (cert) out(t(report.certificate?.expired ? "agent.status.certExpired" : "agent.status.cert", { file: w.tls.cert, date: shownTime(cert.notAfter) }));
  if (record) {
    out(t("agent.status.origins", { origins: record.allowedOrigins.length ? record.allowedOrigins.join(", ") : "—" }));
    out(t("agent.status.trustedIn", { dbs: trustedIn.length ? trustedIn.join(", ") : "—" }));
  }
  return installed ? 0 : 1;
}

export const installCommand = defineCommand<InstallArgs>({
  command: "install",
  describe: t("agent.install.describe"),
  builder: (y) =>
    y
      .option("user", { type: "string", describe: t("agent.install.opt.user") })
      .option("port", { type: "number", describe: t("agent.install.opt.port") })
      .option("allow-origin", { type: "string", array: true, describe: t("agent.install.opt.allowOrigin") })
      .option("system-store", { type: "boolean", default: true, describe: t("agent.install.opt.systemStore") })
      .option("start", { type: "boolean", default: true, describe: t("agent.install.opt.start") }) as never,
  run: (args, io) => install(args, io),
});

export const uninstallCommand = defineCommand<UninstallArgs>({
  command: "uninstall",
  describe: t("agent.uninstall.describe"),
  builder: (y) =>
    y
      .option("user", { type: "string", describe: t("agent.install.opt.user") })
      .option("system-store", { type: "boolean", default: true, describe: t("agent.install.opt.systemStore") }) as never,
  run: (args, io) => uninstall(args, io),
});

export const statusCommand = defineCommand<StatusArgs>({
  command: "status",
  describe: t("agent.status.describe"),
  builder: (y) =>
    y
      .option("user", { type: "string", describe: t("agent.install.opt.user") })
      .option("port", { type: "number", describe: t("agent.status.opt.port") })
      .option("json", { type: "boolean", default: false, describe: t("agent.status.opt.json") }) as never,
  run: (args, io) => status(args, io),
});

/** The three service actions, for `kyso agent`'s dispatcher. */
export const agentServiceCommands = [installCommand, uninstallCommand, statusCommand];
