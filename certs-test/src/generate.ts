/**
 * `pnpm certs`: generates the test PKI, the SoftHSM2 demo token and the sample documents into
 * `certs-test/out/` (deleted and recreated on every run; `out/READY` is written last).
 * Everything generated is test material only. PINs and keys are never printed.
 */
import { rmSync, mkdirSync, writeFileSync } from "node:fs";
import { describeError } from "@kyso/core";
import { envFile, nssDb, nssSignerDb, outDir, readyFile, serverPort, serverPortFile, softhsmConf } from "./layout.js";
import { generateCrls, generatePki, writeCertIndex } from "./pki.js";
import { initTokens, populateToken, writeSofthsmConf } from "./token.js";
import { createSignerDb, createTrustDb, signerNick } from "./nss.js";
import { generateSamples } from "./samples.js";
import { findSofthsmLib } from "./softhsm-lib.js";

async function main(): Promise<void> {
  const started = Date.now();
  const step = (what: string) => console.log(`[certs] ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const lib = findSofthsmLib();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(serverPortFile, `${serverPort}\n`);

  const p = await generatePki();
  step("PKI: root, intermediate, leaf certificates, PKCS#12 files");

  writeSofthsmConf();
  writeFileSync(envFile, `SOFTHSM2_CONF=${softhsmConf}\nKYSO_PKCS11_LIB=${lib}\n`);
  initTokens();
  populateToken(lib, p);
  step("SoftHSM2 tokens KYSO-DEMO (keys, onboard generated on the token, certificates) and KYSO-SPARE");

  generateCrls(p);
  writeCertIndex();
  step("CRLs and pki/all-certs.json");

  createTrustDb();
  createSignerDb();
  step("NSS databases");

  await generateSamples({ signerDb: nssSignerDb, signerNick, trustDb: nssDb });
  step("sample documents (presigned-pdfsig.pdf accepted by pdfsig)");

  writeFileSync(readyFile, `${new Date().toISOString()}\n`);
  step(`done: ${outDir}`);
}

main().catch((e: unknown) => {
  console.error(`[certs] failed: ${describeError(e)}`);
  process.exitCode = 1;
});
