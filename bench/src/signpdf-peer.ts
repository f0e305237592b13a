// @signpdf (node-signpdf) used as its documentation shows: a placeholder (plain or pdf-lib), then P12Signer.
import signpdfModule from "@signpdf/signpdf";
import { P12Signer } from "@signpdf/signer-p12";
import { plainAddPlaceholder } from "@signpdf/placeholder-plain";
import { pdflibAddPlaceholder } from "@signpdf/placeholder-pdf-lib";
import { PDFDocument } from "pdf-lib";

// The package is CommonJS with a default export: under Node's ESM interop it may arrive wrapped once more.
type SignPdfApi = { sign(pdf: Buffer, signer: P12Signer): Promise<Buffer> };
const signpdf = ((signpdfModule as unknown as { default?: SignPdfApi }).default ?? signpdfModule) as unknown as SignPdfApi;

export async function signWithSignpdf(mode: "plain" | "pdf-lib", pdf: Buffer, p12: Buffer, passphrase: string): Promise<Buffer> {
  return signWithSignpdfSigner(mode, pdf, new P12Signer(p12, { passphrase }));
}

/** The same with a P12Signer made once (the in-process loop: the PKCS#12 file is parsed once, as kyso's is). */
export async function signWithSignpdfSigner(mode: "plain" | "pdf-lib", pdf: Buffer, signer: P12Signer): Promise<Buffer> {
  let withPlaceholder: Buffer;
  if (mode === "plain") {
    withPlaceholder = plainAddPlaceholder({ pdfBuffer: pdf, reason: "Benchmark", contactInfo: "bench@kyso", name: "Kyso bench", location: "Phu Yen" });
  } else {
    const doc = await PDFDocument.load(pdf);
    pdflibAddPlaceholder({ pdfDoc: doc, reason: "Benchmark", contactInfo: "bench@kyso", name: "Kyso bench", location: "Phu Yen" });
    withPlaceholder = Buffer.from(await doc.save({ useObjectStreams: false }));
  }
  return signpdf.sign(withPlaceholder, signer);
}
