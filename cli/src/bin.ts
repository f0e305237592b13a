#!/usr/bin/env node
// The one exit point of the kyso command.
import { existsSync } from "node:fs";
import nodeModule from "node:module";
import { fileURLToPath } from "node:url";

// Node >= 22.1 keeps compiled code between runs (a cache folder that cannot be written is simply not
// used); Node 20 has no such cache for ES modules, and this does nothing there.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// The bundle `pnpm build` writes (cli/scripts/bundle.mjs): main.js and its chunks load much faster
// than the workspace's hundreds of modules. Its CommonJS copy (bundle/cjs) runs through
// bundle/loader.cjs, which keeps V8's compiled code between runs (cli/src/bundle-loader.ts); without
// the copy, the ES module bundle runs. Without a bundle (a bare `tsc -b`), or with KYSO_NO_BUNDLE=1
// (debugging, the benchmarks' before/after rows), the unbundled code runs.
const bundled = new URL("./bundle/main.js", import.meta.url);
const useBundle = !process.env.KYSO_NO_BUNDLE && existsSync(bundled);
type Main = typeof import("./main.js");
let main: Main["main"];
if (useBundle && existsSync(new URL("./bundle/cjs/main.js", import.meta.url))) {
  // A CommonJS module: require() is quicker than another ES module job.
  const { loadBundleMain, codeCacheDir } = nodeModule.createRequire(import.meta.url)("./bundle/loader.cjs") as typeof import("./bundle-loader.js");
  const dir = fileURLToPath(new URL("./bundle/", import.meta.url));
  ({ main } = loadBundleMain(dir, codeCacheDir(dir, process.env)) as unknown as Main);
} else {
  ({ main } = (await import(useBundle ? bundled.href : "./main.js")) as Main);
}

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
