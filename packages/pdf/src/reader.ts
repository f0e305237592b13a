import { KysoError } from "@kyso/core";
import { decodeStreamData, DEFAULT_MAX_DECODED } from "./filters.js";
import { Parser } from "./lexer.js";
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, type PdfObject } from "./objects.js";
import { FileSource, MemorySource, type ByteSource } from "./source.js";

export type XrefEntry =
  | { type: 0 }
  | { type: 1; offset: number; gen: number }
  | { type: 2; stream: number; index: number };

/** One cross-reference section: one revision of the file (ISO 32000-1 §7.5.4, §7.5.8). */
export interface XrefSection {
  /** Where the section starts (the value of startxref). */
  offset: number;
  kind: "table" | "stream";
  trailer: PdfDict;
  entries: Map<number, XrefEntry>;
  /** For hybrid-reference files: the offset of the /XRefStm stream merged into this section. */
  hybridStreamOffset?: number;
  /** The end of this revision: just past its %%EOF marker and end-of-line, or -1 when not found. */
  end: number;
}

export interface ReaderOptions {
  /** Largest decoded stream accepted (decompression bombs). */
  maxDecodedStream?: number;
  /** Largest string decoded (bytes); a longer one is read as a placeholder (PdfString.omittedLength). Default: no bound. */
  maxStringBytes?: number;
}

/**
 * A lazy PDF reader: it reads the trailer and the cross-reference chain, then parses objects only
 * when asked. Works over a file handle, so large scans are not loaded into memory.
 */
export class PdfReader {
  readonly sections: XrefSection[] = [];
  private readonly entries = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, PdfObject>();
  private readonly objStmCache = new Map<number, { data: Uint8Array; offsets: Map<number, number> }>();
  private reconstructed: Map<number, number> | undefined;
  /** True when the cross-reference data was unusable and objects were found by scanning the file. */
  repaired = false;
  readonly warnings: string[] = [];
  readonly maxDecoded: number;
  readonly maxString: number;
  readonly headerVersion: string | undefined;

  private constructor(
    readonly src: ByteSource,
    options: ReaderOptions,
  ) {
    this.maxDecoded = options.maxDecodedStream ?? DEFAULT_MAX_DECODED;
    this.maxString = options.maxStringBytes ?? Number.POSITIVE_INFINITY;
    const head = Buffer.from(src.slice(0, 1024)).toString("latin1");
    const m = /%PDF-(\d\.\d)/.exec(head);
    if (!m) {
      src.close();
      throw new KysoError("PDF_NOT_PDF", "Not a PDF file (no %PDF- header)");
    }
    this.headerVersion = m[1];
    this.load();
  }

  static fromBytes(bytes: Uint8Array, options: ReaderOptions = {}): PdfReader {
    return new PdfReader(new MemorySource(bytes), options);
  }

  /** A reader over any byte source (e.g. a bounded view: the document as one revision left it). */
  static fromSource(src: ByteSource, options: ReaderOptions = {}): PdfReader {
    return new PdfReader(src, options);
  }

  static openFile(path: string, options: ReaderOptions = {}): PdfReader {
    let src: FileSource;
    try {
      src = new FileSource(path);
    } catch (e) {
      throw new KysoError("FILE_UNREADABLE", `Cannot read ${path}: ${(e as Error).message}`, { cause: e });
    }
    if (src.length === 0) {
      src.close();
      throw new KysoError("PDF_NOT_PDF", "Empty file");
    }
    return new PdfReader(src, options);
  }

  close(): void {
    this.src.close();
  }

  get length(): number {
    return this.src.length;
  }

  /** The newest trailer. */
  get trailer(): PdfDict {
    return this.sections[0].trailer;
  }

  /** The kind of cross-reference section the file ends with: an update must use the same kind. */
  get xrefKind(): "table" | "stream" {
    return this.sections[0]?.kind ?? "table";
  }

  /** One more than the highest object number in use. */
  get size(): number {
    let size = 0;
    for (const s of this.sections) size = Math.max(size, s.trailer.getNumber("Size") ?? 0);
    for (const n of this.entries.keys()) size = Math.max(size, n + 1);
    if (this.reconstructed) for (const n of this.reconstructed.keys()) size = Math.max(size, n + 1);
    return size;
  }

