// `pnpm bench`: every benchmark in turn (or the ones named: pnpm bench sign verify).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const here = fileURLToPath(new URL(".", import.meta.url));
const all = ["sign", "bulk", "remote", "agent", "verify", "registry", "inbox", "scale"];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of wanted) {
  if (!all.includes(name)) {
    console.error(`unknown benchmark ${name} (known: ${all.join(", ")})`);
    failed++;
    continue;
  }
  console.log(`\n===== ${name} =====`);
  const r = spawnSync(process.execPath, [join(here, `${name}.js`)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
