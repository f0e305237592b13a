/**
 * The "edxml" job of the verification pool (VerifyPoolOptions.jobModules): parses and verifies an
 * edXML package inside a worker thread, never on the service's event loop, and verifies its PDFs in
 * the same worker. Returns the report and each decoded attachment (transferred, not copied).
 */
import { readFile } from "node:fs/promises";
import { verifyEdxml, type PackageReport, type VerifyEdxmlOptions } from "@kyso/edxml";
import type { FileReport, JobContext, JobRunner } from "@kyso/verify";

export interface EdxmlJobResult {
  report: PackageReport<FileReport>;
  /** Decoded attachments by index (as the report's `attachments[i].index`). */
  attachments: [number, Uint8Array][];
}

/**
 * Settings of the package check that the service hands to every edxml job (structured-cloned to the
 * worker: plain data only), e.g. the OrganId -> certificate mapping of sender binding.
 */
export type EdxmlJobParams = Partial<Pick<VerifyEdxmlOptions<FileReport>, "limits" | "concurrency">> & Record<string, unknown>;

export const run: JobRunner = async (input, context: JobContext) => {
  const bytes = input.bytes ?? new Uint8Array(await readFile(input.path!));
  const attachments: [number, Uint8Array][] = [];
  const report = await verifyEdxml(
    { bytes, name: input.name },
    {
      ...((input.params ?? {}) as EdxmlJobParams),
      trustAnchors: context.trustAnchors,
      validateCertificate: (der, extra) => context.validateCertificate(der, extra),
      verifyPdf: (a) => context.verifyPdf({ bytes: a.bytes, name: a.name }),
      onAttachment: (i, a) => attachments.push([i, a.bytes]),
    },
  );
  const result: EdxmlJobResult = { report, attachments };
  // Each attachment's own buffer is moved to the main thread when it is not a view of a shared one.
  const transfer = attachments.map(([, b]) => b.buffer).filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i && b.byteLength === attachments[i][1].byteLength);
  return { result, transfer };
};

/** The URL the pool's workers import this job from. */
export const edxmlJobModule = new URL(import.meta.url).href;
