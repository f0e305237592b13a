// Issue 3 and 13 benchmark: `kyso verify` of one page as a whole process beside a bare `node -e 0`
// and poppler's pdfsig (@libpdf/core has no verifier), then Kyso verification in process, the whole
// process and pdfsig on the same files (1 page, 100 pages, ~20 MB), then the service under load.
// Run: pnpm -s build && node bench/dist/run.js verify   (needs the test PKI; BENCH_DURATION=30 s by
// default; BENCH_QUICK=1 stops after the one-page table; BENCH_RUNS=15 rounds)
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
import { interleavedMedians } from "./interleave.js";
import { createApiKey } from "./credentials.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const kysoBin = join(here, "..", "..", "cli", "dist", "bin.js");
const work = mkdtempSync(join(tmpdir(), "kyso-bench-verify-"));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const DURATION = Number(process.env.BENCH_DURATION ?? 30);

async function medianProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await runProcess(cmd, args, env)).ms);
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

  // Whole process, one page: kyso's default checks revocation online (the local test servers).
  const one = files[0][1];
  // Taken in rounds (bench/src/interleave.ts): every command once per round, so that the machine's
  // load falls on node -e 0 and kyso alike. kyso is `node cli/dist/bin.js`, what the `kyso` shim runs.
  const unbundled = { ...process.env, KYSO_NO_BUNDLE: "1" };
  const kv = (extra: string[] = []) => () => [kysoBin, "verify", one, "--trust", pki.root, ...extra];
  const m = await interleavedMedians(
    [
      { key: "node", cmd: process.execPath, args: () => ["-e", "0"] },
      { key: "default", cmd: process.execPath, args: kv() },
      { key: "off", cmd: process.execPath, args: kv(["--revocation", "off"]), okCodes: [1] },
      { key: "noCache", cmd: process.execPath, args: kv(), env: { ...process.env, KYSO_CODE_CACHE: "off" } },
      { key: "unbundled", cmd: process.execPath, args: kv(), env: unbundled },
      { key: "pdfsigNoOcsp", cmd: "pdfsig", args: () => ["-no-ocsp", "-nssdir", nssDb, one] },
      { key: "pdfsigOcsp", cmd: "pdfsig", args: () => ["-nssdir", nssDb, one] },
    ],
    RUNS,
  );
  const [nodeBare, kysoDefault, kysoOff, kysoNoCache, kysoUnbundled, pdfsigNoOcsp, pdfsigOcsp] = [m.node, m.default, m.off, m.noCache, m.unbundled, m.pdfsigNoOcsp, m.pdfsigOcsp];
  const wrow = (name: string, ms: number): string[] => [name, fmt(ms), fmt(ms / nodeBare, 2), fmt(ms / pdfsigNoOcsp, 2)];
  console.log(`Whole process, 1-page signed PDF (ms, median of ${RUNS} interleaved rounds; kyso = node cli/dist/bin.js, bundled, code cache warm)`);
  console.log(
    table([
      ["tool", "ms", "vs node -e 0", "vs pdfsig -no-ocsp"],
      wrow("node -e 0", nodeBare),
      wrow("kyso verify (default: revocation online)", kysoDefault),
      wrow("kyso verify --revocation off", kysoOff),
      wrow("kyso verify, no code cache (KYSO_CODE_CACHE=off)", kysoNoCache),
      wrow("kyso verify, unbundled (KYSO_NO_BUNDLE=1; before issue 13)", kysoUnbundled),
      wrow("pdfsig -no-ocsp", pdfsigNoOcsp),
      wrow("pdfsig (OCSP online)", pdfsigOcsp),
      ["@libpdf/core", "-", "-", "- (no signature verifier in @libpdf/core 0.4)"],
    ]),
  );
  console.log(`target (issue 13): kyso verify <= 2 x node -e 0: ${fmt(kysoDefault / nodeBare, 2)} (revocation online), ${fmt(kysoOff / nodeBare, 2)} (off)\n`);
  if (process.env.BENCH_QUICK) {
    await servers.close();
    return;
  }

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