  get encrypted(): boolean {
    return this.trailer.has("Encrypt");
  }

  private findStartXref(): number {
    const tailStart = Math.max(0, this.src.length - 4096);
    const tail = Buffer.from(this.src.slice(tailStart, this.src.length)).toString("latin1");
    const i = tail.lastIndexOf("startxref");
    if (i < 0) return -1;
    const m = /^startxref\s+(\d+)/.exec(tail.slice(i));
    return m ? Number(m[1]) : -1;
  }

  private load(): void {
    const start = this.findStartXref();
    try {
      if (start < 0 || start >= this.src.length) throw new KysoError("PDF_XREF", "no startxref");
      const seen = new Set<number>();
      let offset: number | undefined = start;
      while (offset !== undefined) {
        if (seen.has(offset)) {
          this.warnings.push(`cross-reference chain loops at offset ${offset}`);
          break;
        }
        if (seen.size > 10_000) throw new KysoError("PDF_XREF", "too many cross-reference sections");
        seen.add(offset);
        const section = this.readSection(offset);
        this.sections.push(section);
        const prev = section.trailer.get("Prev");
        offset = typeof prev === "number" && prev >= 0 && prev < this.src.length ? prev : undefined;
      }
      if (!(this.sections[0].trailer.get("Root") instanceof PdfRef)) throw new KysoError("PDF_XREF", "trailer has no /Root");
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      this.sections.length = 0;
      this.warnings.push(`cross-reference data unusable (${e.message}); objects found by scanning the file`);
      this.reconstruct();
      return;
    }
    // Newest entries win (ISO 32000-1 §7.5.6).
    for (const s of this.sections) for (const [num, e] of s.entries) if (!this.entries.has(num)) this.entries.set(num, e);
  }

  private readSection(offset: number): XrefSection {
    const p = new Parser(this.src, offset);
    p.skipWhite();
    const save = p.pos;
    if (p.readToken() === "xref") return this.readTable(p, offset);
    p.pos = save;
    return this.readXrefStream(offset);
  }

  private readTable(p: Parser, offset: number): XrefSection {
    const entries = new Map<number, XrefEntry>();
    for (;;) {
      p.skipWhite();
      const save = p.pos;
      const t = p.readToken();
      if (t === "trailer") break;
      if (!/^\d+$/.test(t)) throw new KysoError("PDF_XREF", `bad cross-reference table at ${save}`);
      const first = Number(t);
      const count = p.readInt();
      if (count > 10_000_000) throw new KysoError("PDF_XREF", "cross-reference subsection too large");
      for (let i = 0; i < count; i++) {
        const off = p.readToken();
        const gen = p.readToken();
        const kind = p.readToken();
        if (!/^\d+$/.test(off) || !/^\d+$/.test(gen) || (kind !== "n" && kind !== "f"))
          throw new KysoError("PDF_XREF", `bad cross-reference entry at ${p.pos}`);
        const num = first + i;
        if (entries.has(num)) continue;
        entries.set(num, kind === "n" ? { type: 1, offset: Number(off), gen: Number(gen) } : { type: 0 });
      }
    }
    const trailer = p.parseObject();
    if (!(trailer instanceof PdfDict)) throw new KysoError("PDF_XREF", "trailer is not a dictionary");
    const section: XrefSection = { offset, kind: "table", trailer, entries, end: this.findEof(p.pos) };
    const xrefStm = trailer.get("XRefStm");
    if (typeof xrefStm === "number") {
      // Hybrid-reference file (ISO 32000-1 §7.5.8.4): the stream's entries complete the table's.
      try {
        const hs = this.readXrefStream(xrefStm);
        section.hybridStreamOffset = xrefStm;
        for (const [num, e] of hs.entries) {
          const t = entries.get(num);
          if (!t || t.type === 0) entries.set(num, e);
        }
      } catch (e) {
        this.warnings.push(`hybrid-reference stream at ${xrefStm} unreadable: ${(e as Error).message}`);
      }
    }
    return section;
  }

