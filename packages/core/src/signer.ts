import type { DigestAlgorithm } from "./digest.js";

export type KeyAlgorithm =
  | { name: "RSA"; modulusBits: number }
  | { name: "EC"; namedCurve: "P-256" | "P-384" | "P-521" };

/** How the raw signature is made. ECDSA signatures are returned as raw r||s (as PKCS#11 and WebCrypto give them). */
export type SignatureScheme = "RSASSA-PKCS1-v1_5" | "RSA-PSS" | "ECDSA";

/**
 * The narrow seam between signing orchestration and key storage: a signer holds a certificate and
 * can sign a message (it hashes the message itself with `digest`). PKCS#11 tokens and PKCS#12 files
 * both implement it.
 */
export interface RawSigner {
  /** DER of the signer's certificate. */
  readonly certificate: Uint8Array;
  /** DER of the certificates above the signer's, nearest first (may be empty). */
  readonly chain: readonly Uint8Array[];
  readonly keyAlgorithm: KeyAlgorithm;
  /** Signs `data` (hashing it with `digest`). For ECDSA the result is raw r||s. */
  sign(data: Uint8Array, scheme: SignatureScheme, digest: DigestAlgorithm): Promise<Uint8Array>;
  /** The largest signature this key can produce, in bytes (for placeholder sizing). */
  maxSignatureLength(): number;
}

export function defaultScheme(key: KeyAlgorithm): SignatureScheme {
  return key.name === "RSA" ? "RSASSA-PKCS1-v1_5" : "ECDSA";
}

export function maxSignatureLengthFor(key: KeyAlgorithm): number {
  if (key.name === "RSA") return Math.ceil(key.modulusBits / 8);
  const n = key.namedCurve === "P-256" ? 32 : key.namedCurve === "P-384" ? 48 : 66;
  return 2 * n;
}
