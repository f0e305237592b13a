import { DIGEST_OIDS, KysoError, parseCertificate, type DigestAlgorithm, type KeyAlgorithm } from "@kyso/core";
import { authorizeStatusFlow, waitForApproval, type ApprovalWaitOptions } from "./approval.js";
import { cscError } from "./errors.js";
import { TokenEndpoint, TokenKeeper, authorizationCodeWithPkce, type TokenAnswer } from "./oauth.js";
import { CscTransport, type AccessTokenSource, type FetchLike } from "./transport.js";

/** How the client authenticates to the service (CSC API v2.0 §8). */
export type CscAuth =
  /** OAuth 2.0 client credentials: a service account. */
  | { kind: "client"; clientId: string; clientSecret: string; scope?: string }
  /** OAuth 2.0 authorization code with PKCE: the officer logs in in a browser. */
  | { kind: "browser"; clientId: string; clientSecret?: string; openBrowser: (url: string) => Promise<void> | void; timeoutMs?: number; signal?: AbortSignal; lang?: string }
  /** `auth/login` with HTTP Basic (CSC API v1.0.4 §11.2, v2.0 §11.2). */
  | { kind: "basic"; username: string; password: string }
  /** A bearer token obtained elsewhere. */
  | { kind: "token"; accessToken: string };

/** The answer of `info`, the fields Kyso reads (CSC API v2.0 §11.1). */
export interface CscInfo {
  specs: string;
  name?: string;
  region?: string;
  lang?: string;
  authType?: string[];
  oauth2?: string;
  methods?: string[];
  [k: string]: unknown;
}

/** What a credential is, normalized across API versions (CSC API v2.0 §11.5, v1.0.4 §11.5). */
export interface CscCredential {
  id: string;
  description?: string;
  /** Leaf first, then the chain as the service gives it (DER). */
  certificates: Uint8Array[];
  keyAlgorithm: KeyAlgorithm;
  /** key.algo: the signature algorithms the key supports (OIDs). */
  keyAlgorithmOids: string[];
  keyLength?: number;
  keyStatus?: string;
  certificateStatus?: string;
  /** Signatures one authorization may cover (and hashes per signHash). */
  multisign: number;
  /** Sole Control Assurance Level: "2" binds the activation data to the hashes. */
  scal: "1" | "2";
  authMode: string;
  pin: { required: boolean; label?: string; format?: string };
  otp: { required: boolean; type?: "offline" | "online"; label?: string };
  subjectDN?: string;
  validTo?: string;
}

/** Signature activation data (SAD): kept in memory, used once for the hashes it covers. */
export interface Activation {
  sad: string;
  /** ms since the epoch after which it is no longer good (with margin). */
  expiresAt: number;
  hashes: readonly string[];
}

/** Asked by `authorize` for what the credential demands: never logged, never in an error. */
export interface CscSecretRequest {
  kind: "PIN" | "OTP";
  credentialID: string;
  /** The service's label for the field, when it gives one. */
  label?: string;
  /** How many hashes (documents) this authorization is for. */
  count: number;
  /** OTP: the service has just been asked to send one to the officer (an online OTP, `credentials/sendOTP`). */
  sent?: boolean;
}
export type CscSecretPrompt = (request: CscSecretRequest) => Promise<string>;

export interface CscClientOptions {
  auth: CscAuth;
  fetch?: FetchLike;
  /** Per-request timeout, ms (default 60 s). */
  timeoutMs?: number;
  now?: () => number;
}

/** Default multisign when a (v2 draft) service says only `multisign: true`. */
const MULTISIGN_WHEN_TRUE = 100;

export const SIGN_ALGO_OIDS = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  "sha256WithRSAEncryption": "1.2.840.113549.1.1.11",
  "sha384WithRSAEncryption": "1.2.840.113549.1.1.12",
  "sha512WithRSAEncryption": "1.2.840.113549.1.1.13",
  rsassaPss: "1.2.840.113549.1.1.10",
  ecPublicKey: "1.2.840.10045.2.1",
  "ecdsa-with-SHA256": "1.2.840.10045.4.3.2",
  "ecdsa-with-SHA384": "1.2.840.10045.4.3.3",
  "ecdsa-with-SHA512": "1.2.840.10045.4.3.4",
} as const;

