import { KysoError, isKysoError, type Clock } from "@kyso/core";
import { signatureTimeStampAttribute } from "@kyso/cms";
import type { NetworkOptions } from "./network.js";
import type { SignOptions } from "./sign-pdf.js";
import { TimeStamper } from "./timestamper.js";
import { appendValidationData } from "./validation-data.js";

/** PAdES baseline levels (ETSI EN 319 142-1 §6): B-B, then a signature timestamp, then validation data, then an archive timestamp. */
export type PadesLevel = "B-B" | "B-T" | "B-LT" | "B-LTA";
export const PADES_LEVELS: readonly PadesLevel[] = ["B-B", "B-T", "B-LT", "B-LTA"];

export function parsePadesLevel(s: string): PadesLevel {
  const v = s.toUpperCase().replace(/^PADES-/, "").replace(/^(?!B-)/, "B-") as PadesLevel;
  if (!PADES_LEVELS.includes(v)) throw new KysoError("USAGE", `Unknown PAdES level "${s}" (use B-B, B-T, B-LT or B-LTA)`);
  return v;
}

export const levelAtLeast = (level: PadesLevel, min: PadesLevel): boolean => PADES_LEVELS.indexOf(level) >= PADES_LEVELS.indexOf(min);

export interface LtvOptions {
  level: PadesLevel;
  /** Time-stamp servers, tried in order. Needed from B-T on. */
  tsaUrls?: readonly string[];
  network?: NetworkOptions;
  clock?: Clock;
  /**
   * Certificates the signer is trusted to chain to (the root certificates). Used only to know where
   * a chain ends when validation data is collected; optional.
   */
  trustAnchors?: readonly Uint8Array[];
  /**
   * Checks each TSA's certificate before its first token is used (see checkCertificate with
   * `purpose: "timestamping"`); a throw refuses the token. With prepareLtvSignOptions the check of
   * the dry run's TSA happens then, before the signer is opened.
   */
  checkTsaCertificate?: (certificate: Uint8Array, chain: readonly Uint8Array[]) => Promise<void>;
}

/**
 * Signing options that raise a signature to `level`: B-T adds an RFC 3161 signature timestamp as an
 * unsigned attribute (sized by a dry run, checked before it is embedded); B-LT then appends a DSS
 * with the certificates, OCSP responses and CRLs of the signer's and the TSA's chains (the signer
 * must be good at signing time); B-LTA then a document timestamp. All of it happens before the
 * output file is written, so a failing server leaves no output.
 */
export function ltvSignOptions(options: LtvOptions, stamper?: TimeStamper): Partial<SignOptions> {
  if (options.level === "B-B") return {};
  stamper ??= new TimeStamper(options.tsaUrls ?? [], options.network);
  stamper.certificateCheck ??= options.checkTsaCertificate;
  const out: Partial<SignOptions> = {
    measureUnsignedReserve: () => stamper!.tokenReserve(),
    unsignedAttributes: async (_raw, encoded) => {
      // The imprint is the hash of the signature value as the CMS carries it (RFC 3161 Appendix A).
      const r = await stamper!.stampData(encoded);
      return [signatureTimeStampAttribute(r.token)];
    },
  };
  if (levelAtLeast(options.level, "B-LT")) {
    out.afterSigning = async (doc, cms) =>
      appendValidationData({
        input: doc.input,
        inputLength: doc.prepared.inputLength,
        tail: [doc.prepared.update],
        signatures: [{ cms, requireGoodAtSigning: true }],
        archiveTimestamp: options.level === "B-LTA" ? stamper : undefined,
        network: options.network,
        clock: options.clock,
        trustAnchors: options.trustAnchors,
      });
  }
  return out;
}

/** Room for a timestamp token when no TSA answers the dry run (each document then reports the TSA's error). */
export const FALLBACK_TOKEN_RESERVE = 16 * 1024;

/**
 * As {@link ltvSignOptions}, with the timestamp token measured now by one dry run and given as a
 * fixed `unsignedReserve`, for engines that size the placeholder once per run (the batch engine).
 * A TSA that does not answer the dry run does not stop the run: the reserve falls back to
 * {@link FALLBACK_TOKEN_RESERVE} and each document fails with the TSA's error.
 */
export async function prepareLtvSignOptions(options: LtvOptions): Promise<Partial<SignOptions>> {
  if (options.level === "B-B") return {};
  const stamper = new TimeStamper(options.tsaUrls ?? [], options.network);
  stamper.certificateCheck = options.checkTsaCertificate;
  // A refused TSA certificate stops the run here; a TSA that does not answer does not.
  const reserve = await stamper.tokenReserve().catch((e: unknown) => {
    if (isKysoError(e) && e.details?.certificateCheck) throw e;
    return FALLBACK_TOKEN_RESERVE;
  });
  const { measureUnsignedReserve: _measured, ...rest } = ltvSignOptions(options, stamper);
  return { ...rest, unsignedReserve: reserve };
}
