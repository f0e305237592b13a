#!/usr/bin/env node
// The one exit point of the kyso command.
import { main } from "./main.js";

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`kyso: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(70);
  },
);
