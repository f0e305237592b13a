import { KysoError, concatBytes, parseAsn1, tlv, type Asn1 } from "@kyso/core";

/**
 * Re-encodes BER (indefinite lengths, constructed strings: as NSS and old PKCS#7 signers write CMS)
 * with definite lengths (X.690 §10.1) and primitive strings (§10.2), so the DER reader can walk it.
 * Element order is kept (a SET is not re-sorted): signed attributes stay byte-identical when they
 * were DER, which a signature requires anyway. Depth and size are bounded by the BER reader.
 */
export function berToDer(buf: Uint8Array): Uint8Array {
  let root: Asn1;
  try {
    root = parseAsn1(buf);
  } catch (e) {
    throw new KysoError("CMS_MALFORMED", `not BER/DER (${(e as Error).message})`, { cause: e });
  }
  return toDer(root);
}

function toDer(n: Asn1): Uint8Array {
  if (!n.constructed) return tlv(n.tag, n.value);
  // Constructed OCTET STRING / BIT STRING (universal 4 and 3): DER wants them primitive; a BIT
  // STRING segment starts with its unused-bits octet, kept only from the first segment.
  if (n.tag === 0x24 || n.tag === 0x23) {
    const parts = n.children.map((k, i) => {
      const v = toDer(k);
      const body = v.subarray(headerLength(v));
      return n.tag === 0x23 && i > 0 ? body.subarray(1) : body;
    });
    return tlv(n.tag & ~0x20, concatBytes(...parts));
  }
  return tlv(n.tag, ...n.children.map(toDer));
}

function headerLength(der: Uint8Array): number {
  const l = der[1];
  return l & 0x80 ? 2 + (l & 0x7f) : 2;
}
