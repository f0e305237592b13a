/**
 * A small DER encoder and reader (ITU-T X.690). Signing builds CMS from pre-encoded certificates
 * with it, so nothing is re-serialized and the bytes are exactly what was meant.
 */
export type Der = Uint8Array;

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...contents: Uint8Array[]): Der {
  let len = 0;
  for (const c of contents) len += c.length;
  const head = [tag, ...lengthBytes(len)];
  const out = new Uint8Array(head.length + len);
  out.set(head, 0);
  let off = head.length;
  for (const c of contents) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export const sequence = (...c: Uint8Array[]): Der => tlv(0x30, ...c);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

/** SET OF with its elements in DER order (X.690 §11.6). */
export function setOf(...c: Uint8Array[]): Der {
  return tlv(0x31, ...sortDer(c));
}

export function sortDer(c: Uint8Array[]): Uint8Array[] {
  return [...c].sort(compareBytes);
}

/** [n] IMPLICIT constructed: the same contents under a context tag. */
export function contextConstructed(n: number, ...c: Uint8Array[]): Der {
  return tlv(0xa0 | n, ...c);
}

export function oid(dotted: string): Der {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

/** A non-negative INTEGER from big-endian magnitude bytes (leading zeros trimmed, sign byte added). */
export function unsignedInteger(magnitude: Uint8Array): Der {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let m = magnitude.subarray(i);
  if (m.length === 0) m = new Uint8Array([0]);
  if (m[0] & 0x80) {
    const padded = new Uint8Array(m.length + 1);
    padded.set(m, 1);
    m = padded;
  }
  return tlv(0x02, m);
}

export function smallInteger(n: number): Der {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, new Uint8Array(bytes));
}

export const octetString = (b: Uint8Array): Der => tlv(0x04, b);
export const derNull = (): Der => new Uint8Array([0x05, 0x00]);

export function generalizedTime(d: Date): Der {
  const s = d.toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
  return tlv(0x18, new Uint8Array(Buffer.from(s, "latin1")));
}

/** One element read by DerReader: its tag, where its contents lie, and its whole encoding. */
export interface DerNode {
  tag: number;
  /** The whole element (tag + length + contents). */
  raw: Uint8Array;
  /** The contents only. */
  value: Uint8Array;
}

/** Reads one TLV at `offset`; definite lengths only (DER). */
export function readTlv(buf: Uint8Array, offset = 0): DerNode & { end: number } {
  if (offset + 2 > buf.length) throw new Error("DER: truncated");
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error("DER: high tag numbers are not supported");
  let len = buf[offset + 1];
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 6) throw new Error("DER: indefinite or oversized length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  }
  if (p + len > buf.length) throw new Error("DER: truncated");
  return { tag, raw: buf.subarray(offset, p + len), value: buf.subarray(p, p + len), end: p + len };
}

/** The children of a constructed element. */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let p = 0; p < node.value.length; ) {
    const c = readTlv(node.value, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function decodeOid(value: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < value.length; i++) {
    v = v * 128 + (value[i] & 0x7f);
    if (!(value[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

/** Converts a raw r||s ECDSA signature (PKCS#11, WebCrypto) to DER ECDSA-Sig-Value (RFC 3279 §2.2.3). */
export function ecdsaRawToDer(raw: Uint8Array): Der {
  if (raw.length % 2 !== 0 || raw.length === 0) throw new Error("ECDSA signature of odd length");
  const n = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, n)), unsignedInteger(raw.subarray(n)));
}

/** Converts DER ECDSA-Sig-Value to raw r||s with each half `n` bytes. */
export function ecdsaDerToRaw(der: Uint8Array, n: number): Uint8Array {
  const [r, s] = children(readTlv(der));
  const out = new Uint8Array(2 * n);
  const put = (v: Uint8Array, at: number): void => {
    let m = v;
    while (m.length > n && m[0] === 0) m = m.subarray(1);
    if (m.length > n) throw new Error("ECDSA integer too long for the curve");
    out.set(m, at + n - m.length);
  };
  put(r.value, 0);
  put(s.value, n);
  return out;
}
