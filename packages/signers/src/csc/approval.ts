import { cscError } from "./errors.js";
import type { AccessTokenSource, CscTransport } from "./transport.js";

/**
 * Asynchronous approval: services (most Vietnamese remote-signing providers among them) that answer
 * `credentials/authorize` with "pending" and expect polling while the officer approves on a phone.
 * The CSC API leaves this to each service; an `AsyncApprovalFlow` describes one service family's
 * shape, and `waitForApproval` does the waiting (interval, total timeout, progress, cancel).
 */
export interface PendingApproval {
  /** The service's handle on this request. */
  responseID: string;
  /** Poll interval the service asks for, ms. */
  intervalMs: number;
  /** How long the service keeps the request open, ms (when it says). */
  expiresInMs?: number;
}

export type ApprovalState = { status: "PENDING" } | { status: "APPROVED"; sad: string; expiresIn?: number };

export interface AsyncApprovalFlow {
  /** The pending request in an answer of `credentials/authorize`, or undefined for an immediate answer. */
  recognize(answer: Record<string, unknown>): PendingApproval | undefined;
  /** Asks once how the request stands. A refusal or an expiry throws (CSC_APPROVAL_REJECTED, CSC_APPROVAL_TIMEOUT). */
  poll(transport: CscTransport, auth: AccessTokenSource, pending: PendingApproval): Promise<ApprovalState>;
}

/**
 * The flow of Kyso's test server, modelled on Vietnamese providers: `credentials/authorize` answers
 * `{status: "PENDING", responseID, interval (s), expiresIn (s)}`; `credentials/authorizeStatus
 * {responseID}` answers `{status: "PENDING"}` or `{status: "APPROVED", SAD, expiresIn}`, and 400
 * `access_denied` (refused) or `expired_token` (timed out).
 */
export const authorizeStatusFlow: AsyncApprovalFlow = {
  recognize(answer) {
    if (answer.status !== "PENDING" || typeof answer.responseID !== "string") return undefined;
    const interval = typeof answer.interval === "number" && answer.interval > 0 ? answer.interval : 2;
    return {
      responseID: answer.responseID,
      intervalMs: interval * 1000,
      expiresInMs: typeof answer.expiresIn === "number" && answer.expiresIn > 0 ? answer.expiresIn * 1000 : undefined,
    };
  },
  async poll(transport, auth, pending) {
    const a = await transport.call<Record<string, unknown>>("credentials/authorizeStatus", { responseID: pending.responseID }, auth);
    if (a.status === "APPROVED" && typeof a.SAD === "string") return { status: "APPROVED", sad: a.SAD, expiresIn: typeof a.expiresIn === "number" ? a.expiresIn : undefined };
    if (a.status === "PENDING") return { status: "PENDING" };
    throw cscError("CSC_PROTOCOL", `Unexpected answer of credentials/authorizeStatus (status ${JSON.stringify(a.status)})`);
  },
};

export interface ApprovalProgress {
  phase: "waiting" | "approved";
  responseID: string;
  /** Documents (hashes) the approval is for. */
  count: number;
  elapsedMs: number;
  timeoutMs: number;
}

export interface ApprovalWaitOptions {
  /** The flow (default `authorizeStatusFlow`). */
  flow?: AsyncApprovalFlow;
  /** Poll interval, ms (default: the service's). */
  intervalMs?: number;
  /** Longest wait for one approval, ms (default 5 minutes, or less when the service says so). */
  timeoutMs?: number;
  /** Told when the wait starts (show "Waiting for approval on your phone…"), then at every poll, then once approved. */
  onProgress?: (p: ApprovalProgress) => void;
  /** Ctrl-C: stops waiting (CSC_CANCELLED). */
  signal?: AbortSignal;
  now?: () => number;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): Error => cscError("CSC_CANCELLED", "Cancelled while waiting for approval on the phone");
    if (signal?.aborted) return reject(cancelled());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Polls until approved; throws CSC_APPROVAL_REJECTED, CSC_APPROVAL_TIMEOUT or CSC_CANCELLED otherwise. */
export async function waitForApproval(
  transport: CscTransport,
  auth: AccessTokenSource,
  pending: PendingApproval,
  count: number,
  options: ApprovalWaitOptions = {},
): Promise<{ sad: string; expiresIn?: number }> {
  const flow = options.flow ?? authorizeStatusFlow;
  const now = options.now ?? Date.now;
  const started = now();
  const timeoutMs = Math.min(options.timeoutMs ?? 300_000, pending.expiresInMs ?? Infinity);
  const interval = Math.max(50, options.intervalMs ?? pending.intervalMs);
  const progress = (phase: ApprovalProgress["phase"]): void =>
    options.onProgress?.({ phase, responseID: pending.responseID, count, elapsedMs: now() - started, timeoutMs });
  progress("waiting");
  for (;;) {
    const left = timeoutMs - (now() - started);
    if (left <= 0) throw cscError("CSC_APPROVAL_TIMEOUT", `No approval on the phone within ${Math.round(timeoutMs / 1000)} s`, { responseID: pending.responseID });
    await sleep(Math.min(interval, left), options.signal);
    const state = await flow.poll(transport, auth, pending);
    if (state.status === "APPROVED") {
      progress("approved");
      return { sad: state.sad, expiresIn: state.expiresIn };
    }
    progress("waiting");
  }
}