  private readXrefStream(offset: number): XrefSection {
    const p = new Parser(this.src, offset, (ref) => this.lengthOf(ref));
    const { value } = p.parseIndirect();
    if (!(value instanceof PdfStream) || value.dict.getName("Type") !== "XRef")
      throw new KysoError("PDF_XREF", `no cross-reference stream at offset ${offset}`);
    const d = value.dict;
    const w = d.get("W");
    if (!(w instanceof PdfArray) || w.length !== 3 || !w.items.every((x) => typeof x === "number" && x >= 0 && x <= 8))
      throw new KysoError("PDF_XREF", "bad /W in cross-reference stream");
    const [w0, w1, w2] = w.items as number[];
    const size = d.getNumber("Size") ?? 0;
    const idx = d.get("Index");
    const index = idx instanceof PdfArray ? (idx.items as number[]) : [0, size];
    const data = this.streamData(value);
    const rowLen = w0 + w1 + w2;
    if (rowLen === 0) throw new KysoError("PDF_XREF", "bad /W in cross-reference stream");
    const entries = new Map<number, XrefEntry>();
    let pos = 0;
    const field = (width: number, dflt: number): number => {
      if (width === 0) return dflt;
      let v = 0;
      for (let i = 0; i < width; i++) v = v * 256 + data[pos++];
      return v;
    };
    for (let k = 0; k + 1 < index.length; k += 2) {
      const first = index[k];
      const count = index[k + 1];
      if (typeof first !== "number" || typeof count !== "number") throw new KysoError("PDF_XREF", "bad /Index");
      for (let i = 0; i < count; i++) {
        if (pos + rowLen > data.length) break;
        const type = field(w0, 1);
        const f2 = field(w1, 0);
        const f3 = field(w2, 0);
        const num = first + i;
        if (entries.has(num)) continue;
        if (type === 1) entries.set(num, { type: 1, offset: f2, gen: f3 });
        else if (type === 2) entries.set(num, { type: 2, stream: f2, index: f3 });
        else entries.set(num, { type: 0 });
      }
    }
    return { offset, kind: "stream", trailer: d, entries, end: this.findEof(value.rawOffset + Math.max(0, value.rawLength)) };
  }

  /** Position just past the first %%EOF (and its end-of-line) at or after `from`. */
  private findEof(from: number): number {
    const p = new Parser(this.src, 0);
    const at = p.findKeyword("%%EOF", from, Math.min(this.src.length, from + 64 * 1024 * 1024));
    if (at < 0) return -1;
    let end = at + 5;
    if (this.src.byteAt(end) === 0x0d) end++;
    if (this.src.byteAt(end) === 0x0a) end++;
    return end;
  }

  /** Scans the whole file for "N G obj" when the cross-reference data cannot be used. */
  private reconstruct(): void {
    this.repaired = true;
    const map = this.scanObjects();
    let trailer: PdfDict | undefined;
    const p = new Parser(this.src, 0);
    for (let t = p.findKeyword("trailer", 0); t >= 0; t = p.findKeyword("trailer", t + 7)) {
      try {
        const d = new Parser(this.src, t + 7).parseObject();
        if (d instanceof PdfDict && d.get("Root") instanceof PdfRef) trailer = d;
      } catch {
        /* ignore a damaged trailer */
      }
    }
    this.reconstructed = map;
    for (const [num, off] of map) this.entries.set(num, { type: 1, offset: off, gen: 0 });
    if (!trailer) {
      // Files with only xref streams: take the newest one that has a /Root, or find a catalog.
      for (const [num] of [...map].reverse()) {
        try {
          const o = this.getObject(num);
          const d = o instanceof PdfStream ? o.dict : o;
          if (d instanceof PdfDict && d.getName("Type") === "XRef" && d.get("Root") instanceof PdfRef) {
            trailer = d;
            break;
          }
          if (d instanceof PdfDict && d.getName("Type") === "Catalog") {
            trailer = new PdfDict([["Root", new PdfRef(num, 0)]]);
            break;
          }
        } catch {
          /* keep looking */
        }
      }
    }
    if (!trailer) throw new KysoError("PDF_CORRUPT", "Damaged PDF: no cross-reference data and no document catalog could be found");
    this.sections.push({ offset: -1, kind: "table", trailer, entries: new Map(), end: this.src.length });
  }

