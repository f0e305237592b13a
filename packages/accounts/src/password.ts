import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { KysoError } from "@kyso/core";

/**
 * Password hashing with scrypt (RFC 7914) from node:crypto (OpenSSL). Parameters follow the OWASP
 * Password Storage Cheat Sheet's equivalent of N=2^17, r=8, p=1: N=2^15, r=8, p=3 (32 MiB per
 * hash, a third of the memory at the same work). The stored form carries its parameters, so they
 * can grow later without invalidating stored hashes:
 *   scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>
 */
const LOG_N = 15;
const R = 8;
const P = 3;
const KEY_LEN = 32;
const SALT_LEN = 16;

/** The shortest password accepted (NIST SP 800-63B §5.1.1.2: at least 8 characters). */
export const MIN_PASSWORD_LENGTH = 8;
/** Longer inputs are refused before hashing (a bound on the work one request can cause). */
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r };
  return new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, KEY_LEN, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export function checkPasswordPolicy(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new KysoError("PASSWORD_POLICY", `The password must have at least ${MIN_PASSWORD_LENGTH} characters`, { details: { params: { count: MIN_PASSWORD_LENGTH }, form: "min" } });
  if (password.length > MAX_PASSWORD_LENGTH) throw new KysoError("PASSWORD_POLICY", `The password must have at most ${MAX_PASSWORD_LENGTH} characters`, { details: { params: { count: MAX_PASSWORD_LENGTH }, form: "max" } });
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, LOG_N, R, P);
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** True when `password` matches the stored hash; compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const m = /^scrypt\$(\d{1,2})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > 22 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5], "base64");
  const key = await derive(password, Buffer.from(m[4], "base64"), logN, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches, checked for unknown names so that they take as long as known ones. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  return dummy;
}
