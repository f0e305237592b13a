import { openSync, readSync, closeSync, fstatSync } from "node:fs";

/**
 * Random access to the bytes of a PDF. Files are read on demand in blocks, so a 100 MB scan is
 * never loaded whole just to find its trailer and a few objects.
 */
export interface ByteSource {
  readonly length: number;
  /** The byte at `pos`, or -1 past the end. */
  byteAt(pos: number): number;
  /** A copy (or view) of [start, end), clipped to the source. */
  slice(start: number, end: number): Uint8Array;
  close(): void;
}

export class MemorySource implements ByteSource {
  constructor(readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length;
  }
  byteAt(pos: number): number {
    return pos >= 0 && pos < this.bytes.length ? this.bytes[pos] : -1;
  }
  slice(start: number, end: number): Uint8Array {
    return this.bytes.subarray(Math.max(0, start), Math.min(end, this.bytes.length));
  }
  close(): void {}
}

const BLOCK = 64 * 1024;
const MAX_BLOCKS = 64;

export class FileSource implements ByteSource {
  readonly length: number;
  private fd: number;
  private readonly blocks = new Map<number, Uint8Array>();
  /** The block byteAt read last: the lexer reads byte by byte, mostly within one block. */
  private lastIndex = -1;
  private lastBlock: Uint8Array = new Uint8Array(0);

  constructor(path: string) {
    this.fd = openSync(path, "r");
    try {
      this.length = fstatSync(this.fd).size;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  private block(index: number): Uint8Array {
    let b = this.blocks.get(index);
    if (b) {
      // Keep recently used blocks at the end of the map (LRU).
      this.blocks.delete(index);
      this.blocks.set(index, b);
      return b;
    }
    const start = index * BLOCK;
    const len = Math.min(BLOCK, this.length - start);
    b = new Uint8Array(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, b, got, len - got, start + got);
      if (n === 0) break;
      got += n;
    }
    if (this.blocks.size >= MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    this.blocks.set(index, b);
    return b;
  }

  byteAt(pos: number): number {
    if (pos < 0 || pos >= this.length) return -1;
    const index = Math.floor(pos / BLOCK);
    if (index !== this.lastIndex) {
      this.lastBlock = this.block(index);
      this.lastIndex = index;
    }
    return this.lastBlock[pos - index * BLOCK];
  }

  slice(start: number, end: number): Uint8Array {
    start = Math.max(0, start);
    end = Math.min(end, this.length);
    if (end <= start) return new Uint8Array(0);
    const first = Math.floor(start / BLOCK);
    if (Math.floor((end - 1) / BLOCK) === first) return this.block(first).subarray(start % BLOCK, start % BLOCK + (end - start));
    if (end - start > BLOCK * 4) {
      // Large ranges (big streams) bypass the cache.
      const out = new Uint8Array(end - start);
      let got = 0;
      while (got < out.length) {
        const n = readSync(this.fd, out, got, out.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return out;
    }
    const out = new Uint8Array(end - start);
    for (let pos = start; pos < end; ) {
      const b = this.block(Math.floor(pos / BLOCK));
      const off = pos % BLOCK;
      const n = Math.min(b.length - off, end - pos);
      out.set(b.subarray(off, off + n), pos - start);
      pos += n;
    }
    return out;
  }

  /**
   * Reads [start, start + into.length) into `into`, bypassing the block cache; returns the bytes
   * read. For one streamed pass over a large file with a single reused buffer.
   */
  readInto(start: number, into: Uint8Array): number {
    let got = 0;
    while (got < into.length && start + got < this.length) {
      const n = readSync(this.fd, into, got, Math.min(into.length - got, this.length - start - got), start + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
