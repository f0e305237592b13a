// Child process for the large-file benchmark: one mode per run, so peak RSS belongs to that mode alone.
// Usage: node bench/dist/sign-large.js hash|kyso-p12|kyso-token|signpdf FILE OUT
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { pki, p12Password, token, pkcs11Lib } from "@kyso/certs-test";
import { Pkcs11Signer, Pkcs12Signer } from "@kyso/signers";
import { signPdfFile } from "@kyso/sign";
import { signWithSignpdf } from "./signpdf-peer.js";

const [mode, file, out] = process.argv.slice(2);
const t0 = performance.now();
if (mode === "hash") {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  h.digest();
} else if (mode === "kyso-p12") {
  const s = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
  const t1 = performance.now();
  await signPdfFile(file, out, s, { overwrite: true });
  process.stdout.write(JSON.stringify({ signMs: performance.now() - t1 }) + "\n");
} else if (mode === "kyso-token") {
  const s = await Pkcs11Signer.open({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, pin: async () => token.userPin });
  const t1 = performance.now();
  await signPdfFile(file, out, s, { overwrite: true });
  process.stdout.write(JSON.stringify({ signMs: performance.now() - t1 }) + "\n");
  await s.close();
} else if (mode === "signpdf") {
  writeFileSync(out, await signWithSignpdf("plain", readFileSync(file), readFileSync(pki.officerRsa.p12), p12Password));
}
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, maxRssKiB: process.resourceUsage().maxRSS }) + "\n");
