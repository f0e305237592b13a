import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KysoError, type RawSigner } from "@kyso/core";
import type { CertificateCheck, CertificateCheckOptions, CertificateWarning, RevocationCheckMode } from "@kyso/sign";
import type { Io } from "../../command.js";
import type { Lang } from "../../i18n.js";
import { revocationCacheDir } from "../../verify-options.js";
import { levelWord, refusalText, warningLevel, warningText } from "./check-messages.js";
import { t } from "../../messages/index.js";

/** Flags of the check before signing (issue 13): trust, revocation, what to do when the status is unknown. */
export function certificateCheckOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option("trust", {
      type: "string",
      array: true,
      default: [] as string[],
      group: t("sign.group.check"),
      describe: t("sign.opt.trust"),
    })
    .option("revocation-check", {
      choices: ["online", "cached", "off"] as const,
      default: "online" as const,
      group: t("sign.group.check"),
      describe: t("sign.opt.revocation-check"),
    })
    .option("allow-unknown-status", {
      type: "boolean",
      default: false,
      group: t("sign.group.check"),
      describe: t("sign.opt.allow-unknown-status"),
    }) as unknown as Argv<T>;
}

export interface CheckedWarning extends CertificateWarning {
  purpose: CertificateCheck["purpose"];
  level: "warning" | "note";
  /** The warning in the user's language, as printed. */
  text: string;
}

/**
 * The check before signing as the sign command uses it: certificates are checked (signer, then
 * each TSA), a refusal becomes a KysoError in the user's language (exit code 2), warnings are
 * printed once on stderr and kept for the report and the journal.
 */
export class SigningCheck {
  signer: CertificateCheck | undefined;
  readonly tsa: CertificateCheck[] = [];
  readonly warnings: CheckedWarning[] = [];

  private constructor(
    private readonly io: Io,
    private readonly lang: Lang,
    private readonly base: Omit<CertificateCheckOptions, "offered" | "purpose">,
  ) {}

  static async create(args: Record<string, unknown>, io: Io, lang: Lang): Promise<SigningCheck> {
    const mode = String(args.revocationCheck ?? "online") as RevocationCheckMode;
    const trustPaths = ((args.trust as string[] | undefined) ?? []).map((t) => resolve(io.cwd, t));
    let anchors: Uint8Array[] = [];
    if (trustPaths.length > 0) {
      const { loadTrustAnchors } = await import("@kyso/verify");
      anchors = loadTrustAnchors(trustPaths);
      if (anchors.length === 0) throw new KysoError("USAGE", t("err.trustNamesNone"));
    }
    const { loadTrustStore, trustAnchorsAndIntermediates } = await import("@kyso/trust");
    const store = trustAnchorsAndIntermediates(loadTrustStore({ env: io.env }));
    const { httpFetcher, RevocationCache } = await import("@kyso/cms");
    return new SigningCheck(io, lang, {
      trustAnchors: [...anchors, ...store.anchors],
      intermediates: store.intermediates,
      revocation: mode,
      fetcher: httpFetcher(5000),
      cache: new RevocationCache(10 * 60_000, revocationCacheDir(io.env)),
      allowUnknownStatus: args.allowUnknownStatus === true,
    });
  }

  private async run(certificate: Uint8Array, offered: readonly Uint8Array[], purpose: CertificateCheck["purpose"]): Promise<CertificateCheck> {
    const { checkCertificate, certificateRefusalError } = await import("@kyso/sign");
    const check = await checkCertificate(certificate, { ...this.base, offered, purpose });
    // Warnings first: a refusal for an unknown status is clearer after "the issuer was not found".
    for (const w of check.warnings) {
      const level = warningLevel(w);
      const text = warningText(w, purpose, this.lang);
      this.warnings.push({ ...w, purpose, level, text });
      this.io.stderr.write(`kyso: ${levelWord(level, this.lang)}: ${text}\n`);
    }
    if (check.refusal) throw certificateRefusalError(check, refusalText(check.refusal, purpose, this.lang));
    return check;
  }

  /** Checks the signer's certificate; `offered`: --chain's certificates, then the token's or the PKCS#12 file's. */
  async checkSigner(certificate: Uint8Array, offered: readonly Uint8Array[]): Promise<void> {
    if (this.signer) return;
    this.signer = await this.run(certificate, offered, "signing");
  }

  /** Checks a TSA's certificate (called once per TSA certificate, before its first token is used). */
  checkTsa = async (certificate: Uint8Array, chain: readonly Uint8Array[]): Promise<void> => {
    this.tsa.push(await this.run(certificate, chain, "timestamping"));
  };

  /** The signer carrying the completed chain (when the check found a longer one than the signer had). */
  completed(signer: RawSigner, withChain: (s: RawSigner, chain: readonly Uint8Array[]) => RawSigner): RawSigner {
    const chain = this.signer?.chain ?? [];
    return chain.length >= signer.chain.length && chain.length > 0 ? withChain(signer, chain) : signer;
  }

  /** What the report says of the check. */
  summary(): Record<string, unknown> {
    const one = (c: CertificateCheck): Record<string, unknown> => ({
      subject: c.subject, serial: c.serialHex, notAfter: c.notAfter, trusted: c.trusted, path: c.path,
      status: c.statuses[0]?.status ?? null, statusSource: c.statuses[0]?.origin ?? null, checkedAt: c.at,
      // How missing issuers were found (AIA caIssuers), as the path builder says it.
      chainNotes: c.notes,
    });
    return { signer: this.signer ? one(this.signer) : null, tsa: this.tsa.map(one) };
  }

  /** Warnings for the report and the journal: code, level and the printed text. */
  reportWarnings(): { code: string; level: string; message: string }[] {
    return this.warnings.map((w) => ({ code: w.code, level: w.level, message: w.text }));
  }
}