const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

/**
 * A client of a CSC API service (Cloud Signature Consortium API v2.0, and v1.0.4 where the two
 * differ: `hash`/`hashAlgo` instead of `hashes`/`hashAlgorithmOID`). Tokens and activation data
 * live in this object only.
 */
export class CscClient {
  private constructor(
    readonly transport: CscTransport,
    readonly info: CscInfo,
    readonly auth: AccessTokenSource & { obtained?: number },
    private readonly now: () => number,
  ) {}

  /** Reads `info` and authenticates as `options.auth` says (the first token is obtained now). */
  static async connect(root: string, options: CscClientOptions): Promise<CscClient> {
    const transport = new CscTransport(root.replace(/\/+$/, ""), { fetch: options.fetch, timeoutMs: options.timeoutMs });
    const info = await transport.call<CscInfo>("info", {});
    if (!info || typeof info.specs !== "string") throw cscError("CSC_PROTOCOL", `${root} does not look like a CSC API service (info has no specs)`);
    const auth = CscClient.tokenSource(transport, info, options);
    await auth.token();
    return new CscClient(transport, info, auth, options.now ?? Date.now);
  }

  private static tokenSource(transport: CscTransport, info: CscInfo, options: CscClientOptions): AccessTokenSource & { obtained?: number } {
    const a = options.auth;
    if (a.kind === "token") return { token: async () => a.accessToken, invalidate: () => undefined };
    if (a.kind === "basic") {
      const basic = `Basic ${Buffer.from(`${a.username}:${a.password}`, "utf8").toString("base64")}`;
      const login = (): Promise<TokenAnswer> => transport.call<TokenAnswer>("auth/login", {}, undefined, { authorization: basic });
      const refresh = (refreshToken: string): Promise<TokenAnswer> => transport.call<TokenAnswer>("auth/login", { refresh_token: refreshToken });
      return new TokenKeeper(login, refresh, options.now);
    }
    if (!info.oauth2) throw cscError("CSC_AUTH_FAILED", "The signing service offers no OAuth 2.0 server (info has no oauth2); use auth/login");
    const endpoint = new TokenEndpoint(transport, info.oauth2, a.clientId, a.clientSecret);
    if (a.kind === "client") return new TokenKeeper(() => endpoint.clientCredentials(a.scope ?? "service"), (r) => endpoint.refresh(r), options.now);
    return new TokenKeeper(
      () => authorizationCodeWithPkce(endpoint, { openBrowser: a.openBrowser, timeoutMs: a.timeoutMs, signal: a.signal, lang: a.lang }),
      (r) => endpoint.refresh(r),
      options.now,
    );
  }

  /** "2" for CSC API 2.x, "1" for 1.0.x (from `info.specs`). */
  get apiVersion(): "1" | "2" {
    return /^1\./.test(this.info.specs) ? "1" : "2";
  }

