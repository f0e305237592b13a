/** The scale-out tests' deployment: deploy/run-local.sh (nginx in front of N `kyso serve` replicas on one PostgreSQL). */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, tempDir } from "../verify/support.js";

export interface Replica {
  n: number;
  pid: number;
  port: number;
}

export interface Deployment {
  /** nginx's URL: the one address clients use. */
  url: string;
  /** run-local.sh's folder: nginx.conf, access.log, error.log, replica-<n>.log. */
  dir: string;
  replicas: Replica[];
  nginxPid: number;
  proc: ChildProcess;
  /** A replica's log (its stderr: JSON lines). */
  log(n: number): string;
  /** SIGTERM to run-local.sh, which stops nginx and the replicas; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts deploy/run-local.sh on the database `db` (postgres://) and waits for "kyso: ready URL".
 * The replicas get `serveArgs` and an isolated revocation cache and data folder.
 */
export async function deploy(db: string, replicas: number, serveArgs: string[]): Promise<Deployment> {
  const dir = tempDir("kyso-scale-");
  const env = { ...process.env, XDG_CACHE_HOME: tempDir("kyso-scale-cache-"), XDG_DATA_HOME: tempDir("kyso-scale-data-") };
  const proc = spawn("bash", [join(repoRoot, "deploy/run-local.sh"), "--replicas", String(replicas), "--db", db, "--dir", dir, "--", ...serveArgs], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (c) => (err += c));
  const exited = new Promise<void>((done) => proc.once("exit", () => done()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`run-local.sh not ready in 60 s: ${err}`)), 60_000);
    proc.stdout!.on("data", (c) => {
      out += c;
      const m = /kyso: ready (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`run-local.sh exited ${code}: ${err}`));
    });
  });
  const state = readFileSync(join(dir, "state"), "utf8").trim().split("\n").map((l) => l.split(" "));
  const reps = state.filter((f) => f[0] === "replica").map((f) => ({ n: Number(f[1]), pid: Number(f[2]), port: Number(f[3]) }));
  const nginx = state.find((f) => f[0] === "nginx")!;
  return {
    url,
    dir,
    replicas: reps,
    nginxPid: Number(nginx[1]),
    proc,
    log: (n) => readFileSync(join(dir, `replica-${n}.log`), "utf8"),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** Whether a process is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The port of the replica that answered last (nginx's X-Kyso-Replica: "addr, addr" when it tried several). */
export function answeredBy(res: Response): number | undefined {
  const v = res.headers.get("x-kyso-replica");
  const last = v?.split(",").pop()?.trim();
  const m = last ? /:(\d+)$/.exec(last) : null;
  return m ? Number(m[1]) : undefined;
}

/** Runs `task` over `items` with `concurrency` workers. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i], i);
      }
    }),
  );
}
