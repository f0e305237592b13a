import { createHash, randomBytes } from "node:crypto";

/**
 * High-entropy secrets (session tokens, API keys, CSRF tokens): 32 random bytes, base64url. They
 * are stored as their SHA-256 only: with 256 bits of entropy a fast hash is enough (no dictionary
 * to try), and a stolen database yields no usable token.
 */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** An API key: `kyso_` + 32 random bytes (base64url), recognisable in logs and secret scanners. */
export function newApiKey(): string {
  return `kyso_${newSecret()}`;
}

export function secretHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
