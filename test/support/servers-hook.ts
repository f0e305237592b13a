// A mocha root hook: the test PKI's OCSP responder, CRLs, caIssuers and TSA stay up for the whole
// run on the port the certificates name, because verification checks revocation online by default.
// They run in a child process, so that a test blocked in a synchronous call (spawnSync of the CLI)
// does not block the servers its subprocess asks. A test that asks for its own servers on that
// port (startTestServers()) then shares these.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

let child: ChildProcess | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    const script = fileURLToPath(new URL("../../certs-test/dist/run-servers.js", import.meta.url));
    const proc = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      let out = "";
      proc.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("Kyso test servers on")) resolve();
      });
      proc.once("exit", (code) => {
        // EADDRINUSE: another run on this machine serves the same PKI; run-servers.js exits 0 then.
        if (code === 0) resolve();
        else reject(new Error(`the test servers did not start (exit ${code}): ${err.trim()}`));
      });
    });
  },
  async afterAll(): Promise<void> {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      await done;
    }
  },
};
