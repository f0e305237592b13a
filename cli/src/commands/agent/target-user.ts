import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { userInfo, hostname } from "node:os";
import { dirname } from "node:path";
import { KysoError } from "@kyso/core";
import { t } from "../../messages/index.js";

/**
 * The account `kyso agent install|uninstall|status` acts for: the caller, or with `--user NAME`
 * (root only) another account, whose files are then owned by it and whose NSS databases are
 * changed by `certutil` run as that user (`runuser -u NAME --`), never as root.
 */
export interface TargetUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** True when root acts for another account: commands go through runuser, files are chowned. */
  foreign: boolean;
}

/** `getent passwd NAME` → uid, gid, home (the NSS view: local files, LDAP, sssd alike). */
function lookup(name: string): { uid: number; gid: number; home: string } {
  const r = spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  const line = r.status === 0 ? r.stdout.split("\n")[0] : "";
  const f = line.split(":");
  if (f.length < 7) throw new KysoError("AGENT_USER_UNKNOWN", t("agent.err.userUnknown", { name }));
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
}

export function resolveTargetUser(requested: string | undefined, env: NodeJS.ProcessEnv): TargetUser {
  const me = userInfo();
  if (requested === undefined || requested === me.username) {
    return { name: me.username, uid: me.uid, gid: me.gid, home: env.HOME && env.HOME.startsWith("/") ? env.HOME : me.homedir, foreign: false };
  }
  if (me.uid !== 0) throw new KysoError("AGENT_USER_NOT_ROOT", t("agent.err.notRoot", { user: requested }));
  const u = lookup(requested);
  return { name: requested, ...u, foreign: true };
}

/** `user@host`, shown in the local CA's name so that a person can tell whose it is. */
export function ownerLabel(u: TargetUser): string {
  return `${u.name}@${hostname()}`;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a program as the target user (through runuser when root acts for someone else). */
export function runAs(u: TargetUser, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const baseEnv = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8", HOME: u.home, ...env };
  const r = u.foreign
    ? spawnSync("runuser", ["-u", u.name, "--", "env", ...Object.entries(baseEnv).map(([k, v]) => `${k}=${v}`), cmd, ...args], { encoding: "utf8" })
    : spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...baseEnv } });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new KysoError("AGENT_TOOL_MISSING", t(cmd === "certutil" ? "agent.err.toolMissingCertutil" : "agent.err.toolMissing", { cmd }), { cause: r.error });
    throw new KysoError("AGENT_TOOL_FAILED", t("agent.err.toolFailed", { cmd }), { cause: r.error });
  }
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/**
 * mkdir -p that gives every directory it creates (and `path` itself) to the target user, so that
 * root installing for NAME never leaves root-owned directories in NAME's home.
 */
export async function mkdirFor(u: TargetUser, path: string, mode = 0o700): Promise<void> {
  const missing: string[] = [];
  for (let p = path; p !== dirname(p); p = dirname(p)) {
    try {
      await fs.access(p);
      break;
    } catch {
      missing.unshift(p);
    }
  }
  for (const p of missing) {
    await fs.mkdir(p, { mode });
    if (u.foreign) await fs.chown(p, u.uid, u.gid);
  }
}

/** Gives a file written by root to the target user. */
export async function chownFor(u: TargetUser, path: string): Promise<void> {
  if (u.foreign) await fs.chown(path, u.uid, u.gid);
}
