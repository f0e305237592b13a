// Issue 2 and 13 benchmark: Kyso beside @signpdf (plain and pdf-lib placeholders), @libpdf/core and
// poppler's pdfsig, in one run: whole processes beside a bare `node -e 0`, then in-process loops.
// Run: pnpm -s build && node bench/dist/run.js sign   (needs the test PKI: pnpm certs; starts the
// test PKI's OCSP/CRL servers itself). BENCH_RUNS (15 interleaved rounds), BENCH_MANY (500), BENCH_P12_MANY (200),
// BENCH_QUICK=1 skips the ~20 MB part.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync, writeFileSync } from "node:fs";
import { pki, p12Password, samples, token, pkcs11Lib, softhsmConf, outDir, startTestServers } from "@kyso/certs-test";
import { Pkcs11Signer, Pkcs12Signer } from "@kyso/signers";
import { signPdfFile } from "@kyso/sign";
import { fmt, median, table } from "./stats.js";
import { interleavedMedians } from "./interleave.js";
import { P12Signer } from "@signpdf/signer-p12";
import { signWithSignpdfSigner } from "./signpdf-peer.js";
import { libpdfSigner, signWithLibpdf } from "./libpdf-peer.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const kysoBin = join(here, "..", "..", "cli", "dist", "bin.js");
const work = mkdtempSync(join(tmpdir(), "kyso-bench-sign-"));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function child(mode: string, file: string): { ms: number; maxRssKiB: number; signMs?: number } {
  const r = spawnSync(process.execPath, [join(here, "sign-large.js"), mode, file, join(work, `large-${mode}.pdf`)], { encoding: "utf8", env: process.env });
  if (r.status !== 0) throw new Error(`sign-large ${mode}: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  return Object.assign({}, ...lines);
}

async function main(): Promise<void> {
  const env = { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), KYSO_PIN: token.userPin, KYSO_CHAIN: pki.officerRsa.chain, KYSO_P12_PASSWORD: p12Password };
  console.log(`Kyso signing benchmark: ${RUNS} runs each, medians; machine: ${process.arch}, node ${process.version}\n`);

  // 1. One 1-page file, whole process. kyso checks the signing certificate online first (OCSP at the
  // local test server, then cached), as it does by default; the second token row skips that check.
  const servers = await startTestServers();
  const trust = ["--trust", pki.root];
  // Taken in rounds (bench/src/interleave.ts): every command once per round, so that the machine's
  // load falls on all of them alike. kyso is `node cli/dist/bin.js`, what the `kyso` shim runs.
  const popplerDb = join(outDir, "nss-signer");
  const tokenArgs = ["--token-label", token.label, "--key-label", token.keys.officerRsa.label];
  const m = await interleavedMedians(
    [
      { key: "node", cmd: process.execPath, args: () => ["-e", "0"], env },
      { key: "token", cmd: process.execPath, args: (i) => [kysoBin, "sign", samples.onePage, ...trust, ...tokenArgs, "--out-dir", join(work, `kt${i}`)], env },
      { key: "tokenOff", cmd: process.execPath, args: (i) => [kysoBin, "sign", samples.onePage, ...trust, "--revocation-check", "off", ...tokenArgs, "--out-dir", join(work, `ko${i}`)], env },
      { key: "tokenNoCache", cmd: process.execPath, args: (i) => [kysoBin, "sign", samples.onePage, ...trust, ...tokenArgs, "--out-dir", join(work, `kn${i}`)], env: { ...env, KYSO_CODE_CACHE: "off" } },
      { key: "tokenUnbundled", cmd: process.execPath, args: (i) => [kysoBin, "sign", samples.onePage, ...trust, ...tokenArgs, "--out-dir", join(work, `ku${i}`)], env: { ...env, KYSO_NO_BUNDLE: "1" } },
      { key: "p12", cmd: process.execPath, args: (i) => [kysoBin, "sign", samples.onePage, ...trust, "--p12", pki.officerRsa.p12, "--out-dir", join(work, `kp${i}`)], env },
      { key: "signpdfPlain", cmd: process.execPath, args: (i) => [join(here, "signpdf-one.js"), "plain", samples.onePage, join(work, `sp${i}.pdf`), pki.officerRsa.p12, p12Password], env },
      { key: "signpdfLib", cmd: process.execPath, args: (i) => [join(here, "signpdf-one.js"), "pdf-lib", samples.onePage, join(work, `sl${i}.pdf`), pki.officerRsa.p12, p12Password], env },
      { key: "libpdf", cmd: process.execPath, args: (i) => [join(here, "libpdf-one.js"), samples.onePage, join(work, `lp${i}.pdf`), pki.officerRsa.p12, p12Password], env },
      { key: "poppler", cmd: "pdfsig", args: (i) => ["-nssdir", `sql:${popplerDb}`, "-add-signature", "-nick", "officer-rsa", samples.onePage, join(work, `pp${i}.pdf`)], env },
    ],
    RUNS,
  );
  const [nodeBare, kysoToken, kysoTokenOff, kysoTokenNoCache, kysoTokenUnbundled, kysoP12, signpdfPlain, signpdfLib, libpdf, poppler] = [
    m.node, m.token, m.tokenOff, m.tokenNoCache, m.tokenUnbundled, m.p12, m.signpdfPlain, m.signpdfLib, m.libpdf, m.poppler,
  ];
  await servers.close();
  console.log(`1. One 1-page PDF, whole process (ms, median of ${RUNS} interleaved rounds; kyso = node cli/dist/bin.js, bundled, code cache warm)`);
  const row = (name: string, ms: number): string[] => [name, fmt(ms), fmt(ms / nodeBare, 2), fmt(ms / signpdfPlain, 2), fmt(ms / libpdf, 2)];
  console.log(
    table([
      ["tool", "ms", "vs node -e 0", "vs @signpdf plain", "vs @libpdf/core"],
      row("node -e 0", nodeBare),
      row("kyso sign (SoftHSM token, certificate checked online)", kysoToken),
      row("kyso sign (SoftHSM token, --revocation-check off)", kysoTokenOff),
      row("kyso sign (SoftHSM token, no code cache: KYSO_CODE_CACHE=off)", kysoTokenNoCache),
      row("kyso sign (SoftHSM token, unbundled: KYSO_NO_BUNDLE=1, before issue 13)", kysoTokenUnbundled),
      row("kyso sign (PKCS#12, certificate checked online)", kysoP12),
      row("@signpdf + placeholder-plain (PKCS#12)", signpdfPlain),
      row("@signpdf + placeholder-pdf-lib (PKCS#12)", signpdfLib),
      row("@libpdf/core (PKCS#12)", libpdf),
      row("pdfsig -add-signature (NSS)", poppler),
    ]),
  );
  console.log(`target (issue 13): kyso sign through SoftHSM <= 0.5 x @signpdf plain: ${fmt(kysoToken / signpdfPlain, 2)} (check online), ${fmt(kysoTokenOff / signpdfPlain, 2)} (check off)`);

  // 1b. Throughput in one process, PKCS#12: read, sign, write N one-page files one after the other.
  const P = Number(process.env.BENCH_P12_MANY ?? 200);
  const p12Bytes = readFileSync(pki.officerRsa.p12);
  const loopDir = join(work, "p12-loop");
  mkdirSync(loopDir);
  const loops: [string, () => Promise<(i: number) => Promise<void>>][] = [
    ["kyso (Pkcs12Signer + signPdfFile)", async () => {
      const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
      return (i) => signPdfFile(samples.onePage, join(loopDir, `k${i}.pdf`), signer, { overwrite: true } as never).then(() => undefined);
    }],
    // A P12Signer cannot be used twice (its second sign() fails: "Too few bytes to parse DER"), so
    // @signpdf parses the PKCS#12 file (node-forge) for every document, as its documentation does.
    ["@signpdf + placeholder-plain (a P12Signer per document)", async () => (i) =>
      signWithSignpdfSigner("plain", readFileSync(samples.onePage), new P12Signer(p12Bytes, { passphrase: p12Password })).then((b) => writeFileSync(join(loopDir, `s${i}.pdf`), b))],
    ["@libpdf/core", async () => {
      const signer = await libpdfSigner(p12Bytes, p12Password);
      return (i) => signWithLibpdf(readFileSync(samples.onePage), signer).then((b) => writeFileSync(join(loopDir, `l${i}.pdf`), b));
    }],
  ];
  const rates: [string, number][] = [];
  for (const [name, make] of loops) {
    const f = await make();
    for (let i = 0; i < 10; i++) await f(i); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < P; i++) await f(i);
    rates.push([name, (P / (performance.now() - t0)) * 1000]);
  }
  console.log(`\n1b. ${P} one-page PDFs in one process, PKCS#12 (read, sign, write; one at a time)`);
  console.log(table([["library", "documents/s", "ms each", "vs kyso"], ...rates.map(([n, r]) => [n, fmt(r), fmt(1000 / r, 2), fmt(r / rates[0][1], 2)])]));

  // 2. Many 1-page files in one process through SoftHSM (sequential signPdfFile calls).
  const N = Number(process.env.BENCH_MANY ?? 500);
  const manyDir = join(work, "many");
  mkdirSync(manyDir);
  for (let i = 0; i < N; i++) copyFileSync(samples.onePage, join(manyDir, `in-${i}.pdf`));
  process.env.SOFTHSM2_CONF ??= softhsmConf;
  const signer = await Pkcs11Signer.open({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, pin: async () => token.userPin });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await signPdfFile(join(manyDir, `in-${i}.pdf`), join(manyDir, `out-${i}.pdf`), signer, {});
  const manyMs = performance.now() - t0;
  await signer.close();
  console.log(`\n2. ${N} one-page PDFs in one process through SoftHSM (one at a time): ${fmt((N / manyMs) * 1000)} documents/s (${fmt(manyMs / N, 2)} ms each)`);

  if (process.env.BENCH_QUICK) return void execFileSync("rm", ["-rf", work]);
  // 3. The ~20 MB file.
  const size = statSync(samples.large20mb).size;
  const hash = [0, 1, 2].map(() => child("hash", samples.large20mb));
  const kyso = [0, 1, 2].map(() => child("kyso-token", samples.large20mb));
  const sp = child("signpdf", samples.large20mb);
  const hashMs = median(hash.map((h) => h.ms));
  const signMs = median(kyso.map((k) => k.signMs ?? k.ms));
  console.log(`\n3. ${fmt(size / 1048576)} MiB PDF`);
  console.log(
    table([
      ["", "ms", "peak RSS MiB"],
      ["read + SHA-256 once (stream)", fmt(hashMs), fmt(median(hash.map((h) => h.maxRssKiB)) / 1024)],
      ["kyso sign, token (in process, after login)", fmt(signMs), fmt(median(kyso.map((k) => k.maxRssKiB)) / 1024)],
      ["@signpdf plain (PKCS#12, whole run)", fmt(sp.ms), fmt(sp.maxRssKiB / 1024)],
    ]),
  );
  console.log(`ratio kyso / (read+hash): ${fmt(signMs / hashMs, 2)} (target <= 3); peak RSS - file size: ${fmt(median(kyso.map((k) => k.maxRssKiB)) / 1024 - size / 1048576)} MiB (target <= 100)`);
  execFileSync("rm", ["-rf", work]);
}

await main();
