import { KysoError, concatBytes, tlv } from "@kyso/core";

/**
 * Re-encodes BER (indefinite lengths, constructed strings: as NSS and old PKCS#7 signers write CMS)
 * with definite lengths (X.690 §10.1) and primitive strings (§10.2), so the DER reader can walk it.
 * Element order is kept (a SET is not re-sorted): signed attributes stay byte-identical when they
 * were DER, which a signature requires anyway. Depth and size are bounded.
 */
export function berToDer(buf: Uint8Array): Uint8Array {
  try {
    return convert(buf, 0, 0).der;
  } catch (e) {
    throw new KysoError("CMS_MALFORMED", `not BER/DER (${(e as Error).message})`, { cause: e });
  }
}

function convert(buf: Uint8Array, offset: number, depth: number): { der: Uint8Array; end: number } {
  if (depth > 40) throw new Error("nested too deeply");
  if (offset + 2 > buf.length) throw new Error("truncated");
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error("high tag numbers are not supported");
  const constructed = (tag & 0x20) !== 0;
  let p = offset + 1;
  let len = buf[p++];
  let indefinite = false;
  if (len === 0x80) {
    if (!constructed) throw new Error("indefinite length on a primitive");
    indefinite = true;
  } else if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 6) throw new Error("length too large");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  }
  if (!constructed) {
    if (p + len > buf.length) throw new Error("truncated");
    return { der: tlv(tag, buf.subarray(p, p + len)), end: p + len };
  }
  const kids: Uint8Array[] = [];
  let end: number;
  if (indefinite) {
    for (;;) {
      if (p + 2 > buf.length) throw new Error("truncated (no end-of-contents)");
      if (buf[p] === 0 && buf[p + 1] === 0) {
        end = p + 2;
        break;
      }
      const c = convert(buf, p, depth + 1);
      kids.push(c.der);
      p = c.end;
    }
  } else {
    end = p + len;
    if (end > buf.length) throw new Error("truncated");
    while (p < end) {
      const c = convert(buf, p, depth + 1);
      kids.push(c.der);
      p = c.end;
    }
    if (p !== end) throw new Error("child overruns its parent");
  }
  // Constructed OCTET STRING / BIT STRING (universal 4 and 3): DER wants them primitive.
  if (tag === 0x24 || tag === 0x23) {
    const parts = kids.map((k) => {
      const v = k.subarray(headerLength(k));
      return tag === 0x23 && k !== kids[0] ? v.subarray(1) : v;
    });
    return { der: tlv(tag & ~0x20, concatBytes(...parts)), end };
  }
  return { der: tlv(tag, ...kids), end };
}

function headerLength(der: Uint8Array): number {
  const l = der[1];
  return l & 0x80 ? 2 + (l & 0x7f) : 2;
}
