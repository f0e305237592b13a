import { spawn, type ChildProcess } from "node:child_process";
import { cliBin, repoRoot, tempDir } from "../verify/support.js";

export interface Served {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `kyso serve --port 0 ...` as a real process and waits for its URL. */
export function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    // Its own revocation cache and local trust store unless the test gives them.
    const isolated = { XDG_CACHE_HOME: tempDir("kyso-serve-cache-"), XDG_DATA_HOME: tempDir("kyso-serve-data-") };
    const proc = spawn(process.execPath, [cliBin, "serve", "--port", "0", ...args], { cwd: repoRoot, env: { ...process.env, ...isolated, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stderr!.on("data", (c) => (err += c));
    const timer = setTimeout(() => reject(new Error(`kyso serve did not start: ${err}`)), 20_000);
    proc.stdout!.on("data", (c) => {
      out += c;
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          proc,
          stderr: () => err,
          stop: () =>
            new Promise<void>((done) => {
              if (proc.exitCode !== null) return done();
              proc.once("exit", () => done());
              proc.kill("SIGTERM");
            }),
        });
      }
    });
    proc.once("exit", (code) => reject(new Error(`kyso serve exited ${code}: ${err}`)));
  });
}
