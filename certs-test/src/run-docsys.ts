/**
 * Starts the demo document system: `node certs-test/dist/run-docsys.js [--port N] [--agent URL] [--http]`.
 * Prints its URL (the origin to allow in the agent) and runs until Ctrl-C. Test material only: the
 * site's certificate comes from the test PKI (`pnpm certs` first).
 */
import { parseArgs } from "node:util";
import { startDocsys } from "./docsys/server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8443" },
    agent: { type: "string", default: "wss://127.0.0.1:8987" },
    http: { type: "boolean", default: false },
  },
});
const site = await startDocsys({ port: Number(values.port), agentUrl: values.agent, https: !values.http });
process.stdout.write(
  `docsys ${site.url}\n` +
    `  start the agent with:  kyso agent --allow-origin ${site.url}${values.http ? " --no-tls" : ""}\n` +
    `  uploads are written to ${site.dataDir}/signed\n`,
);
const stop = (): void => void site.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
