import { decodeOid } from "./der.js";

/**
 * A tolerant BER reader (ITU-T X.690 §8): definite and indefinite lengths, as old PKCS#7
 * signers write them. Every element keeps its raw encoding, so signed parts are hashed exactly
 * as found. Depth and size are bounded: hostile input gives an error, never a hang.
 */
export interface Asn1 {
  tag: number;
  constructed: boolean;
  /** The whole element. */
  raw: Uint8Array;
  /** The contents (for indefinite lengths: without the end-of-contents octets). */
  value: Uint8Array;
  children: Asn1[];
}

const MAX_DEPTH = 40;

export class Asn1Error extends Error {}

function parseAt(buf: Uint8Array, offset: number, depth: number): { node: Asn1; end: number } {
  if (depth > MAX_DEPTH) throw new Asn1Error("ASN.1 nested too deeply");
  if (offset + 2 > buf.length) throw new Asn1Error("ASN.1 truncated");
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error("ASN.1 high tag numbers are not supported");
  const constructed = (tag & 0x20) !== 0;
  let p = offset + 1;
  let len = buf[p++];
  let indefinite = false;
  if (len === 0x80) {
    if (!constructed) throw new Asn1Error("ASN.1 indefinite length on a primitive");
    indefinite = true;
  } else if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 6) throw new Asn1Error("ASN.1 length too large");
    len = 0;
    for (let i = 0; i < n; i++) {
      if (p >= buf.length) throw new Asn1Error("ASN.1 truncated");
      len = len * 256 + buf[p++];
    }
  }
  const children: Asn1[] = [];
  if (indefinite) {
    const start = p;
    for (;;) {
      if (p + 2 > buf.length) throw new Asn1Error("ASN.1 truncated");
      if (buf[p] === 0 && buf[p + 1] === 0) break;
      const c = parseAt(buf, p, depth + 1);
      children.push(c.node);
      p = c.end;
    }
    return { node: { tag, constructed, raw: buf.subarray(offset, p + 2), value: buf.subarray(start, p), children }, end: p + 2 };
  }
  if (p + len > buf.length) throw new Asn1Error("ASN.1 truncated");
  const value = buf.subarray(p, p + len);
  if (constructed) {
    for (let q = 0; q < value.length; ) {
      const c = parseAt(value, q, depth + 1);
      children.push(c.node);
      q = c.end;
    }
  }
  return { node: { tag, constructed, raw: buf.subarray(offset, p + len), value, children }, end: p + len };
}

/** Parses one element at the start of `buf` (trailing bytes, such as /Contents zero padding, are ignored). */
export function parseAsn1(buf: Uint8Array): Asn1 {
  return parseAt(buf, 0, 0).node;
}

/** The contents of an OCTET STRING, joining the segments of a constructed (BER) one. */
export function octets(n: Asn1): Uint8Array {
  if (!n.constructed) return n.value;
  return Buffer.concat(n.children.map(octets));
}

export function oidOf(n: Asn1 | undefined): string {
  return n && n.tag === 0x06 ? decodeOid(n.value) : "";
}

/** UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5). */
export function timeOf(n: Asn1 | undefined): Date | undefined {
  if (!n || (n.tag !== 0x17 && n.tag !== 0x18)) return undefined;
  const s = Buffer.from(n.value).toString("latin1");
  const m = n.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d+))?Z$/.exec(s);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (n.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = n.tag === 0x18 && m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const t = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Re-tags an IMPLICIT [0] SET (CMS signed attributes) as the SET OF it is signed as (RFC 5652 §5.4). */
export function asSet(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(raw);
  out[0] = 0x31;
  return out;
}
