import { createHash } from "node:crypto";
import { KysoError } from "@kyso/core";
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from "./objects.js";
import type { PdfReader } from "./reader.js";
import { serializeIndirect, serializeObject } from "./serialize.js";

/**
 * Builds one incremental update (ISO 32000-1 §7.5.6) on top of a document: new and changed objects,
 * then a cross-reference section of the same kind as the file's last one (a table after a table,
 * a stream after a stream: poppler sees no signatures in a file whose xref stream is followed by a
 * table). Earlier revisions are never touched: the output is the input plus these bytes.
 */
export class IncrementalWriter {
  private readonly objects = new Map<number, { ref: PdfRef; value: PdfObject }>();
  private nextNum: number;

  constructor(readonly reader: PdfReader) {
    if (reader.encrypted) throw new KysoError("PDF_ENCRYPTED", "The document is encrypted; Kyso does not sign encrypted documents");
    this.nextNum = reader.size;
  }

  /** Allocates a new object number. */
  allocate(): PdfRef {
    return new PdfRef(this.nextNum++, 0);
  }

  /** Adds a new object and returns its reference. */
  add(value: PdfObject): PdfRef {
    const ref = this.allocate();
    this.objects.set(ref.num, { ref, value });
    return ref;
  }

  /** Sets (replaces) the object behind an existing or allocated reference. */
  set(ref: PdfRef, value: PdfObject): void {
    this.objects.set(ref.num, { ref, value });
  }

  has(ref: PdfRef): boolean {
    return this.objects.has(ref.num);
  }

  /** The value this update gives an object, else the document's. */
  current(ref: PdfRef): PdfObject {
    return this.objects.get(ref.num)?.value ?? this.reader.getObject(ref);
  }

  /**
   * Serializes the update. `startOffset` is the length of the file it is appended to. Returns the
   * bytes and, for each object, its offset inside them.
   */
  build(extraTrailer: Record<string, PdfObject> = {}): { bytes: Uint8Array; offsets: Map<number, number> } {
    const startOffset = this.reader.length;
    const parts: Uint8Array[] = [];
    let pos = 0;
    const push = (b: Uint8Array | string): void => {
      const bytes = typeof b === "string" ? Buffer.from(b, "latin1") : b;
      parts.push(bytes);
      pos += bytes.length;
    };
    // The update starts on a new line: the previous %%EOF must stay a line of its own.
    const last = this.reader.src.byteAt(this.reader.length - 1);
    if (last !== 0x0a && last !== 0x0d) push("\n");
    const offsets = new Map<number, number>();
    const sorted = [...this.objects.values()].sort((a, b) => a.ref.num - b.ref.num);
    for (const { ref, value } of sorted) {
      offsets.set(ref.num, pos);
      push(serializeIndirect(ref, value));
    }
    const prevOffset = this.reader.sections[0]?.offset ?? -1;
    const trailer = new PdfDict();
    const old = this.reader.trailer;
    for (const k of ["Root", "Info"]) {
      const v = old.get(k);
      if (v !== undefined) trailer.set(k, v);
    }
    trailer.set("ID", this.newId());
    for (const [k, v] of Object.entries(extraTrailer)) trailer.set(k, v);
    if (prevOffset >= 0) trailer.set("Prev", prevOffset);

    if (this.reader.xrefKind === "stream") {
      const xrefRef = this.allocate();
      offsets.set(xrefRef.num, pos);
      const all = [...sorted.map((o) => ({ num: o.ref.num, gen: o.ref.gen })), { num: xrefRef.num, gen: 0 }];
      const maxOffset = startOffset + pos;
      const w1 = Math.max(4, Math.ceil(Math.log2(maxOffset + 1) / 8));
      const rows = Buffer.alloc(all.length * (1 + w1 + 2));
      let r = 0;
      for (const o of all) {
        rows[r++] = 1;
        const off = startOffset + (offsets.get(o.num) as number);
        for (let i = w1 - 1; i >= 0; i--) rows[r++] = Math.floor(off / 256 ** i) % 256;
        rows[r++] = (o.gen >> 8) & 0xff;
        rows[r++] = o.gen & 0xff;
      }
      const dict = new PdfDict([
        ["Type", PdfName.of("XRef")],
        ["Size", Math.max(this.nextNum, this.reader.size)],
        ["W", new PdfArray([1, w1, 2])],
        ["Index", new PdfArray(subsections(all.map((o) => o.num)).flat())],
      ]);
      for (const [k, v] of trailer.entries) dict.set(k, v);
      push(serializeIndirect(xrefRef, new PdfStream(dict, rows)));
      push(`startxref\n${startOffset + (offsets.get(xrefRef.num) as number)}\n%%EOF\n`);
    } else {
      const xrefPos = pos;
      let table = "xref\n";
      const byNum = new Map(sorted.map((o) => [o.ref.num, o.ref.gen]));
      for (const [first, count] of subsections([...byNum.keys()])) {
        table += `${first} ${count}\n`;
        for (let n = first; n < first + count; n++) {
          table += `${String(startOffset + (offsets.get(n) as number)).padStart(10, "0")} ${String(byNum.get(n)).padStart(5, "0")} n\r\n`;
        }
      }
      trailer.set("Size", Math.max(this.nextNum, this.reader.size));
      // Size first, as most writers do.
      const ordered = new PdfDict([["Size", trailer.get("Size")!], ...[...trailer.entries].filter(([k]) => k !== "Size")]);
      push(table);
      push(`trailer\n${serializeObject(ordered)}\nstartxref\n${startOffset + xrefPos}\n%%EOF\n`);
    }
    return { bytes: Buffer.concat(parts), offsets };
  }

  /** Keeps the permanent first part of /ID and makes a new second part (ISO 32000-1 §14.4). */
  private newId(): PdfArray {
    const old = this.reader.resolve(this.reader.trailer.get("ID"));
    const h = createHash("md5").update(String(this.reader.length)).update(String(process.hrtime.bigint())).update(String(this.objects.size)).digest();
    const second = new PdfString(new Uint8Array(h), true);
    if (old instanceof PdfArray && old.items[0] instanceof PdfString) return new PdfArray([old.items[0], second]);
    return new PdfArray([second, second]);
  }
}

/** Groups sorted object numbers into [first, count] runs. */
function subsections(nums: number[]): [number, number][] {
  const sorted = [...new Set(nums)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}
