// Small helpers shared by the benchmarks: timing, medians, child-process runs with peak RSS.
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fresh work folder whose `in/` holds `count` copies of `pdf`, each a distinct document (a comment
 * and %%EOF appended: @signpdf wants %%EOF last), named doc-00000.pdf, doc-00001.pdf, ...
 */
export function distinctCopies(pdf: string, count: number, prefix: string): { work: string; inDir: string } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const inDir = join(work, "in");
  mkdirSync(inDir);
  for (let i = 0; i < count; i++) {
    const f = join(inDir, `doc-${String(i).padStart(5, "0")}.pdf`);
    copyFileSync(pdf, f);
    appendFileSync(f, `% copy ${i}\n%%EOF\n`);
  }
  return { work, inDir };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function timeIt<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

/** Runs a command, returning wall time (ms) and peak RSS (KiB, from GNU time when available). */
export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - t0, code, stderr }));
  });
}

export function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ")).join("\n");
}
