import { createHash, verify as cryptoVerify, constants, type Hash, type KeyObject } from "node:crypto";
import { digestFromOid, type DigestAlgorithm } from "@kyso/core";
import { oidOf, type Asn1 } from "@kyso/core";

/** Signature algorithm OIDs (RFC 4055, RFC 5758, RFC 3279) and the digest each implies. */
const SIGNATURE_OIDS: Record<string, { name: string; digest?: DigestAlgorithm }> = {
  "1.2.840.113549.1.1.1": { name: "RSA" },
  "1.2.840.113549.1.1.5": { name: "RSA", digest: "SHA-1" },
  "1.2.840.113549.1.1.11": { name: "RSA", digest: "SHA-256" },
  "1.2.840.113549.1.1.12": { name: "RSA", digest: "SHA-384" },
  "1.2.840.113549.1.1.13": { name: "RSA", digest: "SHA-512" },
  "1.2.840.113549.1.1.10": { name: "RSA-PSS" },
  "1.2.840.10045.2.1": { name: "ECDSA" },
  "1.2.840.10045.4.1": { name: "ECDSA", digest: "SHA-1" },
  "1.2.840.10045.4.3.2": { name: "ECDSA", digest: "SHA-256" },
  "1.2.840.10045.4.3.3": { name: "ECDSA", digest: "SHA-384" },
  "1.2.840.10045.4.3.4": { name: "ECDSA", digest: "SHA-512" },
  // RFC 8410 / RFC 8419: EdDSA signs the message itself (PureEdDSA), no separate digest.
  "1.3.101.112": { name: "Ed25519" },
  "1.3.101.113": { name: "Ed448" },
};

/**
 * Digest algorithms a verifier meets: those Kyso signs with, plus SHAKE256 (RFC 8419: the CMS
 * message digest of Ed448 signatures, 512-bit output).
 */
export type VerifyDigest = DigestAlgorithm | "SHAKE256";
const SHAKE256_OID = "2.16.840.1.101.3.4.2.12";
/** id-shake256-len (RFC 8702 §3.1); RFC 8419 allows it for Ed448 with an output length of 512 bits. */
const SHAKE256_LEN_OID = "2.16.840.1.101.3.4.2.18";

/** The digest algorithm of an OID; `params`, when given, is the AlgorithmIdentifier's parameters. */
export function verifyDigestFromOid(oid: string, params?: Asn1): VerifyDigest | undefined {
  if (oid === SHAKE256_OID) return "SHAKE256";
  if (oid === SHAKE256_LEN_OID) {
    const bits = params?.tag === 0x02 ? params.value.reduce((a, b) => a * 256 + b, 0) : 512;
    return bits === 512 ? "SHAKE256" : undefined;
  }
  // Some signers name the signature algorithm (e.g. sha256WithRSAEncryption) where the digest
  // algorithm belongs; its digest is unambiguous, so read it as that (as other validators do).
  return digestFromOid(oid) ?? SIGNATURE_OIDS[oid]?.digest;
}

/** A hash object for `alg` (SHAKE256 with the 64-byte output RFC 8419 fixes). */
export function createDigest(alg: VerifyDigest): Hash {
  return alg === "SHAKE256" ? createHash("shake256", { outputLength: 64 }) : createHash(alg.replace("-", "").toLowerCase());
}

export function digestOf(alg: VerifyDigest, ...parts: Uint8Array[]): Uint8Array {
  const h = createDigest(alg);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export interface SignatureCheck {
  ok: boolean;
  /** The algorithm is not one this verifier supports: the signature is neither good nor forged. */
  unsupported?: boolean;
  /** e.g. "RSA-PSS with SHA-256". */
  algorithm: string;
  error?: string;
}

/** Verifies `signature` over `data` with the algorithm identifier found in a CMS or a certificate. */
export function verifySignature(algId: Asn1 | undefined, fallbackDigest: VerifyDigest | undefined, key: KeyObject, data: Uint8Array, signature: Uint8Array): SignatureCheck {
  const oid = oidOf(algId?.children[0]);
  const known = SIGNATURE_OIDS[oid];
  if (!known) return { ok: false, unsupported: true, algorithm: oid || "unknown", error: `unsupported signature algorithm ${oid}` };
  if (known.name === "Ed25519" || known.name === "Ed448") {
    const type = known.name.toLowerCase();
    if (key.asymmetricKeyType !== type) return { ok: false, algorithm: known.name, error: `the certificate's key is not an ${known.name} key` };
    try {
      return { ok: cryptoVerify(null, data, key, signature), algorithm: known.name };
    } catch (e) {
      return { ok: false, algorithm: known.name, error: (e as Error).message };
    }
  }
  let digestAlg = known.digest ?? fallbackDigest;
  if (digestAlg === "SHAKE256") return { ok: false, unsupported: true, algorithm: `${known.name} with SHAKE256`, error: "SHAKE256 is only defined for Ed448" };
  try {
    if (known.name === "RSA-PSS") {
      // RSASSA-PSS-params (RFC 4055 §3.1): [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength.
      const params = algId?.children[1];
      let saltLength = 20;
      digestAlg = "SHA-1";
      for (const p of params?.children ?? []) {
        if (p.tag === 0xa0) digestAlg = digestFromOid(oidOf(p.children[0]?.children[0])) ?? digestAlg;
        if (p.tag === 0xa2) saltLength = p.children[0]?.value.reduce((a, b) => a * 256 + b, 0) ?? saltLength;
      }
      const ok = cryptoVerify(digestAlg.replace("-", "").toLowerCase(), data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
      return { ok, algorithm: `RSA-PSS with ${digestAlg}` };
    }
    if (!digestAlg) return { ok: false, algorithm: known.name, error: "no digest algorithm" };
    const hashName = digestAlg.replace("-", "").toLowerCase();
    if (known.name === "RSA") {
      if (key.asymmetricKeyType !== "rsa") return { ok: false, algorithm: `RSA with ${digestAlg}`, error: "the certificate's key is not an RSA key" };
      return { ok: cryptoVerify(hashName, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature), algorithm: `RSA with ${digestAlg}` };
    }
    if (key.asymmetricKeyType !== "ec") return { ok: false, algorithm: `ECDSA with ${digestAlg}`, error: "the certificate's key is not an EC key" };
    return { ok: cryptoVerify(hashName, data, { key, dsaEncoding: "der" }, signature), algorithm: `ECDSA with ${digestAlg}` };
  } catch (e) {
    return { ok: false, algorithm: `${known.name}${digestAlg ? ` with ${digestAlg}` : ""}`, error: (e as Error).message };
  }
}
