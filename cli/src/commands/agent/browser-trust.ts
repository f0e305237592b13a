import { existsSync, readdirSync } from "node:fs";
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { KysoError } from "@kyso/core";
import { t } from "../../messages/index.js";
import { LOCAL_CA_NICKNAME } from "@kyso/agent";
import { mkdirFor, runAs, type TargetUser } from "./target-user.js";

/**
 * Trust for the agent's local CA where browsers look for it on Linux: NSS databases (Chromium and
 * Chrome read `~/.pki/nssdb`, Firefox each profile's `cert9.db`), and the system store
 * (`update-ca-certificates`, for curl, Node with --use-openssl-ca, and other OpenSSL clients).
 * Trust flags `C,,`: a CA trusted to issue TLS server certificates, nothing else (no e-mail, no
 * code signing).
 */

export const TRUST_FLAGS = "C,,";

/** Chromium's database, and every Firefox profile (plain and snap) that has an SQL database. */
export function nssDatabases(u: TargetUser): { chromium: string; firefox: string[] } {
  const firefox: string[] = [];
  for (const base of [join(u.home, ".mozilla", "firefox"), join(u.home, "snap", "firefox", "common", ".mozilla", "firefox")]) {
    let names: string[] = [];
    try {
      names = readdirSync(base);
    } catch {
      continue;
    }
    for (const n of names) if (/\.default/.test(n) && existsSync(join(base, n, "cert9.db"))) firefox.push(join(base, n));
  }
  return { chromium: join(u.home, ".pki", "nssdb"), firefox };
}

function certutil(u: TargetUser, args: string[]): { status: number; out: string } {
  const r = runAs(u, "certutil", args);
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/** True when the database lists the CA's nickname. */
export function nssHasCa(u: TargetUser, db: string): boolean {
  if (!existsSync(join(db, "cert9.db"))) return false;
  return certutil(u, ["-L", "-d", `sql:${db}`, "-n", LOCAL_CA_NICKNAME]).status === 0;
}

/** Removes every certificate under the CA's nickname (an earlier install's included). */
export function nssRemoveCa(u: TargetUser, db: string): boolean {
  let removed = false;
  for (let i = 0; i < 10 && nssHasCa(u, db); i++) {
    const r = certutil(u, ["-D", "-d", `sql:${db}`, "-n", LOCAL_CA_NICKNAME]);
    if (r.status !== 0) throw new KysoError("AGENT_NSS_FAILED", t("agent.err.nssRemove", { nickname: LOCAL_CA_NICKNAME, db, out: r.out }));
    removed = true;
  }
  return removed;
}

/**
 * Adds the CA to one NSS database, replacing an earlier one of the same nickname. Chromium's
 * database is created (empty password, as Chromium itself would) when missing.
 */
export async function nssAddCa(u: TargetUser, db: string, caFile: string, create: boolean): Promise<void> {
  if (!existsSync(join(db, "cert9.db"))) {
    if (!create) throw new KysoError("AGENT_NSS_MISSING", t("agent.err.nssMissing", { db }));
    await mkdirFor(u, db, 0o700);
    const r = certutil(u, ["-N", "-d", `sql:${db}`, "--empty-password"]);
    if (r.status !== 0) throw new KysoError("AGENT_NSS_FAILED", t("agent.err.nssCreate", { db, out: r.out }));
  }
  nssRemoveCa(u, db);
  const r = certutil(u, ["-A", "-d", `sql:${db}`, "-t", TRUST_FLAGS, "-n", LOCAL_CA_NICKNAME, "-i", caFile]);
  if (r.status !== 0) throw new KysoError("AGENT_NSS_FAILED", t("agent.err.nssAdd", { db, out: r.out }));
}

/**
 * The system store: Debian's `/usr/local/share/ca-certificates/` and `update-ca-certificates`.
 * KYSO_AGENT_CA_DIR and KYSO_AGENT_UPDATE_CA (a command line, split on spaces) replace them, so
 * that packagers and tests can point at another tree (update-ca-certificates takes
 * --localcertsdir/--etccertsdir/--certsconf/--certsdir/--hooksdir).
 */
export interface SystemStore {
  dir: string;
  update: string[];
}

export function systemStore(env: NodeJS.ProcessEnv): SystemStore {
  return {
    dir: env.KYSO_AGENT_CA_DIR || "/usr/local/share/ca-certificates",
    update: (env.KYSO_AGENT_UPDATE_CA || "update-ca-certificates").split(" ").filter(Boolean),
  };
}

/** One file per user: several officers on one machine each have their own CA. */
export function systemStoreFile(store: SystemStore, u: TargetUser): string {
  return join(store.dir, `kyso-agent-local-ca-${u.name.replace(/[^A-Za-z0-9_.-]/g, "_")}.crt`);
}

function runUpdate(store: SystemStore, fresh = false): void {
  // --fresh on removal: without it the bundle keeps a certificate whose file was deleted.
  const [cmd, ...args] = [...store.update, ...(fresh ? ["--fresh"] : [])];
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error || r.status !== 0)
    throw new KysoError("AGENT_SYSTEM_STORE_FAILED", t("agent.err.systemStore", { command: store.update.join(" "), detail: (r.stderr || r.stdout || String(r.error ?? "")).trim() }), { cause: r.error });
}

export async function systemStoreAdd(store: SystemStore, file: string, caPem: string): Promise<void> {
  await fs.mkdir(store.dir, { recursive: true, mode: 0o755 });
  await fs.writeFile(file, caPem, { mode: 0o644 });
  runUpdate(store);
}

/** Removes the file and refreshes the store; false when there was nothing to remove. */
export async function systemStoreRemove(store: SystemStore, file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  runUpdate(store, true);
  return true;
}
