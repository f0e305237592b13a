import { readFile } from "node:fs/promises";
import type { Argv } from "yargs";
import { KysoError, describeError, type BatchRawSigner, type RawSigner } from "@kyso/core";
import type { CscClient, CscSecretRequest, CscSigner } from "@kyso/signers";
import type { Io } from "./command.js";
import { promptHidden } from "./secrets.js";
import { isMessageKey, t } from "./messages/index.js";

/**
 * Remote signing (issue 15): the flags that choose a credential at a CSC API service, the client
 * secret, PIN and OTP (environment, file or a prompt without echo; never a flag, never logged),
 * and the signer the sign command uses in place of a token.
 */
export function cscOptions<T>(y: Argv<T>, group = t("csc.group")) {
  return y
    .option("csc", { type: "string", group, describe: t("csc.opt.csc") })
    .option("csc-credential", { type: "string", group, describe: t("csc.opt.credential") })
    .option("csc-client-id", { type: "string", group, describe: t("csc.opt.clientId") })
    .option("csc-auth", { choices: ["client", "browser"] as const, group, describe: t("csc.opt.auth") })
    .option("csc-client-secret-file", { type: "string", group, describe: t("csc.opt.secretFile") })
    .option("csc-async", { type: "boolean", group, describe: t("csc.opt.async") })
    .option("csc-approval-timeout", { type: "number", group, describe: t("csc.opt.approvalTimeout") });
}

export interface CscArgs {
  csc?: string;
  cscCredential?: string;
  cscClientId?: string;
  cscAuth?: "client" | "browser";
  cscClientSecretFile?: string;
  cscAsync?: boolean;
  cscApprovalTimeout?: number;
  pinFile?: string;
}

export interface CscConnectHooks {
  /** Opens the sign-in page (default: the desktop's browser, the URL also printed). */
  openBrowser?: (url: string) => Promise<void> | void;
  signal?: AbortSignal;
}

async function clientSecret(args: CscArgs, io: Io, clientId: string, url: string, required: boolean): Promise<string | undefined> {
  if (args.cscClientSecretFile) {
    try {
      return (await readFile(args.cscClientSecretFile, "utf8")).replace(/\r?\n$/, "");
    } catch (e) {
      throw new KysoError("USAGE", t("csc.secretFileUnreadable", { file: args.cscClientSecretFile, code: (e as NodeJS.ErrnoException).code ?? "error" }));
    }
  }
  if (io.env.KYSO_CSC_CLIENT_SECRET !== undefined) return io.env.KYSO_CSC_CLIENT_SECRET;
  if (!required) return undefined;
  return promptHidden(io, t("csc.secretPrompt", { client: clientId, service: new URL(url).host }), t("csc.secretWhat", { client: clientId }));
}

/** Connects to the service the flags name: `info`, then the OAuth 2.0 sign-in (client credentials or the browser). */
export async function connectCsc(args: CscArgs, io: Io, hooks: CscConnectHooks = {}): Promise<CscClient> {
  const url = args.csc;
  if (!url) throw new KysoError("USAGE", t("csc.noUrl"));
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new KysoError("USAGE", t("csc.badUrl", { url }));
  const clientId = args.cscClientId;
  if (!clientId) throw new KysoError("USAGE", t("csc.noClientId"));
  const { CscClient, openSystemBrowser } = await import("@kyso/signers");
  const browser = args.cscAuth === "browser";
  const secret = await clientSecret(args, io, clientId, url, !browser);
  try {
    return await CscClient.connect(url, {
      auth: browser
        ? {
            kind: "browser",
            clientId,
            clientSecret: secret,
            signal: hooks.signal,
            lang: io.env.KYSO_LANG === "en" ? "en" : "vi",
            openBrowser:
              hooks.openBrowser ??
              (async (u) => {
                io.stderr.write(`${t("csc.openBrowser", { url: u })}\n`);
                await openSystemBrowser(u, io.env).catch(() => undefined);
              }),
          }
        : { kind: "client", clientId, clientSecret: secret! },
    });
  } catch (e) {
    throw translated(e, {});
  }
}

/** A CSC refusal in the user's language (same code and cause; the detail is the service's own words). */
export function translated(e: unknown, params: Record<string, string>): unknown {
  if (!(e instanceof KysoError) || !e.code.startsWith("CSC_")) return e;
  const key = `csc.${e.code}`;
  if (!isMessageKey(key)) return e;
  const d = (e.details ?? {}) as Record<string, unknown>;
  let detail = typeof d.errorDescription === "string" ? ` (${d.errorDescription})` : "";
  if (e.code === "CSC_UNREACHABLE") detail = `: ${describeError(e).replace(/^Cannot reach the signing service\s*/, "")}`;
  const text = t(key, { detail, ...params });
  return new KysoError(e.code, text, { cause: e, details: { ...d, exitCode: 2 } });
}

