import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import type { RevocationMode, VerifyOptions } from "@kyso/verify";
import { t } from "./messages/index.js";

/** The options every verifying command shares: trust, revocation, validation time. */
export function verifyOptionFlags<T>(y: Argv<T>) {
  return y
    .option("trust", { type: "string", array: true, default: [] as string[], describe: t("verify-options.opt.trust") })
    .option("default-trust", { type: "boolean", default: true, describe: t("verify-options.opt.default-trust") })
    .option("revocation", {
      choices: ["online", "embedded", "off"] as const,
      default: "online" as const,
      describe: t("verify-options.opt.revocation"),
    })
    .option("at", { type: "string", describe: t("verify-options.opt.at") });
}

export interface VerifyFlagValues {
  trust: string[];
  defaultTrust: boolean;
  revocation: RevocationMode;
  at?: string;
}

/** The on-disk revocation cache: `$XDG_CACHE_HOME/kyso/revocation` (else `~/.cache/kyso/revocation`). */
export function revocationCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "kyso", "revocation");
}

/** Parses `--at`: a date (midnight, Vietnam time) or a date-time with or without offset (then +07:00). */
export function parseValidationTime(at: string | undefined): Date | undefined {
  if (at === undefined) return undefined;
  const s = /^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T00:00:00+07:00` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(at) ? at : `${at}+07:00`;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new KysoError("USAGE", t("verify.err.at", { at }));
  return d;
}

/** Trust anchors and intermediates (bundled store + local store + --trust), revocation fetching with the disk cache, --at. */
export async function resolveVerifyOptions(args: VerifyFlagValues, io: { cwd: string; env: NodeJS.ProcessEnv }): Promise<VerifyOptions> {
  const { loadTrustAnchors, httpFetcher, RevocationCache } = await import("@kyso/verify");
  const given = loadTrustAnchors(args.trust.map((t) => resolve(io.cwd, t)));
  if (args.trust.length > 0 && given.length === 0) throw new KysoError("USAGE", t("err.trustNamesNone"));
  let anchors = given;
  let intermediates: Uint8Array[] = [];
  if (args.defaultTrust) {
    const { loadTrustStore, trustAnchorsAndIntermediates } = await import("@kyso/trust");
    const store = trustAnchorsAndIntermediates(loadTrustStore({ env: io.env }));
    anchors = [...given, ...store.anchors];
    intermediates = store.intermediates;
  }
  const online = args.revocation === "online";
  return {
    trustAnchors: anchors,
    intermediates,
    revocation: args.revocation,
    fetcher: online ? httpFetcher(5000) : undefined,
    cache: online ? new RevocationCache(10 * 60_000, revocationCacheDir(io.env)) : undefined,
    validationTime: parseValidationTime(args.at),
  };
}

/**
 * `--senders FILE`: the OrganId -> expected signer directory of edXML sender binding, a JSON object
 * such as {"000.00.00.G22": {"subjectContains": ["O=Văn phòng Chính phủ"], "certificateSha256": ["…"]}}.
 */
export async function loadSenders(file: string | undefined, cwd: string): Promise<Record<string, import("@kyso/edxml").ExpectedSender> | undefined> {
  if (!file) return undefined;
  const { readFile } = await import("node:fs/promises");
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(resolve(cwd, file), "utf8"));
  } catch (e) {
    throw new KysoError("USAGE", t("verify.err.sendersUnreadable", { file, detail: (e as Error).message }), { cause: e });
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new KysoError("USAGE", t("verify.err.sendersShape", { file }));
  return parsed as Record<string, import("@kyso/edxml").ExpectedSender>;
}
