// A peer for the benchmarks: signs one PDF with @signpdf and a PKCS#12 file, as a whole process.
// Usage: node bench/dist/signpdf-one.js plain|pdf-lib IN OUT P12 PASSWORD
import { readFileSync, writeFileSync } from "node:fs";
import { signWithSignpdf } from "./signpdf-peer.js";

const [mode, input, output, p12, password] = process.argv.slice(2);
const signed = await signWithSignpdf(mode as "plain" | "pdf-lib", readFileSync(input), readFileSync(p12), password);
writeFileSync(output, signed);
