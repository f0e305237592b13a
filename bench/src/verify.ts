// Issue 3 benchmark: Kyso verification in process, `kyso verify` as a whole process and poppler's
// pdfsig on the same files (1 page, 100 pages, ~20 MB), then the service under load (autocannon).
// Run: npx tsc -b bench && node bench/dist/verify.js   (needs the test PKI; BENCH_DURATION=30 s by default)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { nssDb, p12Password, pki, samples, startTestServers } from "@kyso/certs-test";
import { signPdfFile } from "@kyso/sign";
import { Pkcs12Signer } from "@kyso/signers";
import { CertificatePool, RevocationCache, httpFetcher, loadTrustAnchors, verifyPdf, type VerifyOptions } from "@kyso/verify";
import { fmt, median, runProcess, table } from "./stats.js";
import { createApiKey } from "./credentials.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const kysoBin = join(here, "..", "..", "cli", "dist", "bin.js");
const work = mkdtempSync(join(tmpdir(), "kyso-bench-verify-"));
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const DURATION = Number(process.env.BENCH_DURATION ?? 30);

async function medianProcess(cmd: string, args: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await runProcess(cmd, args)).ms);
  return median(times);
}

async function main(): Promise<void> {
  const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
  const files: [string, string][] = [];
  for (const [label, src] of [["1 page", samples.onePage], ["100 pages", samples.hundredPages], ["~20 MB", samples.large20mb]] as const) {
    const out = join(work, `${label.replace(/\W+/g, "-")}.pdf`);
    await signPdfFile(src, out, signer, { overwrite: true } as never);
    files.push([label, out]);
  }
  // Revocation is part of every verdict now: the whole path is checked online against the test
  // PKI's OCSP responder and CRLs, and the cache (as a service keeps it) answers after the first run.
  const servers = await startTestServers();
  const anchors = loadTrustAnchors([pki.root]);
  const options: VerifyOptions = { trustAnchors: anchors, revocation: "online", fetcher: httpFetcher(5000), cache: new RevocationCache(), pool: new CertificatePool() };
  const rows: (string | number)[][] = [["file", "in-process ms (median)", "kyso verify process ms", "pdfsig process ms", "kyso/pdfsig"]];
  for (const [label, file] of files) {
    const n = label === "~20 MB" ? 15 : 300;
    for (let i = 0; i < 20; i++) await verifyPdf({ path: file }, options);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await verifyPdf({ path: file }, options);
      times.push(performance.now() - t0);
      if (r.indication !== "TOTAL_PASSED") throw new Error(`${label}: ${r.indication}`);
    }
    const kyso = await medianProcess(process.execPath, [kysoBin, "verify", file, "--trust", pki.root, "--json"]);
    const pdfsig = await medianProcess("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file]);
    rows.push([label, fmt(median(times), 2), fmt(kyso), fmt(pdfsig), fmt(kyso / pdfsig, 2)]);
  }
  console.log("in process: revocation online, served from the cache after the warm-up runs (as in the service)");
  console.log(table(rows));
  await importCosts();

  const large = spawnSync(process.execPath, [join(here, "verify-large.js"), files[2][1], pki.root], { encoding: "utf8" });
  if (large.status !== 0) throw new Error(large.stderr);
  const l = JSON.parse(large.stdout);
  console.log(`\n~20 MB in a fresh process: verify ${fmt(l.verifyMs)} ms, one SHA-256 pass ${fmt(l.sha256Ms)} ms (ratio ${fmt(l.verifyMs / l.sha256Ms, 2)}), peak RSS ${fmt(l.maxRssMiB)} MiB, ${l.indication}`);

  // The service under load: 16 connections, 1-page documents.
  const db = `sqlite:${join(work, "kyso.db")}`;
  const auth = { authorization: `Bearer ${createApiKey(["verify"], db)}` };
  const proc = spawn(process.execPath, [kysoBin, "serve", "--port", "0", "--trust", pki.root, "--db", db, "--audit-log", join(work, "audit.jsonl")], { stdio: ["ignore", "pipe", "ignore"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (c) => {
      out += c;
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once("exit", (c) => reject(new Error(`serve exited ${c}`)));
  });
  const body = readFileSync(files[0][1]);
  try {
    await autocannon({ url: `${url}/api/v1/verify`, method: "POST", headers: { ...auth, "content-type": "application/pdf" }, body, connections: 16, duration: 3 });
    const r = await autocannon({ url: `${url}/api/v1/verify`, method: "POST", headers: { ...auth, "content-type": "application/pdf" }, body, connections: 16, duration: DURATION });
    const non2xx = r.non2xx + r.errors + r.timeouts;
    console.log(`\nservice, 16 connections, ${DURATION} s, 1-page documents: ${fmt(r.requests.average)} verifications/s (total ${r.requests.total}), latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, errors/non-2xx ${non2xx}`);
  } finally {
    proc.kill("SIGTERM");
    await servers.close();
  }
}

/** Import cost of the ASN.1 libraries considered for the PKIX layer, each in a fresh process (median). */
async function importCosts(): Promise<void> {
  const cmsDir = join(here, "..", "..", "packages", "cms");
  const rows: (string | number)[][] = [["module", "import ms (fresh process, median)"]];
  for (const m of ["asn1js", "pkijs", "@peculiar/webcrypto", "@kyso/cms"]) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", `const t = performance.now(); await import(${JSON.stringify(m)}); console.log(performance.now() - t);`], { cwd: cmsDir, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${m}: ${r.stderr}`);
      times.push(Number(r.stdout.trim()));
    }
    rows.push([m, fmt(median(times), 1)]);
  }
  console.log("");
  console.log(table(rows));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
