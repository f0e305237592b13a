import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

/**
 * Fast synthetic X.509 certificates for tests and benchmarks: one ECDSA P-256 key signs any number
 * of certificates assembled directly in DER (RFC 5280 §4.1), about 20,000 a second instead of one
 * openssl process each. Not for anything but test data.
 */

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, body: Uint8Array | number[]): Buffer {
  const b = Buffer.from(body as Uint8Array);
  return Buffer.concat([Buffer.from([tag, ...len(b.length)]), b]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    let v = p >>> 7;
    while (v > 0) {
      stack.unshift((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(...stack);
  }
  return tlv(0x06, out);
}

function integer(hex: string): Buffer {
  let b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && b[i + 1] < 0x80) i++;
  b = b.subarray(i);
  if (b[0] >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii")) : tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}

const ATTR: Record<string, string> = { C: "2.5.4.6", O: "2.5.4.10", OU: "2.5.4.11", CN: "2.5.4.3", UID: "0.9.2342.19200300.100.1.1", L: "2.5.4.7" };

/** A Name from `[["C","VN"],["O","..."],["CN","..."]]` (most general first, as encoded). */
export function encodeName(rdns: readonly (readonly [string, string])[]): Buffer {
  return seq(
    ...rdns.map(([k, v]) => set(seq(oid(ATTR[k]), k === "C" ? tlv(0x13, Buffer.from(v, "ascii")) : tlv(0x0c, Buffer.from(v, "utf8"))))),
  );
}

export interface SyntheticIssuer {
  key: KeyObject;
  name: Buffer;
  spki: Buffer;
}

export function syntheticIssuer(rdns: readonly (readonly [string, string])[] = [["C", "VN"], ["O", "Kyso Test"], ["CN", "Kyso Synthetic CA"]]): SyntheticIssuer {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { key: createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" })), name: encodeName(rdns), spki: publicKey.export({ format: "der", type: "spki" }) };
}

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

export interface SyntheticCertificate {
  /** Serial in hexadecimal (positive; a leading 00 is added in DER where needed). */
  serial: string;
  subject: readonly (readonly [string, string])[];
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
}

/** A certificate for the issuer's own key (subject key = issuer key: enough for a registry). */
export function syntheticCertificate(issuer: SyntheticIssuer, c: SyntheticCertificate): Uint8Array {
  const extensions = c.ca
    ? [tlv(0xa3, seq(seq(oid("2.5.29.19"), tlv(0x01, [0xff]), tlv(0x04, seq(tlv(0x01, [0xff]))))))]
    : [];
  const tbs = seq(
    tlv(0xa0, integer("02")),
    integer(c.serial),
    ECDSA_SHA256,
    issuer.name,
    seq(time(c.notBefore), time(c.notAfter)),
    encodeName(c.subject),
    issuer.spki,
    ...extensions,
  );
  const signature = sign("sha256", tbs, issuer.key);
  return new Uint8Array(seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))));
}

/** A DER CRL (v2) of the issuer listing serials with reason codes (RFC 5280 §5.1). */
export function syntheticCrl(
  issuer: SyntheticIssuer,
  thisUpdate: Date,
  entries: readonly { serial: string; date: Date; reasonCode?: number }[],
): Uint8Array {
  const revoked = entries.map((e) =>
    seq(
      integer(e.serial),
      time(e.date),
      ...(e.reasonCode === undefined ? [] : [seq(seq(oid("2.5.29.21"), tlv(0x04, tlv(0x0a, [e.reasonCode]))))]),
    ),
  );
  const tbs = seq(integer("01"), ECDSA_SHA256, issuer.name, time(thisUpdate), ...(revoked.length ? [seq(...revoked)] : []));
  const signature = sign("sha256", tbs, issuer.key);
  return new Uint8Array(seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))));
}