  /** The ids of every credential the account may use (all pages). */
  async listCredentials(): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const a = await this.transport.call<{ credentialIDs?: string[]; nextPageToken?: string }>(
        "credentials/list",
        { maxResults: 100, ...(pageToken ? { pageToken } : {}) },
        this.auth,
      );
      if (!Array.isArray(a.credentialIDs)) throw cscError("CSC_PROTOCOL", "credentials/list gave no credentialIDs");
      ids.push(...a.credentialIDs);
      if (!a.nextPageToken) break;
      pageToken = a.nextPageToken;
    }
    return ids;
  }

  /** `credentials/info` with the whole chain and the authentication data, normalized. */
  async credentialInfo(credentialID: string): Promise<CscCredential> {
    const a = await this.transport.call<Record<string, any>>("credentials/info", { credentialID, certificates: "chain", certInfo: true, authInfo: true }, this.auth);
    return normalizeCredential(credentialID, a);
  }

  /**
   * `credentials/authorize` for these hashes (SCAL2: the activation data covers exactly them). The
   * PIN and OTP the credential demands are asked through `secrets`; an asynchronous "pending"
   * answer is waited for as `approval` says.
   */
  async authorize(
    credential: CscCredential,
    hashes: readonly Uint8Array[],
    digest: DigestAlgorithm,
    secrets: CscSecretPrompt,
    approval: ApprovalWaitOptions & { asynchronous?: boolean } = {},
    description?: string,
  ): Promise<Activation> {
    const encoded = hashes.map(b64);
    const body: Record<string, unknown> = { credentialID: credential.id, numSignatures: hashes.length };
    if (this.apiVersion === "1") body.hash = encoded;
    else {
      body.hashes = encoded;
      body.hashAlgorithmOID = DIGEST_OIDS[digest];
    }
    if (description) body.description = description;
    if (approval.asynchronous) body.operationMode = "A";
    if (credential.authMode === "explicit") {
      if (credential.pin.required) body.PIN = await secrets({ kind: "PIN", credentialID: credential.id, label: credential.pin.label, count: hashes.length });
      // Asynchronous approval: the officer's phone is the second factor, no OTP is typed.
      if (credential.otp.required && !approval.asynchronous) {
        // An online OTP (SMS, app) is sent by the service on request, for this authorization, before it is asked.
        const online = credential.otp.type === "online";
        if (online) {
          try {
            await this.transport.call("credentials/sendOTP", { credentialID: credential.id }, this.auth);
          } catch (e) {
            throw withCredential(e, credential.id);
          }
        }
        body.OTP = await secrets({ kind: "OTP", credentialID: credential.id, label: credential.otp.label, count: hashes.length, ...(online ? { sent: true } : {}) });
      }
    }
    const started = this.now();
    let a: Record<string, unknown>;
    try {
      a = await this.transport.call<Record<string, unknown>>("credentials/authorize", body, this.auth);
    } catch (e) {
      throw withCredential(e, credential.id);
    }
    let sad = typeof a.SAD === "string" ? a.SAD : undefined;
    let expiresIn = typeof a.expiresIn === "number" ? a.expiresIn : undefined;
    if (!sad) {
      const flow = approval.flow ?? authorizeStatusFlow;
      const pending = flow.recognize(a);
      if (!pending) throw cscError("CSC_PROTOCOL", "credentials/authorize gave neither SAD nor a pending approval");
      const got = await waitForApproval(this.transport, this.auth, pending, hashes.length, approval);
      sad = got.sad;
      expiresIn = got.expiresIn;
    }
    // SAD lifetime: CSC default 3600 s; a margin so that it is not used in its last seconds.
    const ttl = (expiresIn ?? 3600) * 1000;
    return { sad, expiresAt: started + ttl - Math.min(5000, ttl / 5), hashes: encoded };
  }

  /** `signatures/signHash`: one signature per hash, as the service returns them (ECDSA: DER). */
  async signHash(credential: CscCredential, activation: Activation, hashes: readonly Uint8Array[], digest: DigestAlgorithm, signAlgo: string): Promise<Uint8Array[]> {
    const encoded = hashes.map(b64);
    const body: Record<string, unknown> = { credentialID: credential.id, SAD: activation.sad, signAlgo };
    if (this.apiVersion === "1") {
      body.hash = encoded;
      body.hashAlgo = DIGEST_OIDS[digest];
    } else {
      body.hashes = encoded;
      body.hashAlgorithmOID = DIGEST_OIDS[digest];
    }
    const a = await this.transport.call<{ signatures?: unknown }>("signatures/signHash", body, this.auth);
    if (!Array.isArray(a.signatures) || a.signatures.length !== hashes.length || !a.signatures.every((s) => typeof s === "string"))
      throw cscError("CSC_PROTOCOL", `signatures/signHash gave ${Array.isArray(a.signatures) ? a.signatures.length : "no"} signatures for ${hashes.length} hashes`);
    return (a.signatures as string[]).map((s) => new Uint8Array(Buffer.from(s, "base64")));
  }
}

