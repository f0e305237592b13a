import { createHash } from "node:crypto";
import { KysoError } from "@kyso/core";
import type { ByteSource } from "./source.js";
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from "./objects.js";

// ISO 32000-1 §7.2.2: white-space and delimiter characters.
export function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}
export function isDelim(c: number): boolean {
  return c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
}
function isRegular(c: number): boolean {
  return c >= 0 && !isWhite(c) && !isDelim(c);
}

const MAX_DEPTH = 100;

/** Resolves an indirect /Length while a stream is being parsed. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

/**
 * A recursive-descent parser over a ByteSource. It never throws anything but KysoError
 * ("PDF_SYNTAX") and never reads past the end, so hostile input yields a clear error.
 */
export class Parser {
  pos: number;
  constructor(
    readonly src: ByteSource,
    pos = 0,
    private readonly resolveLength?: LengthResolver,
    /** The end of the region the parser may read (for objects inside object streams). */
    private readonly end = src.length,
  ) {
    this.pos = pos;
  }

  fail(what: string): never {
    throw new KysoError("PDF_SYNTAX", `PDF syntax error at offset ${this.pos}: ${what}`);
  }

  peek(): number {
    return this.pos < this.end ? this.src.byteAt(this.pos) : -1;
  }

  skipWhite(): void {
    for (;;) {
      const c = this.peek();
      if (c === 0x25) {
        // comment to end of line
        while (this.pos < this.end) {
          const d = this.src.byteAt(this.pos);
          if (d === 0x0a || d === 0x0d) break;
          this.pos++;
        }
      } else if (c >= 0 && isWhite(c)) this.pos++;
      else return;
    }
  }

  /** Reads a regular-character token (keyword or number) without consuming delimiters. */
  readToken(): string {
    this.skipWhite();
    let s = "";
    while (this.pos < this.end) {
      const c = this.src.byteAt(this.pos);
      if (!isRegular(c)) break;
      s += String.fromCharCode(c);
      this.pos++;
      if (s.length > 256) this.fail("token too long");
    }
    return s;
  }

  expectKeyword(k: string): void {
    const t = this.readToken();
    if (t !== k) this.fail(`expected "${k}", found "${t.slice(0, 20)}"`);
  }

  /** Parses "N G obj <object> endobj" at the current position. */
  parseIndirect(): { ref: PdfRef; value: PdfObject } {
    const num = this.readInt();
    const gen = this.readInt();
    this.expectKeyword("obj");
    const value = this.parseObject(0, true);
    return { ref: new PdfRef(num, gen), value };
  }

  readInt(): number {
    const t = this.readToken();
    if (!/^\d{1,10}$/.test(t)) this.fail(`expected an integer, found "${t.slice(0, 20)}"`);
    return Number(t);
  }