  private lengthOf(ref: PdfRef): number | undefined {
    try {
      const v = this.getObject(ref);
      return typeof v === "number" ? v : undefined;
    } catch {
      return undefined;
    }
  }

  entry(num: number): XrefEntry | undefined {
    return this.entries.get(num);
  }

  /** Every object number with an in-use entry. */
  objectNumbers(): number[] {
    return [...this.entries].filter(([, e]) => e.type !== 0).map(([n]) => n);
  }

  /** The object with this number (as the newest revision has it); null when free or missing. */
  getObject(ref: PdfRef | number): PdfObject {
    const num = typeof ref === "number" ? ref : ref.num;
    if (this.cache.has(num)) return this.cache.get(num) ?? null;
    this.cache.set(num, null); // guards against reference loops while parsing
    const e = this.entries.get(num);
    let value: PdfObject = null;
    if (e?.type === 1) value = this.parseAt(num, e.offset);
    else if (e?.type === 2) value = this.fromObjectStream(num, e.stream, e.index);
    this.cache.set(num, value);
    return value;
  }

  /** Parses the object at an offset, checking that it is the object expected. */
  parseAt(num: number, offset: number): PdfObject {
    const tryAt = (off: number): PdfObject | undefined => {
      try {
        const p = new Parser(this.src, off, (ref) => this.lengthOf(ref));
        p.maxStringBytes = this.maxString;
        const { ref, value } = p.parseIndirect();
        return ref.num === num ? value : undefined;
      } catch (e) {
        if (e instanceof KysoError && e.code !== "PDF_SYNTAX") throw e;
        return undefined;
      }
    };
    const v = tryAt(offset);
    if (v !== undefined) return v;
    // A wrong offset: find the object by scanning, as lenient readers do, and say so.
    if (!this.reconstructed) {
      this.warnings.push(`object ${num} is not at the offset its cross-reference entry gives`);
      this.scanObjects();
    }
    const off = this.reconstructed?.get(num);
    if (off !== undefined && off !== offset) {
      const w = tryAt(off);
      if (w !== undefined) return w;
    }
    throw new KysoError("PDF_CORRUPT", `object ${num} cannot be read at offset ${offset}`);
  }

  /** Offsets of every "N G obj" in the file, the last one of each number winning. */
  private scanObjects(): Map<number, number> {
    const map = new Map<number, number>();
    const CHUNK = 1 << 20;
    const re = /(?:^|[\r\n\s])(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj\b/g;
    for (let base = 0; base < this.src.length; base += CHUNK) {
      const text = Buffer.from(this.src.slice(base, Math.min(this.src.length, base + CHUNK + 64))).toString("latin1");
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const at = base + m.index + (m[0].length - m[0].trimStart().length);
        if (at < base + CHUNK) map.set(Number(m[1]), at);
      }
    }
    this.reconstructed = map;
    return map;
  }

  private fromObjectStream(num: number, streamNum: number, index: number): PdfObject {
    let os = this.objStmCache.get(streamNum);
    if (!os) {
      const s = this.getObject(streamNum);
      if (!(s instanceof PdfStream) || s.dict.getName("Type") !== "ObjStm") return null;
      const data = this.streamData(s);
      const n = s.dict.getNumber("N") ?? 0;
      const first = s.dict.getNumber("First") ?? 0;
      const p = new Parser(new MemorySource(data), 0);
      const offsets = new Map<number, number>();
      for (let i = 0; i < n && i < 1_000_000; i++) {
        const on = p.readInt();
        const off = p.readInt();
        if (!offsets.has(on)) offsets.set(on, first + off);
      }
      os = { data, offsets };
      this.objStmCache.set(streamNum, os);
    }
    const off = os.offsets.get(num);
    if (off === undefined) return null;
    void index;
    const p = new Parser(new MemorySource(os.data), off);
    p.maxStringBytes = this.maxString;
    return p.parseObject();
  }

  /** Follows indirect references (with a bound, against loops). */
  resolve(o: PdfObject | undefined): PdfObject {
    let v: PdfObject | undefined = o;
    for (let i = 0; v instanceof PdfRef && i < 32; i++) v = this.getObject(v);
    return v instanceof PdfRef ? null : (v ?? null);
  }

