// Self-signed CA certificates made in-process (RFC 5280 §4.1), so a test can make as many as it
// needs, e.g. until two fingerprints share a prefix. One P-256 key signs them all.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { contextConstructed, generalizedTime, oid, sequence, setOf, smallInteger, tlv } from "@kyso/core";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
const ecdsaSha256 = sequence(oid("1.2.840.10045.4.3.2"));

function name(cn: string): Uint8Array {
  return sequence(setOf(sequence(oid("2.5.4.3"), tlv(0x0c, new TextEncoder().encode(cn)))));
}

/** A self-signed CA certificate (basicConstraints cA, critical) with the given serial. */
export function makeCa(serial: number, cn = `Kyso Test CA ${serial}`): Uint8Array {
  const basicConstraints = sequence(oid("2.5.29.19"), tlv(0x01, new Uint8Array([0xff])), tlv(0x04, sequence(tlv(0x01, new Uint8Array([0xff])))));
  const tbs = sequence(
    contextConstructed(0, smallInteger(2)),
    smallInteger(serial),
    ecdsaSha256,
    name(cn),
    sequence(generalizedTime(new Date("2026-01-01T00:00:00Z")), generalizedTime(new Date("2050-01-01T00:00:00Z"))),
    name(cn),
    spki,
    contextConstructed(3, sequence(basicConstraints)),
  );
  const sig = sign("sha256", tbs, privateKey);
  return sequence(tbs, ecdsaSha256, tlv(0x03, new Uint8Array([0, ...sig])));
}

const hex = (der: Uint8Array): string => createHash("sha256").update(der).digest("hex");

/** A CA certificate whose SHA-256 starts with the same `digits` hex digits as one of `others`. */
export function caSharingPrefixWith(others: readonly string[], digits: number): Uint8Array {
  const wanted = new Set(others.map((o) => o.slice(0, digits)));
  for (let serial = 1; serial < 5_000_000; serial++) {
    const der = makeCa(serial);
    if (wanted.has(hex(der).slice(0, digits))) return der;
  }
  throw new Error("no shared prefix found");
}

/** Two CA certificates whose SHA-256 fingerprints share their first `digits` hex digits. */
export function twoCasSharingPrefix(digits: number): [Uint8Array, Uint8Array] {
  const seen = new Map<string, Uint8Array>();
  for (let serial = 1_000_000; serial < 6_000_000; serial++) {
    const der = makeCa(serial);
    const p = hex(der).slice(0, digits);
    const earlier = seen.get(p);
    if (earlier) return [earlier, der];
    seen.set(p, der);
  }
  throw new Error("no shared prefix found");
}