  parseObject(depth = 0, allowStream = false): PdfObject {
    if (depth > MAX_DEPTH) this.fail("objects nested too deeply");
    this.skipWhite();
    const c = this.peek();
    if (c < 0) this.fail("unexpected end of data");
    if (c === 0x2f) return this.parseName();
    if (c === 0x28) return this.parseLiteralString();
    if (c === 0x3c) {
      if (this.src.byteAt(this.pos + 1) === 0x3c) {
        const dict = this.parseDict(depth);
        if (allowStream) {
          const save = this.pos;
          if (this.readToken() === "stream") return this.parseStreamBody(dict);
          this.pos = save;
        }
        return dict;
      }
      return this.parseHexString();
    }
    if (c === 0x5b) {
      this.pos++;
      const items: PdfObject[] = [];
      for (;;) {
        this.skipWhite();
        const d = this.peek();
        if (d === 0x5d) {
          this.pos++;
          break;
        }
        if (d < 0) this.fail("unterminated array");
        items.push(this.parseObject(depth + 1));
        if (items.length > 10_000_000) this.fail("array too long");
      }
      return new PdfArray(items);
    }
    const t = this.readToken();
    if (t === "") this.fail(`unexpected character 0x${c.toString(16)}`);
    if (t === "true") return true;
    if (t === "false") return false;
    if (t === "null") return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) {
      const n = Number(t);
      // An integer may start "N G R".
      if (/^\d+$/.test(t)) {
        const save = this.pos;
        const g = this.readToken();
        if (/^\d+$/.test(g)) {
          const r = this.readToken();
          if (r === "R") return new PdfRef(n, Number(g));
        }
        this.pos = save;
      }
      return n;
    }
    // Some producers write numbers like "--5" or "0.0.1"; treat unknown keywords as errors.
    this.fail(`unexpected token "${t.slice(0, 20)}"`);
  }

  parseName(): PdfName {
    this.pos++; // '/'
    const bytes: number[] = [];
    while (this.pos < this.end) {
      const c = this.src.byteAt(this.pos);
      if (!isRegular(c)) break;
      if (c === 0x23) {
        const h = String.fromCharCode(this.src.byteAt(this.pos + 1), this.src.byteAt(this.pos + 2));
        if (/^[0-9a-fA-F]{2}$/.test(h)) {
          bytes.push(parseInt(h, 16));
          this.pos += 3;
          continue;
        }
      }
      bytes.push(c);
      this.pos++;
      if (bytes.length > 1024) this.fail("name too long");
    }
    return PdfName.of(Buffer.from(bytes).toString("latin1"));
  }

  parseLiteralString(): PdfString {
    this.pos++; // '('
    const out: number[] = [];
    let depth = 1;
    for (;;) {
      if (this.pos >= this.end) this.fail("unterminated string");
      let c = this.src.byteAt(this.pos++);
      if (c === 0x5c) {
        c = this.src.byteAt(this.pos++);
        switch (c) {
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x0d:
            if (this.src.byteAt(this.pos) === 0x0a) this.pos++;
            break;
          case 0x0a: break;
          default:
            if (c >= 0x30 && c <= 0x37) {
              let v = c - 0x30;
              for (let k = 0; k < 2; k++) {
                const d = this.src.byteAt(this.pos);
                if (d < 0x30 || d > 0x37) break;
                v = v * 8 + (d - 0x30);
                this.pos++;
              }
              out.push(v & 0xff);
            } else if (c >= 0) out.push(c);
        }
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) break;
      out.push(c);
    }
    return new PdfString(new Uint8Array(out), false);
  }

  /**
   * Strings longer than this (decoded bytes) are not decoded: they are read as a placeholder whose
   * bytes are the SHA-256 of the raw string (equal strings stay equal, changed ones differ) and
   * whose `omittedLength` tells the real size, so that a hostile 44 MB /Contents costs one scan.
   */
  maxStringBytes = Number.POSITIVE_INFINITY;

  parseHexString(): PdfString {
    // Fast path: digits only up to '>' in the next 64 KiB (a signature's /Contents is one such run).
    const window = this.src.slice(this.pos + 1, Math.min(this.end, this.pos + 1 + 64 * 1024));
    const close = window.indexOf(0x3e);
    if (close >= 0 && close / 2 <= this.maxStringBytes) {
      let ok = true;
      for (let i = 0; i < close && ok; i++) ok = HEX_DIGIT[window[i]] === 1;
      if (ok) {
        let text = Buffer.from(window.buffer, window.byteOffset, close).toString("latin1");
        if (close % 2) text += "0";
        this.pos += close + 2;
        return new PdfString(new Uint8Array(Buffer.from(text, "hex")), true);
      }
    }
    // Long or spaced: scanned block by block for the closing '>', counting and checking the digits.
    const start = this.pos + 1;
    let digits = 0;
    let at = start;
    let closeAt = -1;
    while (closeAt < 0) {
      if (at >= this.end) {
        this.pos = at;
        this.fail("unterminated hex string");
      }
      const block = this.src.slice(at, Math.min(this.end, at + 1024 * 1024));
      for (let i = 0; i < block.length; i++) {
        const c = block[i];
        if (HEX_DIGIT[c] === 1) digits++;
        else if (c === 0x3e) {
          closeAt = at + i;
          break;
        } else if (!isWhite(c)) {
          this.pos = at + i;
          this.fail("invalid character in hex string");
        }
      }
      at += block.length;
    }
    this.pos = closeAt + 1;
    const size = Math.ceil(digits / 2);
    if (size > this.maxStringBytes) {
      const h = createHash("sha256");
      for (let o = start; o < closeAt; o += 1024 * 1024) h.update(this.src.slice(o, Math.min(closeAt, o + 1024 * 1024)));
      return new PdfString(new Uint8Array(h.digest()), true, size);
    }
    const raw = Buffer.from(this.src.slice(start, closeAt)).toString("latin1");
    let text = digits === closeAt - start ? raw : raw.replace(/[\x00\t\n\f\r ]/g, "");
    if (text.length % 2) text += "0";
    return new PdfString(new Uint8Array(Buffer.from(text, "hex")), true);
  }

  parseDict(depth: number): PdfDict {
    this.pos += 2; // '<<'
    const dict = new PdfDict();
    for (;;) {
      this.skipWhite();
      const c = this.peek();
      if (c === 0x3e && this.src.byteAt(this.pos + 1) === 0x3e) {
        this.pos += 2;
        return dict;
      }
      if (c < 0) this.fail("unterminated dictionary");
      if (c !== 0x2f) this.fail("dictionary key is not a name");
      const key = this.parseName().value;
      this.skipWhite();
      const vc = this.peek();
      if (vc === 0x3e && this.src.byteAt(this.pos + 1) === 0x3e) {
        // A key without a value: treat as null, as lenient readers do.
        dict.set(key, null);
        continue;
      }
      dict.set(key, this.parseObject(depth + 1));
    }
  }

  private parseStreamBody(dict: PdfDict): PdfStream {
    // "stream" is followed by CRLF or LF (ISO 32000-1 §7.3.8.1); tolerate a lone CR.
    if (this.peek() === 0x0d) this.pos++;
    if (this.peek() === 0x0a) this.pos++;
    const start = this.pos;
    let len: number | undefined;
    const l = dict.get("Length");
    if (typeof l === "number") len = l;
    else if (l instanceof PdfRef && this.resolveLength) len = this.resolveLength(l);
    if (len !== undefined && Number.isInteger(len) && len >= 0 && start + len <= this.end && this.endstreamAt(start + len)) {
      this.pos = start + len;
    } else {
      // Wrong or missing /Length: find "endstream" as lenient readers do.
      const found = this.findKeyword("endstream", start);
      if (found < 0) this.fail("stream without endstream");
      let e = found;
      if (this.src.byteAt(e - 1) === 0x0a) e--;
      if (this.src.byteAt(e - 1) === 0x0d) e--;
      len = e - start;
      this.pos = found;
    }
    this.skipWhite();
    this.readToken(); // endstream
    return new PdfStream(dict, undefined, start, len);
  }

  private endstreamAt(p: number): boolean {
    const save = this.pos;
    this.pos = p;
    this.skipWhite();
    const ok = this.readToken() === "endstream";
    this.pos = save;
    return ok;
  }

  findKeyword(k: string, from: number, limit = this.end): number {
    const first = k.charCodeAt(0);
    outer: for (let p = from; p + k.length <= limit; p++) {
      if (this.src.byteAt(p) !== first) continue;
      for (let i = 1; i < k.length; i++) if (this.src.byteAt(p + i) !== k.charCodeAt(i)) continue outer;
      return p;
    }
    return -1;
  }
}

/** 1 for the bytes of 0-9, A-F, a-f. */
const HEX_DIGIT = new Uint8Array(256);
for (const c of "0123456789ABCDEFabcdef") HEX_DIGIT[c.charCodeAt(0)] = 1;
