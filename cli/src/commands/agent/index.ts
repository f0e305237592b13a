import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import type { AgentLogEvent } from "@kyso/agent";
import { KysoError, certificatesFromPemOrDer } from "@kyso/core";
import { defineCommand, type Io } from "../../command.js";
import { agentSettings, applyConfig } from "../../config.js";
import { cscOptions, type CscArgs } from "../../csc-signer.js";
import { pickLang } from "../../i18n.js";
import { t, translator } from "../../messages/index.js";
import { revocationCacheDir } from "../../verify-options.js";
import { agentServiceCommands } from "./install.js";
import { desktopPrompt, desktopTool, terminalPrompt } from "./prompts.js";
import { screenLockProbe } from "./screen-lock.js";
import { agentLogText } from "./log-text.js";
import { agentSignerFactory } from "./signer-factory.js";

const ACTIONS = ["run", "install", "uninstall", "status"] as const;

interface AgentArgs extends CscArgs {
  action?: (typeof ACTIONS)[number];
  port?: number;
  allowOrigin?: string[];
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  prompt?: "page" | "terminal" | "desktop";
  idleMinutes?: number;
  allowHttp?: boolean;
  ca?: string[];
  pkcs11Lib?: string;
  tokenLabel?: string;
  tokenSerial?: string;
  keyLabel?: string;
  keyId?: string;
  p12?: string;
  chain?: string[];
  trust?: string[];
  tsa?: string[];
  revocationCheck?: "online" | "cached" | "off";
  allowUnknownStatus?: boolean;
  lang?: "vi" | "en";
  config?: string;
}

function runOptions<T>(y: Argv<T>): Argv<T> {
  return cscOptions(y)
    .positional("action", { choices: ACTIONS, default: "run" as const, describe: t("agent.run.opt.action") })
    .option("port", { type: "number", describe: t("agent.run.opt.port") })
    .option("allow-origin", { type: "string", array: true, describe: t("agent.run.opt.allowOrigin") })
    .option("tls", { type: "boolean", default: true, describe: t("agent.run.opt.tls") })
    .option("tls-cert", { type: "string", describe: t("agent.run.opt.tlsCert") })
    .option("tls-key", { type: "string", describe: t("agent.run.opt.tlsKey") })
    .option("prompt", { choices: ["page", "terminal", "desktop"] as const, describe: t("agent.run.opt.prompt") })
    .option("idle-minutes", { type: "number", describe: t("agent.run.opt.idleMinutes") })
    .option("allow-http", { type: "boolean", default: false, describe: t("agent.run.opt.allowHttp") })
    .option("ca", { type: "string", array: true, describe: t("agent.run.opt.ca") })
    .option("pkcs11-lib", { type: "string", describe: t("agent.run.opt.pkcs11Lib") })
    .option("token-label", { type: "string", describe: t("agent.run.opt.tokenLabel") })
    .option("token-serial", { type: "string", describe: t("agent.run.opt.tokenSerial") })
    .option("key-label", { type: "string", describe: t("agent.run.opt.keyLabel") })
    .option("key-id", { type: "string", describe: t("agent.run.opt.keyId") })
    .option("p12", { type: "string", describe: t("agent.signer.opt.p12") })
    .option("chain", { type: "array", string: true, describe: t("agent.run.opt.chain") })
    .option("trust", { type: "string", array: true, describe: t("agent.run.opt.trust") })
    .option("tsa", { type: "string", array: true, describe: t("agent.run.opt.tsa") })
    .option("revocation-check", { choices: ["online", "cached", "off"] as const, default: "online" as const, describe: t("agent.run.opt.revocationCheck") })
    .option("allow-unknown-status", { type: "boolean", default: false, describe: t("agent.run.opt.allowUnknownStatus") })
    .option("lang", { choices: ["en", "vi"] as const, describe: t("agent.run.opt.lang") })
    .conflicts("p12", ["csc", "token-label", "token-serial", "key-label", "key-id"])
    .example(t("agent.run.example.1.cmd"), t("agent.run.example.1.text"))
    .example(t("agent.run.example.2.cmd"), t("agent.run.example.2.text"))
    .example(t("agent.run.example.3.cmd"), t("agent.run.example.3.text")) as Argv<T>;
}

