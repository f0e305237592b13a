/**
 * The PDF object model (ISO 32000-1 §7.3): just enough structure to read what signing and
 * verification need and to write an incremental update. Dictionaries keep their key order.
 */
export class PdfName {
  private static readonly interned = new Map<string, PdfName>();
  private constructor(readonly value: string) {}
  static of(value: string): PdfName {
    let n = PdfName.interned.get(value);
    if (!n) {
      n = new PdfName(value);
      PdfName.interned.set(value, n);
    }
    return n;
  }
  toString(): string {
    return `/${this.value}`;
  }
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  key(): string {
    return `${this.num} ${this.gen}`;
  }
  equals(o: unknown): boolean {
    return o instanceof PdfRef && o.num === this.num && o.gen === this.gen;
  }
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

/** A string object; `hex` records how it was (or is to be) written. */
export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex = false,
    /** Set when the string was longer than the reader's bound: its real size; `bytes` then hold its SHA-256. */
    readonly omittedLength = 0,
  ) {}
  /** Decodes a text string (ISO 32000-1 §7.9.2.2): UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding. */
  asText(): string {
    return decodeTextString(this.bytes);
  }
}

export class PdfDict {
  readonly entries: Map<string, PdfObject>;
  constructor(entries?: Iterable<[string, PdfObject]>) {
    this.entries = new Map(entries ?? []);
  }
  get(key: string): PdfObject | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: PdfObject): this {
    this.entries.set(key, value);
    return this;
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
  keys(): string[] {
    return [...this.entries.keys()];
  }
  getName(key: string): string | undefined {
    const v = this.entries.get(key);
    return v instanceof PdfName ? v.value : undefined;
  }
  getNumber(key: string): number | undefined {
    const v = this.entries.get(key);
    return typeof v === "number" ? v : undefined;
  }
  clone(): PdfDict {
    return new PdfDict(this.entries);
  }
}

export class PdfArray {
  constructor(readonly items: PdfObject[] = []) {}
  get length(): number {
    return this.items.length;
  }
}

/** A stream as found in the file: its dictionary and where its raw (encoded) bytes lie. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** Raw bytes when known in memory (streams we create, or streams from object streams). */
    readonly raw: Uint8Array | undefined,
    /** Absolute offset and length of the raw data in the file (streams read from a file). */
    readonly rawOffset = -1,
    readonly rawLength = -1,
  ) {}
}

export type PdfObject = null | boolean | number | PdfName | PdfString | PdfRef | PdfArray | PdfDict | PdfStream;

export const name = PdfName.of;

export function isDict(o: unknown): o is PdfDict {
  return o instanceof PdfDict;
}

// PDFDocEncoding differs from Latin-1 only in 0x18-0x1F and 0x80-0x9F (ISO 32000-1 Annex D.2).
const PDF_DOC_HIGH: Record<number, number> = {
  0x18: 0x02d8, 0x19: 0x02c7, 0x1a: 0x02c6, 0x1b: 0x02d9, 0x1c: 0x02dd, 0x1d: 0x02db, 0x1e: 0x02da, 0x1f: 0x02dc,
  0x80: 0x2022, 0x81: 0x2020, 0x82: 0x2021, 0x83: 0x2026, 0x84: 0x2014, 0x85: 0x2013, 0x86: 0x0192, 0x87: 0x2044,
  0x88: 0x2039, 0x89: 0x203a, 0x8a: 0x2212, 0x8b: 0x2030, 0x8c: 0x201e, 0x8d: 0x201c, 0x8e: 0x201d, 0x8f: 0x2018,
  0x90: 0x2019, 0x91: 0x201a, 0x92: 0x2122, 0x93: 0xfb01, 0x94: 0xfb02, 0x95: 0x0141, 0x96: 0x0152, 0x97: 0x0160,
  0x98: 0x0178, 0x99: 0x017d, 0x9a: 0x0131, 0x9b: 0x0142, 0x9c: 0x0153, 0x9d: 0x0161, 0x9e: 0x017e, 0xa0: 0x20ac,
};

export function decodeTextString(b: Uint8Array): string {
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    let s = "";
    for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
    return s;
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return Buffer.from(b.subarray(3)).toString("utf8");
  let s = "";
  for (const c of b) s += String.fromCharCode(PDF_DOC_HIGH[c] ?? c);
  return s;
}

/** Encodes a text string: PDFDocEncoding-compatible ASCII stays as is, anything else is UTF-16BE with BOM. */
export function encodeTextString(text: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(new Uint8Array(Buffer.from(text, "latin1")));
  const units = Buffer.alloc(2 + text.length * 2);
  units[0] = 0xfe;
  units[1] = 0xff;
  for (let i = 0; i < text.length; i++) units.writeUInt16BE(text.charCodeAt(i), 2 + 2 * i);
  return new PdfString(new Uint8Array(units), true);
}
