/**
 * Runs the test PKI's TSA, OCSP responder and CRL server on 127.0.0.1 (the port the certificates
 * name, chosen when the PKI was generated) until interrupted, for the test runs, the demo and
 * manual checks: `node certs-test/dist/run-servers.js` (test material only). When another process
 * already serves the same PKI on that port, it says so and exits 0.
 */
import { startTestServers } from "./servers.js";

const servers = await startTestServers();
if (servers.foreign) {
  process.stdout.write(`Kyso test servers already run on ${servers.base} (another process); nothing to do\n`);
  process.exit(0);
}
process.stdout.write(
  [
    `Kyso test servers on ${servers.base} (test PKI only; Ctrl-C to stop)`,
    `  TSA   ${servers.tsaUrl}      (export KYSO_TSA_URL=${servers.tsaUrl})`,
    `  OCSP  ${servers.ocspUrl}`,
    `  CRLs  ${servers.base}/crl/intermediate.crl, ${servers.base}/crl/root.crl`,
    `  CA    ${servers.base}/certs/intermediate.cer`,
    "",
  ].join("\n"),
);
const stop = (): void => {
  void servers.close(); // nothing else keeps the process alive
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
