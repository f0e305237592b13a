import { KysoError, describeError, type RawSigner } from "@kyso/core";
import { commonName } from "@kyso/signers";
import { signPdfFile, type SignOptions } from "./sign-pdf.js";

export interface BatchItem {
  input: string;
  output: string;
}

export type FileStatus = "signed" | "skipped" | "failed";

export interface FileEvent {
  file: string;
  output: string;
  status: FileStatus;
  sha256?: string;
  signer?: string;
  ms: number;
  error?: { code: string; message: string };
}

/** Errors after which no further document can be signed in this run (the token is gone or broken). */
export const FATAL_CODES = new Set(["P11_TOKEN_REMOVED", "P11_DEVICE_ERROR", "P11_CLOSED", "P11_PIN_LOCKED"]);

export interface BatchSummary {
  total: number;
  signed: number;
  skipped: number;
  failed: number;
  /** Set when the run stopped early (token removed, device error). */
  aborted?: { code: string; message: string };
}

/**
 * Signs a list of documents with one signer. A bad document fails alone and the batch goes on; a
 * token failure stops the run, reporting what was done.
 */
export async function signBatch(
  items: readonly BatchItem[],
  signer: RawSigner,
  options: SignOptions & { overwrite?: boolean },
  onEvent: (e: FileEvent) => void = () => undefined,
): Promise<BatchSummary> {
  const summary: BatchSummary = { total: items.length, signed: 0, skipped: 0, failed: 0 };
  const signerName = commonName(signer.certificate);
  for (const item of items) {
    const t0 = performance.now();
    try {
      const r = await signPdfFile(item.input, item.output, signer, options);
      summary.signed++;
      onEvent({ file: item.input, output: item.output, status: "signed", sha256: r.sha256, signer: signerName, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      const code = e instanceof KysoError ? e.code : "INTERNAL";
      summary.failed++;
      onEvent({ file: item.input, output: item.output, status: "failed", ms: Math.round(performance.now() - t0), error: { code, message: describeError(e) } });
      if (FATAL_CODES.has(code)) {
        summary.aborted = { code, message: describeError(e) };
        break;
      }
    }
  }
  return summary;
}
