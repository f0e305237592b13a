/** The worker side of VerifyPool: verifies documents sent by the pool, one at a time. */
import { parentPort, workerData } from "node:worker_threads";
import { verifyPdf } from "./verify.js";
import type { RevocationMode } from "./revocation.js";
import { httpFetcher } from "./revocation.js";

interface Task {
  id: number;
  bytes?: Uint8Array;
  path?: string;
  name: string;
}

const data = workerData as { trustAnchors: Uint8Array[]; revocation: RevocationMode; fetchTimeoutMs: number };
const fetcher = data.revocation === "online" ? httpFetcher(data.fetchTimeoutMs) : undefined;

parentPort!.on("message", (task: Task) => {
  const input = task.bytes ? { bytes: task.bytes, name: task.name } : { path: task.path!, name: task.name };
  verifyPdf(input, { trustAnchors: data.trustAnchors, revocation: data.revocation, fetcher }).then(
    (report) => parentPort!.postMessage({ id: task.id, report }),
    (e: unknown) => parentPort!.postMessage({ id: task.id, error: { message: (e as Error).message, code: (e as { code?: string }).code } }),
  );
});