/** Secrets and approval notices from a caller's own prompt (the agent's) instead of the terminal and the environment. */
export interface SecretHooks {
  /** Asked for every secret the signer needs (PIN, OTP, PKCS#12 password); never logged. */
  secret?: (request: { kind: "pin" | "otp" | "password"; label: string }) => Promise<string>;
  /** Told when a remote signing waits for the officer's phone, and when it was approved. */
  onApproval?: (progress: { phase: "waiting" | "approved"; count: number; timeoutMs: number }) => void;
}

export interface OpenedCscSigner {
  signer: RawSigner;
  describe: string;
  close(): Promise<void>;
}

/**
 * The signer for `kyso sign --csc`: the credential read (`credentials/info`), its certificate
 * checked before any PIN is asked (`checkCertificate`), then authorizations as the documents come.
 * Ctrl-C while the officer's phone has not answered stops the wait.
 */
export async function openCscSigner(
  args: CscArgs,
  io: Io,
  hooks: CscConnectHooks & { checkCertificate?: (certificate: Uint8Array, offered: readonly Uint8Array[]) => Promise<void>; extraCertificates?: readonly Uint8Array[] } & SecretHooks = {},
): Promise<OpenedCscSigner> {
  const credentialID = args.cscCredential;
  if (!credentialID) throw new KysoError("USAGE", t("csc.noCredential"));
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on("SIGINT", onSigint);
  const close = async (): Promise<void> => void process.off("SIGINT", onSigint);
  try {
    const client = await connectCsc(args, io, { ...hooks, signal: hooks.signal ?? controller.signal });
    const { CscSigner } = await import("@kyso/signers");
    let pin: string | undefined;
    const secrets = async (r: CscSecretRequest): Promise<string> => {
      // The agent: every authorization's PIN and OTP from its own prompt (it decides what it keeps).
      if (hooks.secret) return hooks.secret({ kind: r.kind === "PIN" ? "pin" : "otp", label: `credential "${r.credentialID}"` });
      if (r.kind === "PIN") {
        if (pin !== undefined) return pin;
        if (args.pinFile) {
          try {
            pin = (await readFile(args.pinFile, "utf8")).replace(/\r?\n$/, "");
          } catch (e) {
            throw new KysoError("PIN_FILE", t("prompt.pinFileUnreadable", { file: String(args.pinFile), code: (e as NodeJS.ErrnoException).code ?? "error" }));
          }
        } else pin = io.env.KYSO_CSC_PIN ?? (await promptHidden(io, t("csc.pinPrompt", { credential: r.credentialID }), t("csc.pinWhat", { credential: r.credentialID })));
        return pin;
      }
      // An OTP is good once: asked for every authorization (an automated run may set KYSO_CSC_OTP).
      // An online OTP was just sent by the service (SMS, app): a fixed KYSO_CSC_OTP cannot be it.
      if (r.sent) {
        io.stderr.write(`${t("csc.otpSent", { credential: r.credentialID })}\n`);
        return promptHidden(io, t("csc.otpPrompt", { credential: r.credentialID, count: r.count }), t("csc.otpWhat", { credential: r.credentialID }));
      }
      return io.env.KYSO_CSC_OTP ?? promptHidden(io, t("csc.otpPrompt", { credential: r.credentialID, count: r.count }), t("csc.otpWhat", { credential: r.credentialID }));
    };
    const announced = new Set<string>();
    let signer: CscSigner;
    try {
      signer = await CscSigner.open({
        client,
        credentialID,
        secrets,
        description: "Kyso",
        approval: {
          asynchronous: args.cscAsync === true,
          timeoutMs: (args.cscApprovalTimeout ?? 300) * 1000,
          signal: hooks.signal ?? controller.signal,
          onProgress: (p) => {
            if (hooks.onApproval) hooks.onApproval({ phase: p.phase, count: p.count, timeoutMs: p.timeoutMs });
            else if (p.phase === "approved") io.stderr.write(`${t("csc.approved", { count: p.count })}\n`);
            else if (!announced.has(p.responseID)) {
              announced.add(p.responseID);
              io.stderr.write(`${t("csc.waiting", { count: p.count, seconds: Math.round(p.timeoutMs / 1000) })}\n`);
            }
          },
        },
      });
    } catch (e) {
      throw translated(e, { credential: credentialID });
    }
    await hooks.checkCertificate?.(signer.certificate, [...(hooks.extraCertificates ?? []), ...signer.chain]);
    const params = { credential: credentialID };
    const wrapped: BatchRawSigner = {
      certificate: signer.certificate,
      chain: signer.chain,
      keyAlgorithm: signer.keyAlgorithm,
      batchSize: signer.batchSize,
      maxSignatureLength: () => signer.maxSignatureLength(),
      sign: (data, scheme, digest) => signer.sign(data, scheme, digest).catch((e: unknown) => Promise.reject(translated(e, params))),
      signDigests: (d, scheme, digest) => signer.signDigests(d, scheme, digest).catch((e: unknown) => Promise.reject(translated(e, params))),
    };
    return { signer: wrapped, describe: t("csc.signerDescribe", { credential: credentialID, service: new URL(args.csc!).host }), close };
  } catch (e) {
    await close();
    throw e;
  }
}
