// Issue 15 benchmark: 1,000 one-page PDFs signed remotely through the CSC test server on loopback
// (20 ms of injected latency on every call), with multisign 1 and 50, beside the token batch rate
// (the same batch engine with the SoftHSM token, bulk.ts's "kyso" side). The server and each
// signing run are separate processes. Target: with multisign 50, at least half the token's rate.
// Run: npx tsc -b bench && node bench/dist/remote.js [COUNT] [LATENCY_MS]   (needs the test PKI: pnpm certs)
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, nssDb, samples, softhsmConf, startCscServer } from "@kyso/certs-test";
import { CscClient, CscSigner } from "@kyso/signers";
import { signBatch } from "@kyso/sign";
import { distinctCopies, fmt, table } from "./stats.js";

const here = fileURLToPath(new URL(".", import.meta.url));

interface SideResult {
  side: string;
  docs: number;
  failed: number;
  ms: number;
  signHash?: number;
  authorize?: number;
  calls?: number;
}

function inputs(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".pdf")).sort().map((f) => join(dir, f));
}

/** The signing side: connects as the service account, signs every input with officer-rsa. */
async function clientSide(url: string, inDir: string, outDir: string): Promise<SideResult> {
  const t0 = performance.now();
  const client = await CscClient.connect(url, { auth: { kind: "client", clientId: CSC_CLIENT_ID, clientSecret: CSC_CLIENT_SECRET } });
  const signer = await CscSigner.open({ client, credentialID: "officer-rsa", secrets: async (r) => (r.kind === "PIN" ? CSC_PIN : CSC_OTP) });
  const items = inputs(inDir).map((input) => ({ input, output: join(outDir, input.split("/").pop()!) }));
  const summary = await signBatch(items, signer, { concurrency: 8, journal: join(outDir, ".kyso-journal.jsonl"), reason: "Benchmark" });
  const ms = performance.now() - t0;
  return { side: `remote (CSC), multisign ${signer.batchSize}`, docs: summary.signed, failed: summary.failed, ms };
}

/** A CSC test server in its own process: prints its URL, runs until its stdin closes. */
async function serverSide(multisign: number, latencyMs: number): Promise<void> {
  const server = await startCscServer({ multisign, latencyMs });
  console.log(server.url);
  process.stdin.resume();
  process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
}

async function remoteRun(inDir: string, outDir: string, multisign: number, latencyMs: number): Promise<SideResult> {
  mkdirSync(outDir, { recursive: true });
  const env = { ...process.env, SOFTHSM2_CONF: softhsmConf };
  const server = spawn(process.execPath, [join(here, "remote.js"), "server", String(multisign), String(latencyMs)], { env, stdio: ["pipe", "pipe", "inherit"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once("line", resolve);
      server.once("exit", (code) => reject(new Error(`the CSC test server exited (${code})`)));
    });
    const r = spawnSync(process.execPath, [join(here, "remote.js"), "client", url, inDir, outDir], { encoding: "utf8", env });
    if (r.status !== 0) throw new Error(`remote side failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split("\n").pop()!) as SideResult;
    const stats = (await (await fetch(url.replace(/\/csc\/v2$/, "/csc/test/stats"))).json()) as { calls: Record<string, number> };
    result.signHash = stats.calls["signatures/signHash"] ?? 0;
    result.authorize = stats.calls["credentials/authorize"] ?? 0;
    result.calls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
    return result;
  } finally {
    server.stdin!.end();
    await new Promise((r) => (server.exitCode !== null ? r(undefined) : server.once("exit", r)));
  }
}

/** The token batch rate: bulk.ts's Kyso side (same engine, SoftHSM token, concurrency 8), its own process. */
function tokenRun(inDir: string, outDir: string): SideResult {
  mkdirSync(outDir, { recursive: true });
  const r = spawnSync(process.execPath, [join(here, "bulk.js"), "kyso", inDir, outDir, "8"], { encoding: "utf8", env: { ...process.env, SOFTHSM2_CONF: softhsmConf } });
  if (r.status !== 0) throw new Error(`token side failed: ${r.stderr}`);
  const x = JSON.parse(r.stdout.trim().split("\n").pop()!) as SideResult;
  return { side: "token (SoftHSM), batch engine", docs: x.docs, failed: x.failed, ms: x.ms };
}

function pdfsigOk(file: string): boolean {
  const r = spawnSync("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file], { encoding: "utf8" });
  return r.status === 0 && /Signature is Valid/.test(r.stdout);
}

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === "server") return serverSide(Number(a), Number(b));
  if (mode === "client") {
    console.log(JSON.stringify(await clientSide(a, b, c)));
    return;
  }
  const count = Number(mode ?? 1000);
  const latencyMs = Number(a ?? 20);
  const { work, inDir } = distinctCopies(samples.onePage, count, "kyso-bench-remote-");
  console.log(`Remote signing benchmark: ${count} one-page PDFs, CSC test server on loopback with ${latencyMs} ms per call; ${process.arch}, node ${process.version}\n`);
  const token = tokenRun(inDir, join(work, "token"));
  const results = [token];
  for (const multisign of [1, 50]) results.push(await remoteRun(inDir, join(work, `remote-m${multisign}`), multisign, latencyMs));
  const rate = (r: SideResult): number => (r.docs / r.ms) * 1000;
  console.log(
    table([
      ["side", "docs", "failed", "seconds", "docs/s", "signHash calls", "authorize calls", "all calls", "rate vs token"],
      ...results.map((r) => [r.side, r.docs, r.failed, fmt(r.ms / 1000, 2), fmt(rate(r)), r.signHash ?? "-", r.authorize ?? "-", r.calls ?? "-", `${fmt(rate(r) / rate(token), 2)}x`]),
    ]),
  );
  const m50 = results[results.length - 1];
  const ratio = rate(m50) / rate(token);
  console.log(`\nmultisign 50: ${fmt(ratio, 2)}x the token batch rate (target >= 0.5x): ${ratio >= 0.5 ? "met" : "NOT MET"}`);
  const sample = inputs(join(work, "remote-m50")).filter((_, i) => i % Math.max(1, Math.floor(count / 5)) === 0);
  console.log(`pdfsig on ${sample.length} remote outputs: ${sample.every(pdfsigOk) ? "all valid" : "SOME INVALID"}`);
  console.log(`work folder: ${work}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
