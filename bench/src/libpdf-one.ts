// A peer for the benchmarks: signs one PDF with @libpdf/core and a PKCS#12 file, as a whole process.
// Usage: node bench/dist/libpdf-one.js IN OUT P12 PASSWORD
import { readFileSync, writeFileSync } from "node:fs";
import { libpdfSigner, signWithLibpdf } from "./libpdf-peer.js";

const [input, output, p12, password] = process.argv.slice(2);
writeFileSync(output, await signWithLibpdf(readFileSync(input), await libpdfSigner(readFileSync(p12), password)));
