import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import type { SignOptions } from "@kyso/sign";
import type { Io } from "../../command.js";
import { t } from "../../messages/index.js";

/** Flags for long-term validation levels (issue 7): --level, --tsa (repeatable), --tsa-timeout. */
export function ltvOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option("level", {
      choices: ["B-B", "B-T", "B-LT", "B-LTA"] as const,
      default: "B-B" as const,
      describe: t("sign.opt.level"),
    })
    .option("tsa", { type: "string", array: true, describe: t("sign.opt.tsa") })
    .option("tsa-timeout", { type: "number", default: 15, describe: t("sign.opt.tsa-timeout") }) as unknown as Argv<T>;
}

/** The TSA URLs from --tsa (repeatable, or comma-separated) else $KYSO_TSA_URL (comma- or space-separated). */
export function tsaUrlsFrom(args: Record<string, unknown>, io: Io): string[] {
  const given = (args.tsa as string[] | undefined) ?? [];
  const raw = given.length ? given : (io.env.KYSO_TSA_URL ?? "").split(/[\s,]+/);
  const urls = raw.flatMap((u) => u.split(",")).map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(u).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new KysoError("USAGE", t("sign.err.tsaUrl", { url: u }));
  }
  return urls;
}

/** Network options from the flags: per-attempt timeout, one retry. */
export function networkFrom(args: Record<string, unknown>): { timeoutMs: number; retries: number } {
  const seconds = Number(args.tsaTimeout ?? 15);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new KysoError("USAGE", t("sign.err.tsaTimeout"));
  return { timeoutMs: Math.round(seconds * 1000), retries: 1 };
}

/** Turns the LTV flags into signing options. Throw a KysoError with code "USAGE" for bad flags. */
export async function ltvSignOptions(
  args: Record<string, unknown>,
  io: Io,
  checkTsaCertificate?: (certificate: Uint8Array, chain: readonly Uint8Array[]) => Promise<void>,
): Promise<Partial<SignOptions>> {
  const { parsePadesLevel, prepareLtvSignOptions } = await import("@kyso/sign");
  const level = parsePadesLevel(String(args.level ?? "B-B"));
  if (level === "B-B") return {};
  const tsaUrls = tsaUrlsFrom(args, io);
  if (tsaUrls.length === 0) throw new KysoError("USAGE", t("sign.err.levelNeedsTsa", { level }));
  // The TSA's certificate is checked as the signer's is (issue 13), on the dry run's token: before the PIN.
  return prepareLtvSignOptions({ level, tsaUrls, network: networkFrom(args), checkTsaCertificate });
}
