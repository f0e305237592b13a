#!/usr/bin/env node
// The one exit point of the kyso command.
import { main } from "./main.js";

// Output to a closed pipe (`kyso certs list | head -1`) ends quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}).then(
  // Exit once stdout and stderr have drained: a large report piped to another program is never cut.
  (code) => process.stdout.write("", () => process.stderr.write("", () => process.exit(code))),
  (e) => {
    process.stderr.write(`kyso: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(70);
  },
);
