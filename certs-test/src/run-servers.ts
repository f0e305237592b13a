/**
 * Runs the test PKI's TSA, OCSP responder and CRL server on 127.0.0.1 (the port the certificates
 * name, chosen when the PKI was generated) and the CSC API v2.0 remote-signing test server (a free
 * port, or KYSO_TEST_CSC_PORT) until interrupted, for the test runs, the demo and manual checks:
 * `node certs-test/dist/run-servers.js` (test material only). It prints one line per service; the
 * CSC server's is `csc http://127.0.0.1:PORT/csc/v2` (or `csc unavailable: REASON`). When another
 * process already serves the same PKI on that port, only the CSC server runs here.
 */
import { startCscServer, type CscServer } from "./csc/server.js";
import { startTestServers } from "./servers.js";

const servers = await startTestServers();
let csc: CscServer | undefined;
let cscLine: string;
try {
  const port = Number(process.env.KYSO_TEST_CSC_PORT ?? 0);
  csc = await startCscServer({ port: Number.isInteger(port) && port > 0 ? port : 0 });
  cscLine = `csc ${csc.url}`;
} catch (e) {
  cscLine = `csc unavailable: ${(e as Error).message.replace(/\s+/g, " ")}`;
  process.stderr.write(`${cscLine}\n`);
}
// One write, so that a reader waiting for the banner gets the csc line with it.
process.stdout.write(
  (servers.foreign
    ? [`Kyso test servers already run on ${servers.base} (another process); only the CSC server runs here`, cscLine, ""]
    : [
        `Kyso test servers on ${servers.base} (test PKI only; Ctrl-C to stop)`,
        `  TSA   ${servers.tsaUrl}      (export KYSO_TSA_URL=${servers.tsaUrl})`,
        `  OCSP  ${servers.ocspUrl}`,
        `  CRLs  ${servers.base}/crl/intermediate.crl, ${servers.base}/crl/root.crl`,
        `  CA    ${servers.base}/certs/intermediate.cer`,
        cscLine,
        "",
      ]
  ).join("\n"),
);
if (servers.foreign && !csc) process.exit(0);
const stop = (): void => {
  // nothing else keeps the process alive
  void servers.close();
  void csc?.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