function withCredential(e: unknown, credentialID: string): unknown {
  if (!(e instanceof KysoError)) return e;
  const d = (e.details ?? {}) as Record<string, unknown>;
  const said = typeof d.errorDescription === "string" ? ` (${d.errorDescription})` : "";
  if (e.code === "CSC_INVALID_PIN") return new KysoError(e.code, `Wrong PIN for the remote credential "${credentialID}"${said}`, { details: { ...d, credentialID }, cause: e });
  if (e.code === "CSC_INVALID_OTP") return new KysoError(e.code, `Wrong OTP for the remote credential "${credentialID}"${said}`, { details: { ...d, credentialID }, cause: e });
  if (e.code === "CSC_ACCESS_DENIED") return new KysoError(e.code, `The signing service refused to authorize the credential "${credentialID}"${said}`, { details: { ...d, credentialID }, cause: e });
  return e;
}

const presence = (v: unknown): boolean => v === true || v === "true";

/** credentials/info (v2 with `auth.objects` or v1.0.4 with `PIN`/`OTP`/`authMode`) to one shape. */
export function normalizeCredential(id: string, a: Record<string, any>): CscCredential {
  const certs: string[] = Array.isArray(a?.cert?.certificates) ? a.cert.certificates : [];
  if (certs.length === 0) throw cscError("CSC_CREDENTIAL_UNUSABLE", `The credential "${id}" comes without a certificate`);
  let certificates: Uint8Array[];
  let keyAlgorithm: KeyAlgorithm;
  try {
    certificates = certs.map((c) => new Uint8Array(Buffer.from(c, "base64")));
    keyAlgorithm = parseCertificate(certificates[0]).keyAlgorithm;
  } catch (e) {
    throw cscError("CSC_CREDENTIAL_UNUSABLE", `The certificate of the credential "${id}" cannot be read`, {}, e);
  }
  const ms = a.multisign;
  const multisign = typeof ms === "number" && ms >= 1 ? Math.floor(ms) : ms === true ? MULTISIGN_WHEN_TRUE : typeof ms === "string" && /^\d+$/.test(ms) && Number(ms) >= 1 ? Number(ms) : 1;
  const objects: { type?: string; id?: string; label?: string; format?: string; generator?: string }[] = Array.isArray(a?.auth?.objects) ? a.auth.objects : [];
  const pinObj = objects.find((o) => /pin/i.test(o.id ?? ""));
  const otpObj = objects.find((o) => /otp/i.test(o.id ?? ""));
  const authMode = String(a.authMode ?? a?.auth?.mode ?? "explicit");
  return {
    id,
    description: typeof a.description === "string" ? a.description : undefined,
    certificates,
    keyAlgorithm,
    keyAlgorithmOids: Array.isArray(a?.key?.algo) ? a.key.algo.map(String) : [],
    keyLength: typeof a?.key?.len === "number" ? a.key.len : undefined,
    keyStatus: typeof a?.key?.status === "string" ? a.key.status : undefined,
    certificateStatus: typeof a?.cert?.status === "string" ? a.cert.status : undefined,
    multisign,
    scal: String(a.SCAL ?? "1") === "2" ? "2" : "1",
    authMode,
    pin: { required: presence(a?.PIN?.presence) || !!pinObj, label: a?.PIN?.label ?? pinObj?.label, format: a?.PIN?.format ?? pinObj?.format },
    otp: { required: presence(a?.OTP?.presence) || !!otpObj, type: a?.OTP?.type === "online" ? "online" : a?.OTP ? "offline" : undefined, label: a?.OTP?.label ?? otpObj?.label },
    subjectDN: typeof a?.cert?.subjectDN === "string" ? a.cert.subjectDN : undefined,
    validTo: typeof a?.cert?.validTo === "string" ? a.cert.validTo : undefined,
  };
}
