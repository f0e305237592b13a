// Child of bench/src/verify.ts: verifies one file in a fresh process and prints its time and peak RSS,
// beside the time of one plain SHA-256 pass over the same file.
import { createHash } from "node:crypto";
import { openSync, readSync, closeSync } from "node:fs";
import { verifyPdf, loadTrustAnchors } from "@kyso/verify";

const [file, root] = process.argv.slice(2);
const anchors = loadTrustAnchors([root]);
function sha256Pass(): number {
  const t0 = performance.now();
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(1 << 20);
  const h = createHash("sha256");
  for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
  h.digest();
  closeSync(fd);
  return performance.now() - t0;
}
const shaRuns: number[] = [];
const verifyRuns: number[] = [];
let indication = "";
for (let i = 0; i < 7; i++) {
  shaRuns.push(sha256Pass());
  const t0 = performance.now();
  indication = (await verifyPdf({ path: file }, { trustAnchors: anchors })).indication;
  verifyRuns.push(performance.now() - t0);
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(JSON.stringify({ verifyMs: med(verifyRuns), sha256Ms: med(shaRuns), maxRssMiB: process.resourceUsage().maxRSS / 1024, indication }) + "\n");
