import type { RawSigner } from "@kyso/core";
import type { CertificateCheckOptions } from "@kyso/sign";
import type { AgentLog } from "./log-events.js";

/** The Decree 30/2020 appearance kinds, and `none` for an invisible signature. */
export type AgentAppearanceKind = "personal" | "organization" | "incoming" | "attachment" | "copy" | "none";

/** One document as the officer is shown it before saying yes. */
export interface ConfirmDocument {
  name: string;
  pages: number;
  sizeBytes: number;
  kind: AgentAppearanceKind;
}

/** What the agent asks the officer to approve: a signing (one or many documents) or a pairing. */
export interface ConfirmRequest {
  /** Random id of the request (the confirmation page's handle). */
  id: string;
  /** The calling site, e.g. `https://vanban.phuyen.gov.vn`. */
  origin: string;
  /** `pair` (first connection of an origin), else the function (`SignApproved`, `sign`, `batch`, `signHash`, …). */
  operation: string;
  documents: ConfirmDocument[];
  /** Aborted when the request times out or the caller goes away: the prompt should drop it. */
  signal?: AbortSignal;
}

export interface PinRequest {
  id: string;
  origin: string;
  /** The token's label or the signer's description. */
  token: string;
  signal?: AbortSignal;
}

/** What a signer may need typed: a token's or remote credential's PIN, a one-time code, a PKCS#12 file's password. */
export type SecretKind = "pin" | "otp" | "password";

export interface SecretRequest extends PinRequest {
  kind: SecretKind;
  /** What it is for, shown beside the field: `token "KYSO-DEMO"`, `credential "officer-ec"`, a file name. */
  label: string;
}

/** A remote signing waiting for the officer's approval on the phone (CSC asynchronous mode). */
export interface WaitingRequest {
  id: string;
  origin: string;
  /** Documents (hashes) the approval is for. */
  count: number;
  /** How long the agent waits for it, ms. */
  timeoutMs: number;
}

/**
 * The prompt seam: a desktop dialog, the confirmation page, the terminal, or a test's own. `pin`
 * returns null when the officer cancels. A PIN is never logged and never leaves the agent.
 * `secret` (when present) asks for any kind of secret (PIN, OTP, password) and is preferred over
 * `pin`; without it every secret is asked through `pin`. `waiting` shows that a request waits for an
 * approval elsewhere (the officer's phone) and returns the function that takes the notice down.
 */
export interface AgentPrompt {
  confirm(request: ConfirmRequest): Promise<boolean>;
  pin(request: PinRequest): Promise<string | null>;
  secret?(request: SecretRequest): Promise<string | null>;
  waiting?(request: WaitingRequest): () => void;
}

/** A signer the agent keeps open (and logged in) for the idle time. */
export interface OpenedAgentSigner {
  signer: RawSigner;
  /** e.g. `token "KYSO-DEMO", key "officer"`. */
  describe: string;
  close(): Promise<void>;
  /**
   * Whether the token is still there (PKCS#11: CKF_TOKEN_PRESENT and C_GetTokenInfo), asked every
   * few seconds while the session is kept; false ends the session at once. Absent: not watched
   * (a PKCS#12 file, a remote credential).
   */
  present?: () => boolean | Promise<boolean>;
}

export interface SignerOpenHooks {
  /** Called at most once, right before the single login attempt; `label` says which token (`token "KYSO-DEMO"`). */
  pin: (label?: string) => Promise<string>;
  /**
   * Checks the key's certificate before the PIN is asked (the token's other certificates are
   * offered for the chain); throwing stops before any login.
   */
  beforeLogin: (certificate: Uint8Array, offered: readonly Uint8Array[]) => Promise<void>;
  /**
   * Asks the officer of the request being signed for a secret: a PKCS#12 password when opening, a
   * remote credential's PIN and OTP for each authorization (a CSC SAD is bound to its hashes, so
   * every request authorizes its own documents). Throws when the officer cancels.
   */
  secret?: (request: { kind: SecretKind; label: string }) => Promise<string>;
  /** Told when a remote signing waits for the officer's phone, and when it was approved. */
  approval?: (progress: { phase: "waiting" | "approved"; count: number; timeoutMs: number }) => void;
}