export const agentCommand = defineCommand<AgentArgs>({
  command: "agent [action]",
  describe: "agent.run.describe",
  builder: (y) => {
    let out = runOptions(y) as Argv;
    // The service actions' own flags (--user, --system-store, --start, --json).
    for (const c of agentServiceCommands) out = c.builder(out) as Argv;
    return out as Argv<AgentArgs>;
  },
  run: async (args, io) => {
    const action = args.action ?? "run";
    if (action !== "run") {
      const c = agentServiceCommands.find((s) => s.command === action);
      if (!c) throw new KysoError("USAGE", t("agent.run.unknownAction", { action }));
      return c.run(args as never, io);
    }
    return runAgent(args, io);
  },
});

async function runAgent(args: AgentArgs, io: Io): Promise<number> {
  const settings = agentSettings(args as Record<string, unknown>, io);
  applyConfig(args as Record<string, unknown>, io, { keys: ["pkcs11Lib", "tokenLabel", "tokenSerial", "keyLabel", "keyId", "chain", "trust", "tsa", "lang", "csc"] });
  const lang = pickLang(args.lang, io.env) === "en" ? "en" : "vi";
  const tr = translator(lang);
  const origins = args.allowOrigin?.length ? args.allowOrigin : (settings.allowOrigins ?? []);
  if (origins.length === 0) throw new KysoError("USAGE", tr("agent.run.noOrigins"));
  const { startAgent, pkcs11SignerFactory, agentTlsPaths, configHomeOf, normalizeOrigin } = await import("@kyso/agent");
  for (const o of origins) normalizeOrigin(o);
  const configHome = configHomeOf(io.env, io.env.HOME ?? homedir());
  const agentDir = join(configHome, "kyso", "agent");

  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (args.tls !== false) {
    const paths = agentTlsPaths(configHome);
    const certFile = args.tlsCert ? resolve(io.cwd, args.tlsCert) : paths.cert;
    const keyFile = args.tlsKey ? resolve(io.cwd, args.tlsKey) : paths.key;
    try {
      tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
    } catch (cause) {
      throw new KysoError("AGENT_TLS_MISSING", tr("agent.run.noTls", { cert: certFile }), { cause, details: { exitCode: 2 } });
    }
  }

  // The signer: a PKCS#12 file or a remote (CSC) credential opened as `kyso sign` opens them, else the token.
  if (args.csc && (args.p12 || args.tokenLabel || args.tokenSerial || args.keyLabel || args.keyId)) throw new KysoError("USAGE", tr("agent.signer.conflict"));
  const fileOrRemote = args.p12 !== undefined || args.csc !== undefined;
  const library = args.pkcs11Lib ?? io.env.KYSO_PKCS11_LIB;
  if (!library && !fileOrRemote) throw new KysoError("USAGE", tr("agent.run.noLibrary"));
  const extra: Uint8Array[] = [];
  const chainFiles = args.chain ?? (io.env.KYSO_CHAIN ? io.env.KYSO_CHAIN.split(":").filter(Boolean) : []);
  for (const f of chainFiles) {
    try {
      extra.push(...certificatesFromPemOrDer(new Uint8Array(readFileSync(resolve(io.cwd, f)))));
    } catch (e) {
      throw new KysoError("USAGE", tr("agent.run.chainUnreadable", { file: f, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message }));
    }
  }

  // The check before signing, with the same parts as `kyso sign`'s: the trust store and --trust, the
  // revocation mode, the fetcher and the on-disk revocation cache.
  const { loadTrustStore, trustAnchorsAndIntermediates } = await import("@kyso/trust");
  const store = trustAnchorsAndIntermediates(loadTrustStore({ env: io.env }));
  let anchors: Uint8Array[] = [];
  if (args.trust?.length) {
    const { loadTrustAnchors } = await import("@kyso/verify");
    anchors = loadTrustAnchors(args.trust.map((t) => resolve(io.cwd, t)));
  }
  const { httpFetcher, RevocationCache } = await import("@kyso/cms");
  const cache = new RevocationCache(10 * 60_000, revocationCacheDir(io.env));
  const trustAnchors = [...anchors, ...store.anchors];

  // Extra trust anchors for the document servers' HTTPS (a province's own CA): --ca, else agent.caFiles.
  const caFiles = args.ca?.length ? args.ca.map((f) => resolve(io.cwd, f)) : (settings.caFiles ?? []);
  const downloadCa = caFiles.flatMap((f) => caPems(f, lang));

  const tsaUrls = (args.tsa ?? (io.env.KYSO_TSA_URL ?? "").split(/[\s,]+/)).flatMap((u) => u.split(",")).map((u) => u.trim()).filter(Boolean);
  const tool = desktopTool(io.env);
  const choice = args.prompt ?? (tool ? "desktop" : "page");
  const prompt =
    choice === "terminal"
      ? terminalPrompt(io, lang)
      : choice === "desktop" && tool
        ? (page: import("@kyso/agent").AgentPrompt) => desktopPrompt(tool, page, lang)
        : undefined;
  const log = (event: AgentLogEvent): void => void io.stderr.write(`kyso agent: ${agentLogText(event, lang)}\n`);
  const idleMinutes = args.idleMinutes ?? settings.idleMinutes ?? 10;
  const agent = await startAgent({
    host: "127.0.0.1",
    port: args.port ?? settings.port ?? 8987,
    tls,
    allowedOrigins: origins,
    originHosts: settings.originHosts,
    allowHttp: args.allowHttp === true,
    downloadCa,
    pairingStore: join(agentDir, "pairing.json"),
    auditLog: join(agentDir, "audit.jsonl"),
    prompt,
    idleTimeoutMs: Math.round(idleMinutes * 60_000),
    signerFactory: fileOrRemote
      ? agentSignerFactory({ ...args, p12: args.p12 && resolve(io.cwd, args.p12), chain: chainFiles.map((f) => resolve(io.cwd, f)) }, io)
      : pkcs11SignerFactory({ library: library as string, tokenLabel: args.tokenLabel, tokenSerial: args.tokenSerial, keyLabel: args.keyLabel, keyId: args.keyId, extraCertificates: extra }),
    screenLocked: screenLockProbe(io.env),
    certificateCheck: {
      trustAnchors, intermediates: store.intermediates, revocation: args.revocationCheck ?? "online", fetcher: httpFetcher(5000), cache, allowUnknownStatus: args.allowUnknownStatus === true,
    },
    verifyOptions: { trustAnchors, intermediates: store.intermediates, revocation: "online", fetcher: httpFetcher(5000) },
    tsaUrls,
    lang,
    log,
  });
  io.stderr.write(`${tr("agent.run.listening", { url: agent.url, confirm: `${agent.httpUrl}/confirm`, origins: origins.join(", ") })}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolveStop();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await agent.close();
  io.stderr.write(`${tr("agent.run.stopped")}\n`);
  return 0;
}

/** The certificates of a --ca / agent.caFiles file (PEM or DER, each parsed) as PEM texts for Node's TLS. */
function caPems(file: string, lang: "vi" | "en"): string[] {
  const tr = translator(lang);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new KysoError("USAGE", tr("agent.run.caUnreadable", { file }), { cause });
  }
  try {
    const pems = certificatesFromPemOrDer(new Uint8Array(bytes)).map((der) => new X509Certificate(der).toString());
    if (pems.length > 0) return pems;
  } catch (cause) {
    throw new KysoError("USAGE", tr("agent.run.caNotCertificate", { file }), { cause });
  }
  throw new KysoError("USAGE", tr("agent.run.caNotCertificate", { file }));
}
