import { existsSync } from "node:fs";
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { chownFor, mkdirFor, runAs, type TargetUser } from "./target-user.js";

/**
 * The agent as a systemd user service (`~/.config/systemd/user/kyso-agent.service`). Enabling is
 * the `default.target.wants` link `systemctl --user enable` would make, written directly, so that
 * it also works when the user's manager is not running (root installing for someone who is not
 * logged in; a machine booted without systemd): the service starts at the next login.
 */

export const UNIT_NAME = "kyso-agent.service";

export interface UnitPaths {
  dir: string;
  unit: string;
  wants: string;
}

export function unitPaths(configHome: string): UnitPaths {
  const dir = join(configHome, "systemd", "user");
  return { dir, unit: join(dir, UNIT_NAME), wants: join(dir, "default.target.wants", UNIT_NAME) };
}

/** Variables worth carrying into the service (where the token's middleware is); never a PIN or secret. */
const CARRIED = ["KYSO_PKCS11_LIB", "SOFTHSM2_CONF", "KYSO_CONFIG", "KYSO_LANG", "KYSO_TOKEN_LABEL", "KYSO_KEY_LABEL"] as const;

/** systemd's quoting (systemd.syntax(7)): double quotes, with \ and " escaped; % doubled (specifiers). */
function quote(arg: string): string {
  const s = arg.replace(/%/g, "%%");
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export interface UnitOptions {
  node: string;
  script: string;
  port: number;
  allowedOrigins: string[];
  configHome: string;
  /** docs/agent-security.md of this installation, when it exists. */
  docs?: string;
  /** The installing environment: CARRIED variables are copied from it. */
  env: NodeJS.ProcessEnv;
}

export function unitText(o: UnitOptions): string {
  const exec = [o.node, o.script, "agent", "--port", String(o.port), ...o.allowedOrigins.flatMap((x) => ["--allow-origin", x])].map(quote).join(" ");
  const envLines = [`XDG_CONFIG_HOME=${o.configHome}`, ...CARRIED.filter((k) => o.env[k]).map((k) => `${k}=${o.env[k]}`)]
    .filter((l) => !/PIN|PASSWORD|SECRET/i.test(l.split("=")[0]))
    .map((l) => `Environment=${quote(l)}`);
  return `# Written by "kyso agent install"; removed by "kyso agent uninstall".
[Unit]
Description=Kyso signing agent for web document systems (127.0.0.1:${o.port})
${o.docs ? `Documentation=file://${o.docs}\n` : ""}
[Service]
Type=simple
ExecStart=${exec}
${envLines.join("\n")}
Restart=on-failure
RestartSec=5
NoNewPrivileges=yes

[Install]
WantedBy=default.target
`;
}

export async function writeUnit(u: TargetUser, paths: UnitPaths, text: string): Promise<void> {
  await mkdirFor(u, join(paths.dir, "default.target.wants"), 0o755);
  const tmp = `${paths.unit}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o644 });
  await chownFor(u, tmp);
  await fs.rename(tmp, paths.unit);
  await fs.rm(paths.wants, { force: true });
  await fs.symlink(paths.unit, paths.wants);
  if (u.foreign) await fs.lchown(paths.wants, u.uid, u.gid);
}

export async function removeUnit(paths: UnitPaths): Promise<boolean> {
  const had = existsSync(paths.unit);
  await fs.rm(paths.wants, { force: true });
  await fs.rm(paths.unit, { force: true });
  return had;
}

/** Where systemd stands for this user: not booted with systemd, booted but no user manager, or running. */
export type ManagerState = "no-systemd" | "not-running" | "running";

export function managerState(u: TargetUser): ManagerState {
  // sd_booted(3): /run/systemd/system exists only when systemd is PID 1.
  if (!existsSync("/run/systemd/system")) return "no-systemd";
  return existsSync(`/run/user/${u.uid}/systemd/private`) ? "running" : "not-running";
}

function userEnv(u: TargetUser): NodeJS.ProcessEnv {
  return { XDG_RUNTIME_DIR: `/run/user/${u.uid}`, DBUS_SESSION_BUS_ADDRESS: `unix:path=/run/user/${u.uid}/bus` };
}

/** `systemctl --user ARGS` as the user; the exit status and what it printed. */
export function systemctlUser(u: TargetUser, args: string[]): { status: number; out: string } {
  const r = runAs(u, "systemctl", ["--user", ...args], userEnv(u));
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}
