// A mocha root hook: the test PKI's OCSP responder, CRLs, caIssuers and TSA stay up for the whole
// run on the port the certificates name, because verification checks revocation online by default.
// They run in a child process, so that a test blocked in a synchronous call (spawnSync of the CLI)
// does not block the servers its subprocess asks. A test that asks for its own servers on that
// port (startTestServers()) then shares these. The same child runs the CSC API test server on a free
// port; its URL (the `csc URL` line) is put in KYSO_TEST_CSC_URL for the tests and their children.
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
        // run-servers.js prints its banner and the `csc …` line in one write, the csc line last.
        const csc = /^csc (\S+)/m.exec(out);
        if (csc && /^csc .*\n/m.test(out)) {
          if (csc[1].startsWith("http")) process.env.KYSO_TEST_CSC_URL = csc[1];
          resolve();
        } else if (!csc && /^ {2}CA .*\n/m.test(out)) {
          resolve(); // a run-servers.js built before the CSC server: its banner ends with the CA line
        }
      });
      proc.once("exit", (code) => {
        // Exit 0: another run on this machine serves the same PKI and the CSC server could not start.
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
