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

/**
 * A signer that signs many digests in one round trip (remote signing: one CSC authorization and
 * one `signatures/signHash` call for up to `batchSize` hashes). The batch engine groups documents
 * for it; `sign` still works one message at a time.
 */
export interface BatchRawSigner extends RawSigner {
  /** The most digests one `signDigests` call should carry (CSC: the credential's `multisign`). */
  readonly batchSize: number;
  /**
   * Signs digests computed locally with `digest` (each the hash of a message `sign` would take),
   * in order. For ECDSA each result is raw r||s. All or nothing: one failure rejects the call.
   */
  signDigests(digests: readonly Uint8Array[], scheme: SignatureScheme, digest: DigestAlgorithm): Promise<Uint8Array[]>;
}

export function isBatchRawSigner(s: RawSigner): s is BatchRawSigner {
  const b = s as Partial<BatchRawSigner>;
  return typeof b.signDigests === "function" && typeof b.batchSize === "number" && b.batchSize >= 1;
}
