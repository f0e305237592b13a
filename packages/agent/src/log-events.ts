import type { CertificateWarning } from "@kyso/sign";

/**
 * What the agent tells its operator while it runs, as data: a stable code, the facts (params) and
 * a plain-English `message` for library users and logs. The agent holds no presentation: a
 * front end (the `kyso agent` command) says each event in its user's language from the code and
 * the facts. Never carries a PIN, password, OTP or key.
 */
export type AgentLogEvent =
  /** The server is up: `url` is `ws://` or `wss://127.0.0.1:PORT`, `confirm` the confirmation page. */
  | Event<"AGENT_LISTENING", { url: string; confirm: string; origins: readonly string[] }>
  /** A WebSocket handshake from a page not on the allow-list (or a foreign Host), answered 403. */
  | Event<"AGENT_HANDSHAKE_REFUSED", { origin: string | null }>
  /** An HTTP request to /v1/… from a page not on the allow-list, answered 403. */
  | Event<"AGENT_REQUEST_REFUSED", { method: string; path: string; origin: string | null }>
  /** A page on the allow-list connected over WebSocket. */
  | Event<"AGENT_CONNECTED", { origin: string }>
  /** The token (or file, or remote credential) was opened and logged in; `signer` names it. */
  | Event<"AGENT_SESSION_OPENED", { signer: string }>
  /** The kept session ended: see SessionEnd. */
  | Event<"AGENT_SESSION_CLOSED", SessionEnd>
  /** The confirmation page shows a new card (PIN, OTP, password, signing or pairing) at `confirm`. */
  | Event<"AGENT_PROMPT_PENDING", { kind: "pin" | "otp" | "password" | "signing" | "pairing"; origin: string; confirm: string }>
  /** The confirmation page shows that a remote signing waits for the officer's phone. */
  | Event<"AGENT_PHONE_CARD", { origin: string; confirm: string }>
  /** A remote signing service waits for the officer's approval on the phone. */
  | Event<"AGENT_PHONE_WAITING", { count: number; origin: string }>
  /** The check before signing passed with a warning (chain incomplete, root not trusted, …). */
  | Event<"AGENT_CERTIFICATE_WARNING", { warning: CertificateWarning }>
  /** The appearance was drawn with a warning (`code` from @kyso/appearance when it gives one). */
  | Event<"AGENT_APPEARANCE_WARNING", { code?: string; message: string }>
  /** An HTTP request failed inside the agent (answered 500); `error` is what was thrown. */
  | Event<"AGENT_REQUEST_FAILED", { error: unknown }>
  /** A WebSocket message failed inside the agent (answered Internal error). */
  | Event<"AGENT_MESSAGE_FAILED", { error: unknown }>
  /** A line could not be written to the audit log. */
  | Event<"AGENT_AUDIT_FAILED", { error: unknown }>;

interface Event<C extends string, P> {
  code: C;
  params: P;
  /** The event in plain English (as the agent logged it before events had codes). */
  message: string;
}

export type AgentLogCode = AgentLogEvent["code"];

/**
 * Why a kept token session ended: the token reported a dead session (`code`, e.g.
 * CKR_SESSION_HANDLE_INVALID), the token was removed, the screen was locked, it was idle for
 * `seconds`, or the agent stopped.
 */
export type SessionEnd =
  | { reason: "ended"; code: string }
  | { reason: "removed" }
  | { reason: "locked" }
  | { reason: "idle"; seconds: number }
  | { reason: "stopped" };

export type AgentLog = (event: AgentLogEvent) => void;

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const sessionEndText = (end: SessionEnd): string => {
  switch (end.reason) {
    case "ended":
      return `the token session ended (${end.code})`;
    case "removed":
      return "the token was removed";
    case "locked":
      return "the screen was locked";
    case "idle":
      return `idle for ${end.seconds} s`;
    case "stopped":
      return "the agent stopped";
  }
};

const PROMPT_WORD = { pin: "PIN", otp: "OTP", password: "password", signing: "signing", pairing: "pairing" } as const;

/** The events with their English message, made where the agent logs (one place for the wording). */
export const agentEvent = {
  listening: (params: { url: string; confirm: string; origins: readonly string[] }): AgentLogEvent => ({
    code: "AGENT_LISTENING",
    params,
    message: `listening on ${params.url} (confirmation page ${params.confirm}); allowed origins: ${params.origins.join(", ") || "none"}`,
  }),
  handshakeRefused: (origin: string | undefined): AgentLogEvent => ({
    code: "AGENT_HANDSHAKE_REFUSED",
    params: { origin: origin ?? null },
    message: `refused WebSocket handshake from origin ${origin ?? "(none)"}`,
  }),
  requestRefused: (method: string, path: string, origin: string | undefined): AgentLogEvent => ({
    code: "AGENT_REQUEST_REFUSED",
    params: { method, path, origin: origin ?? null },
    message: `refused ${method} ${path} from origin ${origin ?? "(none)"}`,
  }),
  connected: (origin: string): AgentLogEvent => ({ code: "AGENT_CONNECTED", params: { origin }, message: `connected: ${origin}` }),
  sessionOpened: (signer: string): AgentLogEvent => ({ code: "AGENT_SESSION_OPENED", params: { signer }, message: `token session opened: ${signer}` }),
  sessionClosed: (end: SessionEnd): AgentLogEvent => ({ code: "AGENT_SESSION_CLOSED", params: end, message: `token session closed: ${sessionEndText(end)}` }),
  promptPending: (kind: keyof typeof PROMPT_WORD, origin: string, confirm: string): AgentLogEvent => ({
    code: "AGENT_PROMPT_PENDING",
    params: { kind, origin, confirm },
    message: `${PROMPT_WORD[kind]} request from ${origin}: ${confirm}`,
  }),
  phoneCard: (origin: string, confirm: string): AgentLogEvent => ({
    code: "AGENT_PHONE_CARD",
    params: { origin, confirm },
    message: `approval request from ${origin} waits for the officer's phone: ${confirm}`,
  }),
  phoneWaiting: (count: number, origin: string): AgentLogEvent => ({
    code: "AGENT_PHONE_WAITING",
    params: { count, origin },
    message: `waiting for approval on the officer's phone (${count} document(s), ${origin})`,
  }),
  certificateWarning: (warning: CertificateWarning): AgentLogEvent => ({
    code: "AGENT_CERTIFICATE_WARNING",
    params: { warning },
    message: `certificate warning: ${warning.code}: ${warning.message}`,
  }),
  appearanceWarning: (message: string, code?: string): AgentLogEvent => ({
    code: "AGENT_APPEARANCE_WARNING",
    params: code ? { code, message } : { message },
    message: `appearance: ${message}`,
  }),
  requestFailed: (error: unknown): AgentLogEvent => ({ code: "AGENT_REQUEST_FAILED", params: { error }, message: `request failed: ${errorMessage(error)}` }),
  messageFailed: (error: unknown): AgentLogEvent => ({ code: "AGENT_MESSAGE_FAILED", params: { error }, message: `message failed: ${errorMessage(error)}` }),
  auditFailed: (error: unknown): AgentLogEvent => ({ code: "AGENT_AUDIT_FAILED", params: { error }, message: `audit log: ${errorMessage(error)}` }),
};
