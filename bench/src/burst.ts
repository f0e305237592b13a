// RSS of `kyso serve` around a burst of large uploads (issue 12: uploads go to temporary files, so
// the process returns near its baseline after the burst). Usage:
//   node bench/dist/burst.js [count=64] [sizeMiB=45]
// Prints one JSON line: baseline, peak and idle RSS (MiB), statuses, wall time. Figures go to the
// issue note; nothing here is asserted.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApiKey } from "./credentials.js";

const count = Number(process.argv[2] ?? 64);
const sizeMiB = Number(process.argv[3] ?? 45);
const repo = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "kyso-burst-"));

/** A valid unsigned PDF of about `size` bytes: one page and one large unused stream. */
function bigPdf(size: number): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  const push = (b: Buffer | string): void => {
    const buf = typeof b === "string" ? Buffer.from(b, "latin1") : b;
    parts.push(buf);
    at += buf.length;
  };
  push("%PDF-1.7\n");
  const obj = (n: number, body: string | Buffer[]): void => {
    offsets[n] = at;
    if (typeof body === "string") push(`${n} 0 obj\n${body}\nendobj\n`);
    else {
      push(`${n} 0 obj\n`);
      body.forEach(push);
      push("\nendobj\n");
    }
  };
  obj(1, "<< /Type /Catalog /Pages 2 0 R >>");
  obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
  const payload = Buffer.alloc(size, 0x20);
  obj(4, [Buffer.from(`<< /Length ${payload.length} >>\nstream\n`), payload, Buffer.from("\nendstream")]);
  const xref = at;
  push(["xref", "0 5", "0000000000 65535 f ", ...[1, 2, 3, 4].map((n) => `${String(offsets[n]).padStart(10, "0")} 00000 n `), "trailer", "<< /Size 5 /Root 1 0 R >>", "startxref", String(xref), "%%EOF", ""].join("\n"));
  return Buffer.concat(parts);
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function post(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/api/v1/verify`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/pdf", "content-length": body.length } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(-1));
    // One shared buffer, written in 1 MiB slices: the client holds one copy for every request.
    let off = 0;
    const pump = (): void => {
      while (off < body.length) {
        const end = Math.min(body.length, off + (1 << 20));
        const ok = req.write(body.subarray(off, end));
        off = end;
        if (!ok) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pdf = bigPdf(sizeMiB * 1024 * 1024);
writeFileSync(join(dir, "big.pdf"), pdf);
const env = { ...process.env, XDG_CACHE_HOME: join(dir, "cache"), XDG_DATA_HOME: join(dir, "data"), TMPDIR: dir };
const key = createApiKey(["verify"], undefined, env);
const proc = spawn(process.execPath, [join(repo, "cli/dist/bin.js"), "serve", "--port", "0", "--revocation", "embedded", "--workers", "2", "--max-pending", String(count), "--body-limit", String(sizeMiB + 5), "--request-timeout", "300", "--timeout", "120", "--audit-log", join(dir, "audit.jsonl")], { env, stdio: ["ignore", "pipe", "ignore"] });
const url = await new Promise<string>((resolve) => {
  let out = "";
  proc.stdout!.on("data", (c) => {
    out += c;
    const m = /on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
});
try {
  await post(url, pdf); // warm: the workers have loaded the verifier
  await sleep(2000);
  const baseline = rssMiB(proc.pid!);
  let peak = baseline;
  const poll = setInterval(() => (peak = Math.max(peak, rssMiB(proc.pid!))), 100);
  const t0 = performance.now();
  const statuses = await Promise.all(Array.from({ length: count }, () => post(url, pdf)));
  const wallMs = performance.now() - t0;
  clearInterval(poll);
  const after: Record<string, number> = {};
  for (const s of [1, 5, 15]) {
    await sleep(s === 1 ? 1000 : s === 5 ? 4000 : 10_000);
    after[`${s}s`] = Math.round(rssMiB(proc.pid!));
  }
  const byStatus: Record<string, number> = {};
  for (const s of statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
  process.stdout.write(JSON.stringify({ uploads: count, sizeMiB, baselineMiB: Math.round(baseline), peakMiB: Math.round(peak), afterMiB: after, statuses: byStatus, wallMs: Math.round(wallMs) }) + "\n");
} finally {
  proc.kill("SIGTERM");
}
