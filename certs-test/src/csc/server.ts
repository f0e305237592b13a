/**
 * A Cloud Signature Consortium API v2.0 test server (with v1.0.4 path aliases) on 127.0.0.1: the
 * remote-signing service Kyso's CSC client signer is tested against. Keys on the SoftHSM2 demo
 * token, certificates from the test PKI, an OAuth 2.0 authorization server (client credentials,
 * authorization code + PKCE S256, refresh), SCAL2 activation data bound to the authorized hashes,
 * PIN/OTP retry counters and lock, a `multisign` limit, an asynchronous-approval mode (the
 * providers' "approve on your phone" flow), and switches to inject latency and failures.
 * Everything is documented in certs-test/README.md, "CSC test server". Test material only.
 */
import { randomBytes, randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { DIGEST_LENGTHS, digestFromOid, type DigestAlgorithm } from "@kyso/core";
import { envFile, softhsmConf, token as demoToken } from "../layout.js";
import { serverLife } from "../server-life.js";
import { pkcs11Lib, readEnvFile } from "../softhsm-lib.js";
import { CSC_OTP, CSC_PIN, SIGN_OIDS, credentialInfo, loadCredentials, type CscCredential } from "./credentials.js";
import { CscKeyStore } from "./keys.js";
import { CscError, TokenStore, checkClient, clientFrom, errorPage, escapeHtml, loginPage, loopbackRedirect, str, type Principal } from "./oauth.js";

/** Switches a test may change at any time (`configure()` or `POST /csc/test/configure`). */
export interface CscConfig {
  /** Added to every CSC and OAuth call (not to /csc/test). Default 0. */
  latencyMs?: number;
  /** Most hashes per signatures/signHash call, reported by credentials/info. Default 50. */
  multisign?: number;
  /** Lifetime of new access tokens. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Lifetime of new activation data (SAD). Default 300. */
  sadTtlSeconds?: number;
  /** credentials/authorize answers PENDING and waits for /csc/test/approve. Default false. */
  asyncApproval?: boolean;
  /** How long a pending approval waits before it times out. Default 120. */
  approvalTimeoutSeconds?: number;
  /** Fail the next call(s) to `path` (e.g. "signatures/signHash") with this status and error. */
  failNext?: FailNext | null;
  /** Clears the wrong PIN/OTP counters and unlocks every credential. */
  unlock?: boolean;
  /**
   * "offline" (default): the fixed test OTP. "online": credentials/info says `OTP.type: "online"`,
   * `credentials/sendOTP` "sends" a fresh OTP (recorded, read back with GET /csc/test/last-otp), and
   * authorize accepts only the OTP sent last for that credential, once.
   */
  otpType?: "offline" | "online";
}

export interface FailNext {
  path: string;
  /** Default 500. */
  status?: number;
  /** Default "server_error". */
  error?: string;
  error_description?: string;
  /** How many calls fail. Default 1. */
  times?: number;
}

export interface CscServerOptions extends CscConfig {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** PKCS#11 library. Default: KYSO_PKCS11_LIB, out/env.sh, else SoftHSM2's. */
  pkcs11Library?: string;
}

export interface CscStats {
  /** Calls per endpoint (`signatures/signHash`, `credentials/authorize`, `oauth2/token`, …), v1 and v2 paths together. */
  calls: Record<string, number>;
  /** Hashes signed by signatures/signHash. */
  hashesSigned: number;
}

export interface CscServer {
  /** The CSC API base URL, `http://127.0.0.1:PORT/csc/v2`. */
  readonly url: string;
  /** The OAuth 2.0 base (info's `oauth2`): the endpoints are `${oauthUrl}/oauth2/token` and `/oauth2/authorize`. */
  readonly oauthUrl: string;
  stats(): CscStats;
  configure(c: CscConfig): void;
  /** Zeroes the stats, forgets activation data, pending approvals and failures, unlocks, restores the start options. Tokens stay valid. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULTS: Required<Omit<CscConfig, "failNext" | "unlock">> = {
  latencyMs: 0,
  multisign: 50,
  accessTokenTtlSeconds: 3600,
  sadTtlSeconds: 300,
  asyncApproval: false,
  approvalTimeoutSeconds: 120,
  otpType: "offline",
};
const MAX_WRONG = 3;
/** How long an OTP sent by credentials/sendOTP stays good. */
const SENT_OTP_TTL_MS = 300_000;

interface Sad {
  credentialID: string;
  subject: string;
  hashes: Set<string>;
  digest?: DigestAlgorithm;
  remaining: number;
  expiresAt: number;
}

interface Pending {
  responseID: string;
  credentialID: string;
  subject: string;
  hashes: string[];
  digest?: DigestAlgorithm;
  numSignatures: number;
  expiresAt: number;
  state: "PENDING" | "APPROVED" | "REJECTED";
  sad?: string;
}

const METHODS = [
  "info", "auth/login", "auth/revoke", "oauth2/authorize", "oauth2/token", "oauth2/revoke", "credentials/list", "credentials/info",
  "credentials/authorize", "credentials/authorizeStatus", "credentials/sendOTP", "signatures/signHash",
];

/** Combined signature algorithms: the key type they need and the digest they imply. */
const COMBINED: Record<string, { kind: "RSA" | "EC"; digest: DigestAlgorithm }> = {
  [SIGN_OIDS.sha256WithRSA]: { kind: "RSA", digest: "SHA-256" },
  [SIGN_OIDS.sha384WithRSA]: { kind: "RSA", digest: "SHA-384" },
  [SIGN_OIDS.sha512WithRSA]: { kind: "RSA", digest: "SHA-512" },
  [SIGN_OIDS.ecdsaWithSHA256]: { kind: "EC", digest: "SHA-256" },
  [SIGN_OIDS.ecdsaWithSHA384]: { kind: "EC", digest: "SHA-384" },
  [SIGN_OIDS.ecdsaWithSHA512]: { kind: "EC", digest: "SHA-512" },
};

const LOGO_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

const bad = (description: string): CscError => new CscError(400, "invalid_request", description);

function pick(c: CscConfig): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const v = c[k];
    if (v === undefined) continue;
    if (k === "asyncApproval") {
      if (typeof v !== "boolean") throw bad(`${k} must be true or false`);
    } else if (k === "otpType") {
      if (v !== "offline" && v !== "online") throw bad(`${k} must be "offline" or "online"`);
    } else if (typeof v !== "number" || !(v >= 0) || (k === "multisign" && (!Number.isInteger(v) || v < 1))) throw bad(`${k} must be a ${k === "multisign" ? "positive integer" : "non-negative number"}`);
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** Hashes of a request: v2 `hashes` or v1.0.4 `hash`, base64 (standard or URL-safe). */
function hashList(body: Record<string, unknown>): Uint8Array[] {
  const list = body.hashes ?? body.hash;
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((h) => typeof h !== "string" || !/^[A-Za-z0-9+/_-]+=*$/.test(h))) throw bad("Invalid parameter hashes: an array of base64 strings is expected");
  return list.map((h: string) => new Uint8Array(Buffer.from(h, "base64")));
}

function digestParam(body: Record<string, unknown>): DigestAlgorithm | undefined {
  const o = str(body.hashAlgorithmOID) ?? str(body.hashAlgo);
  if (o === undefined) return undefined;
  const d = digestFromOid(o);
  if (!d) throw bad(`Unsupported hashAlgorithmOID ${o}`);
  return d;
}

function checkLengths(hashes: Uint8Array[], digest: DigestAlgorithm | undefined): void {
  const lengths = digest ? [DIGEST_LENGTHS[digest]] : Object.values(DIGEST_LENGTHS);
  for (const h of hashes) if (!lengths.includes(h.length)) throw bad(`Invalid hash length ${h.length}${digest ? ` for ${digest}` : ""}`);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

export async function startCscServer(options: CscServerOptions = {}): Promise<CscServer> {
  if (!process.env.SOFTHSM2_CONF) process.env.SOFTHSM2_CONF = existsSync(envFile) ? (readEnvFile(envFile).SOFTHSM2_CONF ?? softhsmConf) : softhsmConf;
  const credentials = loadCredentials();
  const startConfig = { ...DEFAULTS, ...pick(options) };
  let cfg = { ...startConfig };
  let failNext: FailNext | undefined = options.failNext ?? undefined;
  let stats: CscStats = { calls: {}, hashesSigned: 0 };
  const wrong = new Map<string, number>();
  const sads = new Map<string, Sad>();
  const pending = new Map<string, Pending>();
  /** OTPs "sent" by credentials/sendOTP (online mode), per credential: the last one is good, once. */
  const sentOtps = new Map<string, { otp: string; sentAt: number; expiresAt: number; used: boolean }>();
  let lastOtp: string | undefined;
  const tokens = new TokenStore([...credentials.keys()], () => cfg.accessTokenTtlSeconds);
  const keys = CscKeyStore.open({ library: options.pkcs11Library ?? pkcs11Lib(), tokenLabel: demoToken.label, pin: CSC_PIN });
  const life = serverLife();

  const configure = (c: CscConfig): void => {
    const next = { ...cfg, ...pick(c) };
    if (c.failNext !== undefined) {
      if (c.failNext !== null && (typeof c.failNext !== "object" || typeof c.failNext.path !== "string")) throw bad("failNext must be { path, status?, error?, error_description?, times? } or null");
      failNext = c.failNext ?? undefined;
    }
    if (c.unlock) wrong.clear();
    cfg = next;
  };
  const reset = (): void => {
    stats = { calls: {}, hashesSigned: 0 };
    wrong.clear();
    sads.clear();
    pending.clear();
    sentOtps.clear();
    lastOtp = undefined;
    failNext = undefined;
    cfg = { ...startConfig };
  };

  /** A credential the principal may use (CSC v2.0 §11.5: otherwise invalid_request). */
  const credentialFor = (p: Principal, id: unknown): CscCredential => {
    if (typeof id !== "string" || !id) throw bad("Missing (or invalid type) string parameter credentialID");
    const c = credentials.get(id);
    if (!c || !p.credentials.includes(id)) throw bad("Invalid parameter credentialID");
    return c;
  };
  const checkLock = (c: CscCredential): void => {
    if ((wrong.get(c.id) ?? 0) >= MAX_WRONG) throw new CscError(400, "access_denied", `credential locked (${MAX_WRONG} wrong PIN/OTP attempts)`);
  };
  /** A wrong PIN or OTP counts against the credential; the third locks it. The values are never logged. */
  const checkSecret = (c: CscCredential, what: "PIN" | "OTP", given: unknown, expected: string): void => {
    if (typeof given !== "string" || given === "") throw bad(`Missing (or invalid type) string parameter ${what}`);
    if (given === expected) return;
    const n = (wrong.get(c.id) ?? 0) + 1;
    wrong.set(c.id, n);
    const left = MAX_WRONG - n;
    const error = what === "PIN" ? "invalid_pin" : "invalid_otp";
    if (left <= 0) throw new CscError(400, error, `Invalid ${what}: 0 retries left, the credential is now locked`);
    throw new CscError(400, error, `Invalid ${what}: ${left} ${left === 1 ? "retry" : "retries"} left`);
  };
  const newSad = (s: Omit<Sad, "expiresAt">): { SAD: string; expiresIn: number } => {
    const SAD = randomBytes(32).toString("base64url");
    sads.set(SAD, { ...s, expiresAt: Date.now() + cfg.sadTtlSeconds * 1000 });
    return { SAD, expiresIn: cfg.sadTtlSeconds };
  };
  const timedOut = (p: Pending): boolean => p.state === "PENDING" && Date.now() >= p.expiresAt;
  const approve = (p: Pending): void => {
    p.state = "APPROVED";
    p.sad = newSad({ credentialID: p.credentialID, subject: p.subject, hashes: new Set(p.hashes), digest: p.digest, remaining: p.numSignatures }).SAD;
  };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(express.urlencoded({ extended: false, limit: "1mb" }));
  app.use(express.json({ limit: "20mb", type: (req) => !String(req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded") }));

  const api = express.Router();
  const body = (req: Request): Record<string, unknown> => (req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {});
  const base = (req: Request): string => `http://${req.headers.host ?? "127.0.0.1"}${req.baseUrl}`;

  // Every call: counted, delayed by latencyMs, maybe failed on request.
  api.use(async (req, res, next) => {
    const name = req.path.replace(/^\/+/, "");
    stats.calls[name] = (stats.calls[name] ?? 0) + 1;
    if (cfg.latencyMs > 0) await life.later(cfg.latencyMs);
    const f = failNext;
    if (f && f.path.replace(/^\/+/, "").replace(/^csc\/v[12]\//, "") === name) {
      const times = (f.times ?? 1) - 1;
      failNext = times > 0 ? { ...f, times } : undefined;
      res.status(f.status ?? 500).json({ error: f.error ?? "server_error", error_description: f.error_description ?? "injected failure (test)" });
      return;
    }
    next();
  });

  // CSC v2.0 §11.1 (v1.0.4 §11.1 on /csc/v1).
  const info = (req: Request, res: Response): void => {
    const v1 = req.baseUrl.endsWith("/v1");
    res.json({
      specs: v1 ? "1.0.4.0" : "2.0.0.2",
      name: "Kyso CSC test server",
      logo: `${base(req)}/logo.png`,
      region: "VN",
      lang: str(body(req).lang) ?? "vi-VN",
      description: "Remote signing test service for Kyso (test material only)",
      authType: ["oauth2client", "oauth2code", "basic"],
      oauth2: base(req),
      ...(v1 ? {} : { oauth2Issuer: base(req) }),
      methods: METHODS,
    });
  };
  api.post("/info", info);
  // info's `logo`: a 1×1 PNG, so that a client showing it finds an image.
  api.get("/logo.png", (_req, res) => void res.type("png").send(LOGO_PNG));
  api.get("/info", info);

  // OAuth 2.0 token endpoint (RFC 6749 §3.2, form-encoded; JSON accepted too).
  api.post("/oauth2/token", (req, res) => {
    const b = body(req);
    const grant = str(b.grant_type);
    const client = clientFrom(req.headers.authorization, b);
    res.set("cache-control", "no-store");
    if (grant === "client_credentials") {
      checkClient(client, true);
      res.json({ ...tokens.issue(tokens.serviceAccount(), false), scope: "service" });
    } else if (grant === "authorization_code") {
      checkClient(client, false);
      const code = str(b.code);
      if (!code) throw bad("Missing code");
      const p = tokens.redeemCode(code, client.id!, str(b.redirect_uri) ?? "", str(b.code_verifier) ?? "");
      res.json({ ...tokens.issue(p, true), scope: "service" });
    } else if (grant === "refresh_token") {
      checkClient(client, false);
      const r = str(b.refresh_token);
      if (!r) throw bad("Missing refresh_token");
      res.json(tokens.refreshGrant(r));
    } else throw new CscError(400, grant ? "unsupported_grant_type" : "invalid_request", grant ? `Unsupported grant_type ${grant}` : "Missing grant_type");
  });
  api.post("/oauth2/revoke", (req, res) => {
    const t = str(body(req).token);
    if (t) tokens.revoke(t);
    res.status(200).end();
  });

  // Authorization endpoint (RFC 6749 §4.1.1, RFC 7636 §4.3): GET shows the login page, POST signs in.
  const authorize = (req: Request, res: Response): void => {
    const q = { ...(req.query as Record<string, unknown>), ...(req.method === "POST" ? body(req) : {}) };
    const keys = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "credentialID", "lang"];
    const params: Record<string, string> = {};
    for (const k of keys) if (typeof q[k] === "string") params[k] = q[k] as string;
    const page = (status: number, html: string): void => void res.status(status).type("html").set("cache-control", "no-store").send(html);
    if (params.client_id !== "kyso-test") return page(400, errorPage("Unknown client_id"));
    if (!loopbackRedirect(params.redirect_uri)) return page(400, errorPage("redirect_uri must be a loopback URI: http://127.0.0.1:PORT/… or http://localhost:PORT/… (RFC 8252)"));
    const back = (query: Record<string, string>): void => {
      const u = new URL(params.redirect_uri);
      for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
      if (params.state !== undefined) u.searchParams.set("state", params.state);
      res.redirect(302, u.toString());
    };
    if (params.response_type !== "code") return back({ error: "unsupported_response_type", error_description: "response_type must be code" });
    if (!params.code_challenge || params.code_challenge_method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge))
      return back({ error: "invalid_request", error_description: "PKCE with code_challenge_method=S256 is required" });
    if (req.method === "GET") return page(200, loginPage(params));
    const who = tokens.checkUser(str(q.username) ?? "", str(q.password) ?? "");
    if (!who) return page(401, loginPage(params, "Sai tên đăng nhập hoặc mật khẩu / Wrong user name or password"));
    back({ code: tokens.newCode({ user: who.subject.replace(/^user:/, ""), clientId: params.client_id, redirectUri: params.redirect_uri, challenge: params.code_challenge }) });
  };
  api.get("/oauth2/authorize", authorize);
  api.post("/oauth2/authorize", authorize);

  // auth/login (CSC v1.0.4 §11.2, v2.0 §11.2): HTTP Basic with the officer's user name and password.
  api.post("/auth/login", (req, res) => {
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!m) throw new CscError(401, "invalid_request", "Missing HTTP Basic authentication");
    const plain = Buffer.from(m[1], "base64").toString("utf8");
    const i = plain.indexOf(":");
    const who = i >= 0 ? tokens.checkUser(plain.slice(0, i), plain.slice(i + 1)) : undefined;
    if (!who) throw new CscError(401, "invalid_grant", "Authentication error: wrong user name or password");
    const t = tokens.issue(who, body(req).rememberMe === true);
    res.json({ access_token: t.access_token, ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}), expires_in: t.expires_in });
  });
  api.post("/auth/revoke", (req, res) => {
    tokens.principal(req.headers.authorization);
    const b = body(req);
    const t = str(b.token) ?? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (t) tokens.revoke(t);
    res.status(204).end();
  });

  // credentials/list (§11.4).
  api.post("/credentials/list", (req, res) => {
    const p = tokens.principal(req.headers.authorization);
    const b = body(req);
    const ids = p.credentials.filter((id) => credentials.has(id));
    const max = typeof b.maxResults === "number" && b.maxResults > 0 ? b.maxResults : ids.length;
    const page = ids.slice(0, max);
    const out: Record<string, unknown> = { credentialIDs: page };
    if (b.credentialInfo === true) {
      out.credentialInfos = page.map((id) => ({ credentialID: id, ...credentialInfo(credentials.get(id)!, { certificates: str(b.certificates) ?? "single" }, cfg.multisign, "vi-VN", cfg.otpType) }));
    }
    res.json(out);
  });

  // credentials/info (§11.5).
  api.post("/credentials/info", (req, res) => {
    const p = tokens.principal(req.headers.authorization);
    const b = body(req);
    const c = credentialFor(p, b.credentialID);
    const which = str(b.certificates);
    if (which !== undefined && !["none", "single", "chain"].includes(which)) throw bad("Invalid parameter certificates");
    res.json(credentialInfo(c, { certificates: which }, cfg.multisign, str(b.lang) ?? "vi-VN", cfg.otpType));
  });

  // credentials/authorize (§11.6): SCAL2 activation data bound to the hashes; or PENDING (async).
  api.post("/credentials/authorize", (req, res) => {
    const p = tokens.principal(req.headers.authorization);
    const b = body(req);
    const c = credentialFor(p, b.credentialID);
    checkLock(c);
    const hashes = hashList(b);
    if (hashes.length === 0) throw bad("Missing parameter hashes: SCAL2 binds the activation data to the hashes to sign");
    const n = b.numSignatures ?? hashes.length;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw bad("Invalid parameter numSignatures");
    if (n !== hashes.length) throw bad(`numSignatures (${n}) must equal the number of hashes (${hashes.length}) for a SCAL2 credential`);
    const digest = digestParam(b);
    checkLengths(hashes, digest);
    const async = cfg.asyncApproval || b.operationMode === "A";
    if (!async || b.PIN !== undefined) checkSecret(c, "PIN", b.PIN, CSC_PIN);
    // Online OTP: only the one credentials/sendOTP sent last (none sent: nothing matches).
    const sent = sentOtps.get(c.id);
    const otp = cfg.otpType === "online" ? (sent && !sent.used && Date.now() < sent.expiresAt ? sent.otp : randomBytes(16).toString("hex")) : CSC_OTP;
    if (!async || b.OTP !== undefined) checkSecret(c, "OTP", b.OTP, otp);
    if (cfg.otpType === "online" && sent && b.OTP !== undefined) sent.used = true;
    wrong.delete(c.id);
    if (async) {
      const responseID = randomBytes(16).toString("base64url");
      pending.set(responseID, {
        responseID, credentialID: c.id, subject: p.subject, hashes: hashes.map(hex), digest, numSignatures: n,
        expiresAt: Date.now() + cfg.approvalTimeoutSeconds * 1000, state: "PENDING",
      });
      res.json({ status: "PENDING", responseID, interval: 1, expiresIn: cfg.approvalTimeoutSeconds });
      return;
    }
    res.json(newSad({ credentialID: c.id, subject: p.subject, hashes: new Set(hashes.map(hex)), digest, remaining: n }));
  });

  // credentials/sendOTP (CSC v1.0.4 and v2.0): an online OTP is "sent" (recorded for the test, never logged).
  api.post("/credentials/sendOTP", (req, res) => {
    const p = tokens.principal(req.headers.authorization);
    const c = credentialFor(p, body(req).credentialID);
    checkLock(c);
    if (cfg.otpType !== "online") throw bad(`The credential ${c.id} has no online OTP (OTP.type is offline)`);
    const otp = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const now = Date.now();
    sentOtps.set(c.id, { otp, sentAt: now, expiresAt: now + SENT_OTP_TTL_MS, used: false });
    lastOtp = c.id;
    res.status(200).end();
  });

  // Asynchronous approval (an extension, README "CSC test server"): poll until approved.
  api.post("/credentials/authorizeStatus", (req, res) => {
    const p = tokens.principal(req.headers.authorization);
    const id = str(body(req).responseID);
    const entry = id ? pending.get(id) : undefined;
    if (!entry || entry.subject !== p.subject) throw bad("Invalid parameter responseID");
    if (timedOut(entry)) throw new CscError(400, "expired_token", "approval timed out");
    if (entry.state === "REJECTED") throw new CscError(400, "access_denied", "rejected by the user");
    if (entry.state === "PENDING") {
      res.json({ status: "PENDING", interval: 1 });
      return;
    }
    const sad = sads.get(entry.sad!);
    res.json({ status: "APPROVED", SAD: entry.sad, expiresIn: sad ? Math.max(0, Math.ceil((sad.expiresAt - Date.now()) / 1000)) : 0 });
  });

  // signatures/signHash (§11.9).
  api.post("/signatures/signHash", async (req, res) => {
    const p = tokens.principal(req.headers.authorization);
    const b = body(req);
    const c = credentialFor(p, b.credentialID);
    checkLock(c);
    const sadValue = str(b.SAD);
    if (!sadValue) throw bad("Missing (or invalid type) string parameter SAD");
    const sad = sads.get(sadValue);
    if (!sad || sad.subject !== p.subject) throw bad("Invalid parameter SAD");
    if (sad.credentialID !== c.id) throw bad("Invalid parameter SAD: it was issued for another credential");
    if (Date.now() >= sad.expiresAt) {
      sads.delete(sadValue);
      throw bad("SAD expired");
    }
    const hashes = hashList(b);
    if (hashes.length === 0) throw bad("Missing parameter hashes");
    if (hashes.length > cfg.multisign) throw bad(`Too many hashes: ${hashes.length} in one call, multisign is ${cfg.multisign}`);
    const signAlgo = str(b.signAlgo);
    if (!signAlgo) throw bad("Missing (or invalid type) string parameter signAlgo");
    let digest = digestParam(b);
    const combined = COMBINED[signAlgo];
    if (combined) {
      if (combined.kind !== c.kind) throw bad(`signAlgo ${signAlgo} does not fit the ${c.kind} key of ${c.id}`);
      if (digest && digest !== combined.digest) throw bad(`hashAlgorithmOID does not match signAlgo ${signAlgo}`);
      digest = combined.digest;
    } else if (signAlgo === SIGN_OIDS.rsaEncryption || signAlgo === SIGN_OIDS.ecPublicKey) {
      if ((signAlgo === SIGN_OIDS.rsaEncryption) !== (c.kind === "RSA")) throw bad(`signAlgo ${signAlgo} does not fit the ${c.kind} key of ${c.id}`);
      if (!digest) throw bad(`Missing parameter hashAlgorithmOID (needed with signAlgo ${signAlgo})`);
    } else throw bad(`Unsupported signAlgo ${signAlgo}`);
    if (sad.digest && sad.digest !== digest) throw bad("hashAlgorithmOID differs from the one authorized");
    checkLengths(hashes, digest);
    for (const h of hashes) if (!sad.hashes.has(hex(h))) throw bad("hash not authorized: a hash is not covered by the SAD");
    if (hashes.length > sad.remaining) throw bad(`SAD used up: it authorized ${sad.remaining === 0 ? "no more" : `only ${sad.remaining} more`} signatures (expired or reused activation data)`);
    sad.remaining -= hashes.length;
    const signatures: string[] = [];
    for (const h of hashes) signatures.push(Buffer.from(await keys.sign(c.keyLabel, c.kind, digest, h)).toString("base64"));
    stats.hashesSigned += hashes.length;
    res.json({ signatures });
  });

  api.use((req, res) => {
    res.status(404).json({ error: "invalid_request", error_description: `Unknown method ${req.path}` });
  });

  app.use(["/csc/v2", "/csc/v1"], api);

  // Test controls, loopback only.
  const test = express.Router();
  test.use((req, res, next) => {
    const a = req.socket.remoteAddress ?? "";
    if (a === "127.0.0.1" || a === "::1" || a === "::ffff:127.0.0.1") return next();
    res.status(403).json({ error: "access_denied", error_description: "test controls answer loopback only" });
  });
  test.get("/stats", (_req, res) => void res.json(stats));
  // The OTP credentials/sendOTP sent last (online mode; of one credential with ?credentialID=), as the officer's phone shows it.
  test.get("/last-otp", (req, res) => {
    const id = str(req.query.credentialID) ?? lastOtp;
    const sent = id ? sentOtps.get(id) : undefined;
    if (!id || !sent) throw new CscError(404, "invalid_request", "No OTP was sent");
    res.set("cache-control", "no-store").json({ credentialID: id, OTP: sent.otp, sentAt: new Date(sent.sentAt).toISOString(), used: sent.used });
  });
  test.post("/reset", (_req, res) => {
    reset();
    res.json({ ok: true });
  });
  test.post("/configure", (req, res) => {
    configure(body(req) as CscConfig);
    res.json({ ok: true, config: { ...cfg, failNext: failNext ?? null } });
  });
  const decide = (verdict: "APPROVED" | "REJECTED") => (req: Request, res: Response) => {
    const form = String(req.headers["content-type"] ?? "").includes("urlencoded");
    const id = str(body(req).responseID);
    const entry = id ? pending.get(id) : undefined;
    if (!entry) throw new CscError(404, "invalid_request", "Unknown responseID");
    if (timedOut(entry)) throw new CscError(400, "expired_token", "approval timed out");
    if (entry.state !== "PENDING") throw bad(`Already ${entry.state.toLowerCase()}`);
    if (verdict === "APPROVED") approve(entry);
    else entry.state = "REJECTED";
    if (form) res.redirect(303, "pending");
    else res.json({ responseID: entry.responseID, status: entry.state });
  };
  test.post("/approve", decide("APPROVED"));
  test.post("/reject", decide("REJECTED"));
  test.get("/pending", (_req, res) => {
    const rows = [...pending.values()]
      .filter((p) => p.state === "PENDING" && !timedOut(p))
      .map((p) => {
        const id = escapeHtml(p.responseID);
        const form = (action: string, label: string): string =>
          `<form method="post" action="${action}" style="display:inline"><input type="hidden" name="responseID" value="${id}"><button type="submit" name="do" value="${action}">${label}</button></form>`;
        return `<li data-response-id="${id}">${escapeHtml(p.credentialID)}: ${p.numSignatures} signature(s), ${escapeHtml(p.subject)} ${form("approve", "Phê duyệt / Approve")} ${form("reject", "Từ chối / Reject")}</li>`;
      });
    res
      .type("html")
      .set("cache-control", "no-store")
      .send(
        `<!doctype html>\n<html lang="vi"><head><meta charset="utf-8"><title>Yêu cầu chờ phê duyệt (TEST)</title></head><body><h1>Pending approvals (the test "phone")</h1>${rows.length ? `<ul>${rows.join("")}</ul>` : "<p>Không có yêu cầu nào / nothing pending</p>"}</body></html>\n`,
      );
  });
  app.use("/csc/test", test);

  // Errors in the CSC shape (CSC v2.0 §10.1): { error, error_description }.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    if (err instanceof CscError) {
      if (err.status === 401 && err.error === "invalid_token") res.set("www-authenticate", `Bearer error="invalid_token", error_description="${err.description}"`);
      return void res.status(err.status).json({ error: err.error, error_description: err.description });
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === "entity.parse.failed" || e?.type === "entity.too.large") return void res.status(400).json({ error: "invalid_request", error_description: `Malformed request body (${e.type})` });
    res.status(500).json({ error: "server_error", error_description: e?.message ?? String(err) });
  });

  const server: Server = life.attach(createServer(app));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
  } catch (e) {
    await keys.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}/csc/v2`;
  let closed = false;
  return {
    url,
    oauthUrl: url,
    stats: () => structuredClone(stats),
    configure,
    reset,
    close: async () => {
      if (closed) return;
      closed = true;
      await life.close();
      await keys.close();
    },
  };
}
