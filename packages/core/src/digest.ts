import { createHash } from "node:crypto";
import { derNull, octetString, oid, sequence, type Der } from "./der.js";

export type DigestAlgorithm = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

export const DIGEST_OIDS: Record<DigestAlgorithm, string> = {
  "SHA-1": "1.3.14.3.2.26",
  "SHA-256": "2.16.840.1.101.3.4.2.1",
  "SHA-384": "2.16.840.1.101.3.4.2.2",
  "SHA-512": "2.16.840.1.101.3.4.2.3",
};

export const DIGEST_LENGTHS: Record<DigestAlgorithm, number> = {
  "SHA-1": 20,
  "SHA-256": 32,
  "SHA-384": 48,
  "SHA-512": 64,
};

/**
 * DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING } (RFC 8017
 * §9.2): what RSASSA-PKCS1-v1_5 signs over a hash (PKCS#11's CKM_RSA_PKCS takes it whole).
 */
export function digestInfo(alg: DigestAlgorithm, hash: Uint8Array): Der {
  return sequence(sequence(oid(DIGEST_OIDS[alg]), derNull()), octetString(hash));
}

/** Node's own name for a digest algorithm. */
export function nodeDigestName(alg: DigestAlgorithm): string {
  return alg.replace("-", "").toLowerCase();
}

export function digestFromOid(oid: string): DigestAlgorithm | undefined {
  return (Object.keys(DIGEST_OIDS) as DigestAlgorithm[]).find((k) => DIGEST_OIDS[k] === oid);
}

export function parseDigestAlgorithm(name: string): DigestAlgorithm {
  const n = name.toUpperCase().replace(/^SHA-?/, "SHA-");
  if (n === "SHA-1" || n === "SHA-256" || n === "SHA-384" || n === "SHA-512") return n;
  throw new Error(`unknown digest algorithm ${name}`);
}

export function digest(alg: DigestAlgorithm, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(nodeDigestName(alg));
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}
