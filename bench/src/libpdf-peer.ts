// @libpdf/core used as its README shows: PDF.load, P12Signer.create, pdf.sign({ signer, reason }).
// It has no signature verifier (0.4.x): the verify benchmark says so instead of timing one.
import { PDF, P12Signer } from "@libpdf/core";

export async function libpdfSigner(p12: Uint8Array, password: string): Promise<P12Signer> {
  return P12Signer.create(p12, password);
}

export async function signWithLibpdf(pdf: Uint8Array, signer: P12Signer): Promise<Uint8Array> {
  const doc = await PDF.load(pdf);
  const { bytes } = await doc.sign({ signer, reason: "Benchmark" });
  return bytes;
}
