// Issue 4 benchmark: 1,000 one-page PDFs in one run. Kyso's batch engine through the SoftHSM token
// beside a plain loop over @signpdf with a PKCS#12, each side in its own process (peak RSS per side).
// Run: npx tsc -b bench && node bench/dist/bulk.js [COUNT]   (needs the test PKI: pnpm certs)
// Sides alone: node bench/dist/bulk.js kyso|signpdf IN_DIR OUT_DIR [CONCURRENCY]
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nssDb, p12Password, pki, pkcs11Lib, samples, softhsmConf, token } from "@kyso/certs-test";
import { certificatesFromPemOrDer } from "@kyso/core";
import { Pkcs11Signer } from "@kyso/signers";
import { signBatch } from "@kyso/sign";
import { signWithSignpdf } from "./signpdf-peer.js";
import { distinctCopies, fmt, table } from "./stats.js";

const here = fileURLToPath(new URL(".", import.meta.url));

interface SideResult {
  side: string;
  docs: number;
  ms: number;
  maxRssKiB: number;
  failed: number;
}

function inputs(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".pdf")).sort().map((f) => join(dir, f));
}

async function kysoSide(inDir: string, outDir: string, concurrency: number): Promise<SideResult> {
  const signer = await Pkcs11Signer.open({
    library: pkcs11Lib(),
    tokenLabel: token.label,
    keyLabel: token.keys.officerRsa.label,
    pin: async () => token.userPin,
    extraCertificates: certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.officerRsa.chain))),
  });
  try {
    const items = inputs(inDir).map((input) => ({ input, output: join(outDir, input.split("/").pop()!) }));
    const t0 = performance.now();
    const summary = await signBatch(items, signer, { concurrency, journal: join(outDir, ".kyso-journal.jsonl"), reason: "Benchmark" });
    const ms = performance.now() - t0;
    return { side: `kyso batch engine, SoftHSM token, concurrency ${concurrency}`, docs: summary.signed, ms, maxRssKiB: process.resourceUsage().maxRSS, failed: summary.failed };
  } finally {
    await signer.close();
  }
}

async function signpdfSide(inDir: string, outDir: string): Promise<SideResult> {
  const p12 = readFileSync(pki.officerRsa.p12);
  const files = inputs(inDir);
  const t0 = performance.now();
  let docs = 0;
  for (const f of files) {
    const signed = await signWithSignpdf("plain", readFileSync(f), p12, p12Password);
    writeFileSync(join(outDir, f.split("/").pop()!), signed);
    docs++;
  }
  const ms = performance.now() - t0;
  return { side: "@signpdf loop (placeholder-plain + signer-p12)", docs, ms, maxRssKiB: process.resourceUsage().maxRSS, failed: 0 };
}

function runSide(side: string, inDir: string, outDir: string, concurrency?: number): SideResult {
  mkdirSync(outDir, { recursive: true });
  const args = [join(here, "bulk.js"), side, inDir, outDir, ...(concurrency ? [String(concurrency)] : [])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, SOFTHSM2_CONF: softhsmConf } });
  if (r.status !== 0) throw new Error(`${side} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as SideResult;
}

/** The whole `kyso sign` process (start-up, PIN, login, 1,000 files, report), peak RSS from GNU time. */
function cliSide(inDir: string, outDir: string): SideResult {
  const kyso = join(here, "..", "..", "cli", "dist", "bin.js");
  const args = ["-f", "%M", process.execPath, kyso, "sign", inDir, "--out-dir", outDir, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--chain", pki.officerRsa.chain, "--report", join(outDir, "..", "cli-report.json")];
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", args, { encoding: "utf8", env: { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), KYSO_PIN: token.userPin } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`kyso sign failed: ${r.stderr}`);
  const report = JSON.parse(readFileSync(join(outDir, "..", "cli-report.json"), "utf8")) as { summary: { signed: number; failed: number } };
  const rss = Number(r.stderr.trim().split("\n").pop());
  return { side: "kyso sign CLI, whole process (default concurrency 8)", docs: report.summary.signed, ms, maxRssKiB: rss, failed: report.summary.failed };
}

function pdfsigOk(file: string): boolean {
  const r = spawnSync("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file], { encoding: "utf8" });
  return r.status === 0 && /Signature is Valid/.test(r.stdout);
}

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === "kyso") {
    console.log(JSON.stringify(await kysoSide(a, b, Number(c ?? 8))));
    return;
  }
  if (mode === "signpdf") {
    console.log(JSON.stringify(await signpdfSide(a, b)));
    return;
  }
  const count = Number(mode ?? 1000);
  const { work, inDir } = distinctCopies(samples.onePage, count, "kyso-bench-bulk-");
  console.log(`Bulk signing benchmark: ${count} one-page PDFs, one process per side; ${process.arch}, node ${process.version}\n`);
  const results: SideResult[] = [];
  for (const conc of [1, 8]) results.push(runSide("kyso", inDir, join(work, `kyso-c${conc}`), conc));
  results.push(cliSide(inDir, join(work, "kyso-cli")));
  results.push(runSide("signpdf", inDir, join(work, "signpdf")));
  const base = results[results.length - 1];
  const rate = (r: SideResult): number => (r.docs / r.ms) * 1000;
  console.log(
    table([
      ["side", "docs", "failed", "seconds", "docs/s", "peak RSS MiB", "docs/s vs @signpdf"],
      ...results.map((r) => [r.side, r.docs, r.failed, fmt(r.ms / 1000, 2), fmt(rate(r)), fmt(r.maxRssKiB / 1024), `${fmt(rate(r) / rate(base), 1)}x`]),
    ]),
  );
  const sample = inputs(join(work, "kyso-c8")).filter((_, i) => i % Math.max(1, Math.floor(count / 5)) === 0);
  console.log(`\npdfsig on ${sample.length} Kyso outputs: ${sample.every(pdfsigOk) ? "all valid" : "SOME INVALID"}`);
  console.log(`work folder: ${work}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