  dict(o: PdfObject | undefined): PdfDict | undefined {
    const v = this.resolve(o);
    return v instanceof PdfDict ? v : v instanceof PdfStream ? v.dict : undefined;
  }

  array(o: PdfObject | undefined): PdfArray | undefined {
    const v = this.resolve(o);
    return v instanceof PdfArray ? v : undefined;
  }

  /** The encoded bytes of a stream. */
  streamRaw(s: PdfStream): Uint8Array {
    if (s.raw) return s.raw;
    return this.src.slice(s.rawOffset, s.rawOffset + s.rawLength);
  }

  /** The decoded bytes of a stream (through Flate, ASCIIHex and ASCII85; image codecs stay encoded). */
  streamData(s: PdfStream): Uint8Array {
    const dict = new PdfDict(s.dict.entries);
    const f = dict.get("Filter");
    if (f instanceof PdfRef) dict.set("Filter", this.resolve(f));
    const dp = dict.get("DecodeParms");
    if (dp instanceof PdfRef) dict.set("DecodeParms", this.resolve(dp));
    return decodeStreamData(dict, this.streamRaw(s), this.maxDecoded).data;
  }

  catalog(): PdfDict {
    const c = this.dict(this.trailer.get("Root"));
    if (!c) throw new KysoError("PDF_CORRUPT", "The document catalog (/Root) is missing");
    return c;
  }

  get catalogRef(): PdfRef {
    return this.trailer.get("Root") as PdfRef;
  }

  /** Number of pages, from the page tree's /Count. */
  pageCount(): number {
    const pages = this.dict(this.catalog().get("Pages"));
    return pages?.getNumber("Count") ?? 0;
  }

  /** The page at a 0-based index, found by walking the page tree with /Count (only the path to it is parsed). */
  page(index: number): { ref: PdfRef; dict: PdfDict; inherited: PdfDict } {
    let node = this.catalog().get("Pages");
    let remaining = index;
    const inherited = new PdfDict();
    const seen = new Set<string>();
    for (let depth = 0; depth < 64; depth++) {
      if (!(node instanceof PdfRef)) break;
      if (seen.has(node.key())) break;
      seen.add(node.key());
      const d = this.dict(node);
      if (!d) break;
      for (const k of ["Resources", "MediaBox", "CropBox", "Rotate"]) if (d.has(k)) inherited.set(k, d.get(k)!);
      if (d.getName("Type") === "Page" || !d.has("Kids")) {
        if (remaining === 0) return { ref: node, dict: d, inherited };
        break;
      }
      const kids = this.array(d.get("Kids"));
      if (!kids) break;
      let next: PdfObject | undefined;
      for (const kid of kids.items) {
        const kd = this.dict(kid);
        if (!kd) continue;
        const count = kd.getName("Type") === "Page" || !kd.has("Kids") ? 1 : (kd.getNumber("Count") ?? 1);
        if (remaining < count) {
          next = kid;
          break;
        }
        remaining -= count;
      }
      node = next;
    }
    throw new KysoError("PDF_NO_PAGE", `Page ${index + 1} not found (the document has ${this.pageCount()} pages)`, { details: { params: { page: index + 1, count: this.pageCount() } } });
  }

  /** All pages in order (walks the whole tree; for verification and small documents). */
  allPageRefs(limit = 100_000): PdfRef[] {
    const out: PdfRef[] = [];
    const seen = new Set<string>();
    const walk = (node: PdfObject | undefined, depth: number): void => {
      if (!(node instanceof PdfRef) || depth > 64 || out.length >= limit || seen.has(node.key())) return;
      seen.add(node.key());
      const d = this.dict(node);
      if (!d) return;
      if (d.getName("Type") === "Page" || !d.has("Kids")) {
        out.push(node);
        return;
      }
      for (const k of this.array(d.get("Kids"))?.items ?? []) walk(k, depth + 1);
    };
    walk(this.catalog().get("Pages"), 0);
    return out;
  }
}

export function nameValue(o: PdfObject | undefined): string | undefined {
  return o instanceof PdfName ? o.value : undefined;
}
