// Issue 2 benchmark: Kyso beside @signpdf (plain and pdf-lib placeholders) and poppler's pdfsig, in one run.
// Run: pnpm -s build && node bench/dist/sign.js   (needs the test PKI: pnpm certs)
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pki, p12Password, samples, token, pkcs11Lib, softhsmConf, outDir } from "@kyso/certs-test";
import { Pkcs11Signer } from "@kyso/signers";
import { signPdfFile } from "@kyso/sign";
import { fmt, median, runProcess, table } from "./stats.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const kysoBin = join(here, "..", "..", "cli", "dist", "bin.js");
const work = mkdtempSync(join(tmpdir(), "kyso-bench-sign-"));
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

async function medianProcess(cmd: string, args: (i: number) => string[], env: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await runProcess(cmd, args(i), env);
    if (r.code !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    times.push(r.ms);
  }
  return median(times);
}

function child(mode: string, file: string): { ms: number; maxRssKiB: number; signMs?: number } {
  const r = spawnSync(process.execPath, [join(here, "sign-large.js"), mode, file, join(work, `large-${mode}.pdf`)], { encoding: "utf8", env: process.env });
  if (r.status !== 0) throw new Error(`sign-large ${mode}: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  return Object.assign({}, ...lines);
}

async function main(): Promise<void> {
  const env = { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), KYSO_PIN: token.userPin, KYSO_CHAIN: pki.officerRsa.chain, KYSO_P12_PASSWORD: p12Password };
  console.log(`Kyso signing benchmark: ${RUNS} runs each, medians; machine: ${process.arch}, node ${process.version}\n`);

  // 1. One 1-page file, whole process.
  const kysoToken = await medianProcess(process.execPath, (i) => [kysoBin, "sign", samples.onePage, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--out-dir", join(work, `kt${i}`)], env);
  const kysoP12 = await medianProcess(process.execPath, (i) => [kysoBin, "sign", samples.onePage, "--p12", pki.officerRsa.p12, "--out-dir", join(work, `kp${i}`)], env);
  const signpdfPlain = await medianProcess(process.execPath, (i) => [join(here, "signpdf-one.js"), "plain", samples.onePage, join(work, `sp${i}.pdf`), pki.officerRsa.p12, p12Password], env);
  const signpdfLib = await medianProcess(process.execPath, (i) => [join(here, "signpdf-one.js"), "pdf-lib", samples.onePage, join(work, `sl${i}.pdf`), pki.officerRsa.p12, p12Password], env);
  const popplerDb = join(outDir, "nss-signer");
  const poppler = await medianProcess("pdfsig", (i) => ["-nssdir", `sql:${popplerDb}`, "-add-signature", "-nick", "officer-rsa", samples.onePage, join(work, `pp${i}.pdf`)], env);
  console.log("1. One 1-page PDF, whole process (ms, median)");
  console.log(
    table([
      ["tool", "ms", "vs @signpdf plain"],
      ["kyso sign (SoftHSM token)", fmt(kysoToken), fmt(kysoToken / signpdfPlain, 2)],
      ["kyso sign (PKCS#12)", fmt(kysoP12), fmt(kysoP12 / signpdfPlain, 2)],
      ["@signpdf + placeholder-plain (PKCS#12)", fmt(signpdfPlain), "1.00"],
      ["@signpdf + placeholder-pdf-lib (PKCS#12)", fmt(signpdfLib), fmt(signpdfLib / signpdfPlain, 2)],
      ["pdfsig -add-signature (NSS)", fmt(poppler), fmt(poppler / signpdfPlain, 2)],
    ]),
  );

  // 2. Many 1-page files in one process through SoftHSM (sequential signPdfFile calls).
  const N = Number(process.env.BENCH_MANY ?? 500);
  const manyDir = join(work, "many");
  mkdirSync(manyDir);
  for (let i = 0; i < N; i++) copyFileSync(samples.onePage, join(manyDir, `in-${i}.pdf`));
  const signer = await Pkcs11Signer.open({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, pin: async () => token.userPin });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await signPdfFile(join(manyDir, `in-${i}.pdf`), join(manyDir, `out-${i}.pdf`), signer, {});
  const manyMs = performance.now() - t0;
  await signer.close();
  console.log(`\n2. ${N} one-page PDFs in one process through SoftHSM (one at a time): ${fmt((N / manyMs) * 1000)} documents/s (${fmt(manyMs / N, 2)} ms each)`);

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
