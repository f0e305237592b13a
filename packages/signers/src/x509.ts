import { createPublicKey, type KeyObject } from "node:crypto";
import { parseCertificate, children, readTlv } from "@kyso/core";
import type { KeyAlgorithm } from "@kyso/core";

export function keyAlgorithmOfCertificate(der: Uint8Array): KeyAlgorithm {
  return parseCertificate(der).keyAlgorithm;
}

/** True when the certificate carries the public half of this private (or public) key. */
export function publicKeyMatches(certDer: Uint8Array, key: KeyObject): boolean {
  const spki = parseCertificate(certDer).spki;
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const mine = pub.export({ type: "spki", format: "der" });
  return Buffer.compare(Buffer.from(spki), mine) === 0;
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * The certificates above `leaf` among `pool`, nearest first, matched by issuer and subject names
 * (a path for the CMS certificate set; trust is decided by the verifier, never here).
 */
export function orderChain(leaf: Uint8Array, pool: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let current = parseCertificate(leaf);
  for (let i = 0; i < 8; i++) {
    if (bytesEq(current.issuer, current.subject)) break;
    const next = pool.find((c) => !bytesEq(c, current.der) && !out.some((o) => bytesEq(o, c)) && bytesEq(parseCertificate(c).subject, current.issuer));
    if (!next) break;
    out.push(next);
    current = parseCertificate(next);
  }
  return out;
}

/** The subject's commonName, for messages (UTF-8/PrintableString/BMP). */
export function commonName(certDer: Uint8Array): string | undefined {
  const subject = readTlv(parseCertificate(certDer).subject);
  for (const rdn of children(subject)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (Buffer.from(type.value).toString("hex") === "550403") {
        if (value.tag === 0x1e) return Buffer.from(value.value).swap16().toString("utf16le");
        return Buffer.from(value.value).toString(value.tag === 0x0c ? "utf8" : "latin1");
      }
    }
  }
  return undefined;
}
