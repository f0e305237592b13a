import type { ByteSource } from "./source.js";
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from "./objects.js";
import { PdfReader, type ReaderOptions } from "./reader.js";

/**
 * The first `end` bytes of another source: the document as it was when one revision was written
 * (ISO 32000-1 §7.5.6). Closing it leaves the underlying source open.
 */
export class PrefixSource implements ByteSource {
  readonly length: number;
  constructor(
    private readonly inner: ByteSource,
    end: number,
  ) {
    this.length = Math.max(0, Math.min(end, inner.length));
  }
  byteAt(pos: number): number {
    return pos >= 0 && pos < this.length ? this.inner.byteAt(pos) : -1;
  }
  slice(start: number, end: number): Uint8Array {
    return this.inner.slice(start, Math.min(end, this.length));
  }
  close(): void {}
}

/** A reader over the document as it was at the end of a revision (bytes [0, end)). */
export function readerAtRevision(reader: PdfReader, end: number, options: ReaderOptions = {}): PdfReader {
  return PdfReader.fromSource(new PrefixSource(reader.src, end), { maxDecodedStream: reader.maxDecoded, ...options });
}

/**
 * Structural equality of two PDF objects. References compare by number and generation (not by
 * what they point to); streams compare by dictionary and raw bytes.
 */
export function sameObject(a: PdfObject | undefined, b: PdfObject | undefined, readA?: PdfReader, readB?: PdfReader, depth = 0): boolean {
  if (depth > 100) return false;
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof PdfName || b instanceof PdfName) return false; // names are interned: equal ones are ===
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (a instanceof PdfString) return b instanceof PdfString && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  if (a instanceof PdfArray) {
    if (!(b instanceof PdfArray) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameObject(a.items[i], b.items[i], readA, readB, depth + 1)) return false;
    return true;
  }
  if (a instanceof PdfDict) {
    if (!(b instanceof PdfDict) || a.entries.size !== b.entries.size) return false;
    for (const [k, v] of a.entries) if (!b.has(k) || !sameObject(v, b.get(k), readA, readB, depth + 1)) return false;
    return true;
  }
  if (a instanceof PdfStream) {
    if (!(b instanceof PdfStream)) return false;
    if (!sameObject(a.dict, b.dict, readA, readB, depth + 1)) return false;
    if (a.rawOffset >= 0 && a.rawOffset === b.rawOffset && a.rawLength === b.rawLength && !a.raw && !b.raw) return true;
    const ra = a.raw ?? readA?.streamRaw(a);
    const rb = b.raw ?? readB?.streamRaw(b);
    return !!ra && !!rb && Buffer.from(ra.buffer, ra.byteOffset, ra.byteLength).equals(Buffer.from(rb.buffer, rb.byteOffset, rb.byteLength));
  }
  return false;
}

/** The keys whose values differ between two dictionaries (added, removed or changed). */
export function changedKeys(a: PdfDict | undefined, b: PdfDict | undefined): string[] {
  const out = new Set<string>();
  const ea = a?.entries ?? new Map<string, PdfObject>();
  const eb = b?.entries ?? new Map<string, PdfObject>();
  for (const [k, v] of ea) if (!eb.has(k) || !sameObject(v, eb.get(k))) out.add(k);
  for (const k of eb.keys()) if (!ea.has(k)) out.add(k);
  return [...out];
}
