/** The worker side of VerifyPool: verifies documents sent by the pool, one at a time. */
import { parentPort, workerData } from "node:worker_threads";
import { CertificatePool } from "@kyso/cms";
import { verifyPdf } from "./verify.js";
import { RevocationCache, httpFetcher, type RevocationMode } from "./revocation.js";

interface Task {
  id: number;
  bytes?: Uint8Array;
  path?: string;
  name: string;
}

const data = workerData as { trustAnchors: Uint8Array[]; intermediates: Uint8Array[]; revocation: RevocationMode; fetchTimeoutMs: number; cacheDir?: string };
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

parentPort!.on("message", (task: Task) => {
  const input = task.bytes ? { bytes: task.bytes, name: task.name } : { path: task.path!, name: task.name };
  verifyPdf(input, options).then(
    (report) => parentPort!.postMessage({ id: task.id, report }),
    (e: unknown) => parentPort!.postMessage({ id: task.id, error: { message: (e as Error).message, code: (e as { code?: string }).code } }),
  );
});
