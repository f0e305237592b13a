/** The worker side of VerifyPool: runs the jobs sent by the pool (PDFs, and the kinds of jobModules). */
import { parentPort, workerData, type TransferListItem } from "node:worker_threads";
import { CertificatePool } from "@kyso/cms";
import { verifyPdf } from "./verify.js";
import { RevocationCache, httpFetcher, type RevocationMode } from "./revocation.js";
import { validateCertificate } from "./certificate-validation.js";
import type { JobContext, JobRunner } from "./pool.js";

interface Task {
  id: number;
  kind: string;
  bytes?: Uint8Array;
  path?: string;
  name: string;
  params?: unknown;
}

const data = workerData as { trustAnchors: Uint8Array[]; intermediates: Uint8Array[]; revocation: RevocationMode; fetchTimeoutMs: number; cacheDir?: string; jobModules: Record<string, string> };
const online = data.revocation === "online";
// One certificate pool and one revocation cache per worker: a service sees the same CAs all day.
const options = {
  trustAnchors: data.trustAnchors,
  intermediates: data.intermediates,
  revocation: data.revocation,
  fetcher: online ? httpFetcher(data.fetchTimeoutMs) : undefined,
  cache: new RevocationCache(10 * 60_000, data.cacheDir),
  pool: new CertificatePool(),
};
const context: JobContext = {
  verifyPdf: (input) => verifyPdf(input, options),
  validateCertificate: (der, extra) => validateCertificate(der, extra, options),
  trustAnchors: data.trustAnchors,
};
const runners = new Map<string, Promise<JobRunner>>();

function runner(kind: string): Promise<JobRunner> {
  let r = runners.get(kind);
  if (!r) {
    r = import(data.jobModules[kind]).then((m: { run: JobRunner }) => m.run);
    runners.set(kind, r);
  }
  return r;
}

async function perform(task: Task): Promise<{ result: unknown; transfer?: TransferListItem[] }> {
  if (task.kind === "pdf") return { result: await verifyPdf(task.bytes ? { bytes: task.bytes, name: task.name } : { path: task.path!, name: task.name }, options) };
  return (await runner(task.kind))({ bytes: task.bytes, path: task.path, name: task.name, params: task.params }, context);
}

parentPort!.on("message", (task: Task) => {
  perform(task).then(
    ({ result, transfer }) => parentPort!.postMessage({ id: task.id, result }, transfer),
    (e: unknown) => parentPort!.postMessage({ id: task.id, error: { message: (e as Error).message, code: (e as { code?: string }).code } }),
  );
});
