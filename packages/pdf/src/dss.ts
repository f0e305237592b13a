import { createHash } from "node:crypto";
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, type PdfObject } from "./objects.js";
import { PdfReader, type ReaderOptions } from "./reader.js";
import { FileSource, type ByteSource } from "./source.js";
import { IncrementalWriter } from "./writer.js";

/**
 * The Document Security Store (ISO 32000-2 §12.8.4.3; ETSI EN 319 142-1 §5.4.2): certificates,
 * OCSP responses and CRLs that let a signature be validated later without the network, written as
 * an incremental update. Each item is its own stream, shared between the DSS arrays and the
 * optional per-signature /VRI entries.
 */

/** One set of validation data (DER items). */
export interface ValidationData {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

export interface DssContent extends ValidationData {
  /** /VRI entries keyed by the upper-case hex SHA-1 of the signature's /Contents (the DER CMS). */
  vri: Map<string, ValidationData & { time?: Date }>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The /VRI key of a signature: upper-case hex SHA-1 of its /Contents bytes (EN 319 142-1 §5.4.2.3). */
export function vriKey(signatureContents: Uint8Array): string {
  return createHash("sha1").update(signatureContents).digest("hex").toUpperCase();
}

function streamsOf(reader: PdfReader, o: PdfObject | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const item of reader.array(o)?.items ?? []) {
    const s = reader.resolve(item);
    if (s instanceof PdfStream) {
      try {
        out.push(reader.streamData(s));
      } catch {
        /* an undecodable item is left out; the verifier reports what is missing */
      }
    }
  }
  return out;
}

/** The document's DSS, if it has one (an empty content otherwise). */
export function readDss(reader: PdfReader): DssContent {
  const dss = reader.dict(reader.catalog().get("DSS"));
  const content: DssContent = { certs: [], ocsps: [], crls: [], vri: new Map() };
  if (!dss) return content;
  content.certs = streamsOf(reader, dss.get("Certs"));
  content.ocsps = streamsOf(reader, dss.get("OCSPs"));
  content.crls = streamsOf(reader, dss.get("CRLs"));
  const vri = reader.dict(dss.get("VRI"));
  for (const key of vri?.keys() ?? []) {
    const v = reader.dict(vri!.get(key));
    if (!v) continue;
    content.vri.set(key.toUpperCase(), { certs: streamsOf(reader, v.get("Cert")), ocsps: streamsOf(reader, v.get("OCSP")), crls: streamsOf(reader, v.get("CRL")) });
  }
  return content;
}

/**
 * An incremental update that adds `add` to the document's DSS (creating it if needed): items
 * already there are not repeated, the existing entries are kept. Returns the update's bytes, to be
 * appended to the document `reader` reads.
 */
export function buildDssUpdate(reader: PdfReader, add: Partial<DssContent>): Uint8Array {
  const writer = new IncrementalWriter(reader);
  const catalog = reader.catalog();
  const oldEntry = catalog.get("DSS");
  const old = reader.dict(oldEntry);
  const dss = old?.clone() ?? new PdfDict([["Type", PdfName.of("DSS")]]);

  // Existing streams by content, so that nothing is stored twice.
  const known = new Map<string, PdfObject>();
  const remember = (key: string): PdfArray => {
    const arr = reader.array(dss.get(key));
    for (const item of arr?.items ?? []) {
      const s = reader.resolve(item);
      if (s instanceof PdfStream && item instanceof PdfRef) {
        try {
          known.set(hex(reader.streamData(s)), item);
        } catch {
          /* skip */
        }
      }
    }
    return new PdfArray([...(arr?.items ?? [])]);
  };
  const arrays = { Certs: remember("Certs"), OCSPs: remember("OCSPs"), CRLs: remember("CRLs") };
  const refFor = (der: Uint8Array, arrayKey: keyof typeof arrays): PdfObject => {
    const k = hex(der);
    let ref = known.get(k);
    if (!ref) {
      ref = writer.add(new PdfStream(new PdfDict(), der));
      known.set(k, ref);
    }
    if (!arrays[arrayKey].items.some((x) => x instanceof PdfRef && x.equals(ref))) arrays[arrayKey].items.push(ref);
    return ref;
  };
  for (const c of add.certs ?? []) refFor(c, "Certs");
  for (const o of add.ocsps ?? []) refFor(o, "OCSPs");
  for (const c of add.crls ?? []) refFor(c, "CRLs");
  for (const [key, arr] of Object.entries(arrays)) if (arr.length > 0) dss.set(key, arr);

  if (add.vri && add.vri.size > 0) {
    const vri = reader.dict(dss.get("VRI"))?.clone() ?? new PdfDict();
    for (const [key, v] of add.vri) {
      const entry = new PdfDict([["Type", PdfName.of("VRI")]]);
      if (v.certs.length) entry.set("Cert", new PdfArray(v.certs.map((c) => refFor(c, "Certs"))));
      if (v.ocsps.length) entry.set("OCSP", new PdfArray(v.ocsps.map((o) => refFor(o, "OCSPs"))));
      if (v.crls.length) entry.set("CRL", new PdfArray(v.crls.map((c) => refFor(c, "CRLs"))));
      vri.set(key.toUpperCase(), entry);
    }
    for (const [key, arr] of Object.entries(arrays)) if (arr.length > 0) dss.set(key, arr);
    dss.set("VRI", writer.add(vri));
  }

  if (oldEntry instanceof PdfRef && old) {
    writer.set(oldEntry, dss);
  } else {
    writer.set(reader.catalogRef, catalog.clone().set("DSS", writer.add(dss)));
  }
  return writer.build().bytes;
}

/** A byte source followed by bytes in memory: a document with updates not yet written to disk. */
export class AppendedSource implements ByteSource {
  readonly length: number;
  private readonly tail: Uint8Array;
  constructor(
    private readonly base: ByteSource,
    tail: readonly Uint8Array[],
  ) {
    this.tail = Buffer.concat(tail);
    this.length = base.length + this.tail.length;
  }
  byteAt(pos: number): number {
    if (pos < 0 || pos >= this.length) return -1;
    return pos < this.base.length ? this.base.byteAt(pos) : this.tail[pos - this.base.length];
  }
  slice(start: number, end: number): Uint8Array {
    const s = Math.max(0, start);
    const e = Math.min(end, this.length);
    if (e <= s) return new Uint8Array(0);
    if (e <= this.base.length) return this.base.slice(s, e);
    if (s >= this.base.length) return this.tail.subarray(s - this.base.length, e - this.base.length);
    return Buffer.concat([this.base.slice(s, this.base.length), this.tail.subarray(0, e - this.base.length)]);
  }
  close(): void {
    this.base.close();
  }
}

/** A reader over a file followed by updates still in memory (closing it closes the file). */
export function openWithUpdates(path: string, updates: readonly Uint8Array[], options: ReaderOptions = {}): PdfReader {
  if (updates.length === 0) return PdfReader.openFile(path, options);
  return PdfReader.fromSource(new AppendedSource(new FileSource(path), updates), options);
}