/** A certificate found on an inserted token (GetCertInfo, `certificates`). */
export interface TokenCertificate {
  token: string;
  label: string;
  /** CKA_ID, hexadecimal. */
  id: string;
  der: Uint8Array;
}

/** Opens the token (or file) signer. The agent owns what it opens and closes it when idle. */
export interface SignerFactory {
  open(hooks: SignerOpenHooks): Promise<OpenedAgentSigner>;
  /** The certificates on the inserted tokens, read without login. */
  certificates(): Promise<TokenCertificate[]>;
}

export interface AgentLimits {
  /** Largest document downloaded (default 50 MiB). */
  maxDownloadBytes?: number;
  /** Per download or upload (default 30 s). */
  downloadTimeoutMs?: number;
  /** How long a request waits for the officer's yes (default 120 s); then it ends with its own Status. */
  confirmTimeoutMs?: number;
  /** Largest request body or WebSocket message (default 64 MiB). */
  maxMessageBytes?: number;
  /** Documents in one batch (default 500). */
  maxBatch?: number;
}

export interface AgentOptions {
  /** Always loopback; anything else is refused. Default 127.0.0.1. */
  host?: string;
  /** Default 8987; 0 for an ephemeral port (tests). */
  port?: number;
  /** PEM certificate and key; absent: plain ws:// and http:// (`--no-tls`). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Origins (scheme://host[:port]) allowed to connect; everything else is refused at the handshake. */
  allowedOrigins: string[];
  /** Extra hosts (host or host:port) an origin may have documents downloaded from and uploaded to. */
  originHosts?: Record<string, string[]>;
  /** Allow http:// download and upload URLs (default: https only). */
  allowHttp?: boolean;
  /** Extra CA certificates (PEM) trusted for https document servers, beside Node's bundled ones. */
  downloadCa?: (string | Buffer)[];
  /** JSON file remembering the paired origins. */
  pairingStore: string;
  /**
   * The prompt; default: the confirmation page served at /confirm. A function receives the page
   * prompt (for a prompt that falls back to it, e.g. a desktop dialog when no display answers).
   */
  prompt?: AgentPrompt | ((page: AgentPrompt) => AgentPrompt);
  signerFactory: SignerFactory;
  /** How long the token session stays logged in without use (default 10 minutes). */
  idleTimeoutMs?: number;
  /**
   * While a session is kept: how often the token's presence (OpenedAgentSigner.present) and the
   * screen lock are looked at (default 2 s). A removed token or a locked screen ends the session.
   */
  sessionWatchMs?: number;
  /** True when the officer's screen is locked (e.g. logind's LockedHint); absent: not watched. */
  screenLocked?: () => Promise<boolean>;
  /** JSON Lines audit log (time, origin, operation, document SHA-256, outcome; never a PIN). */
  auditLog: string;
  limits?: AgentLimits;
  /** The check of the signer's certificate before signing, as `kyso sign` makes it (trust anchors, revocation mode, fetcher, cache). */
  certificateCheck?: Omit<CertificateCheckOptions, "offered" | "purpose">;
  /** Options for VerifyPDF / `verify` (trust anchors, revocation mode); passed to @kyso/verify's verifyPdf. */
  verifyOptions?: Record<string, unknown>;
  /** TSA URLs used for levels B-T and above when the request names none. */
  tsaUrls?: string[];
  /**
   * Where diagnostics go (default: nowhere), as events: a code, its facts and a plain-English
   * message (log-events.ts); a front end says them in its user's language. Never receives a PIN.
   */
  log?: AgentLog;
  /** Language of the confirmation page (default vi). */
  lang?: "vi" | "en";
}

export interface RunningAgent {
  /** `wss://127.0.0.1:PORT` or `ws://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** `https://127.0.0.1:PORT` or `http://…`: the confirmation page is at `${httpUrl}/confirm`. */
  httpUrl: string;
  close(): Promise<void>;
}
