/**
 * Runs the test PKI's TSA, OCSP responder and CRL server on 127.0.0.1:18731 until interrupted, for
 * the demo and manual checks: `node certs-test/dist/run-servers.js` (test material only).
 */
import { startTestServers } from "./servers.js";

const servers = await startTestServers();
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
