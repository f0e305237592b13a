import { KysoError } from "@kyso/core";
import { listFields, listSignatureFields } from "./fields.js";
import { PdfArray, PdfDict, PdfName, PdfRef, PdfString, encodeTextString, type PdfObject } from "./objects.js";
import { pdfDate } from "./date.js";
import type { PdfReader } from "./reader.js";
import { IncrementalWriter } from "./writer.js";

export type SubFilter = "ETSI.CAdES.detached" | "adbe.pkcs7.detached" | "ETSI.RFC3161";

/** A page as an appearance builder sees it. */
export interface PageInfo {
  ref: PdfRef;
  dict: PdfDict;
  index: number;
  mediaBox: [number, number, number, number];
  cropBox: [number, number, number, number];
  rotate: number;
}

/** A visible signature: where its widget goes and how its appearance stream is made. */
export interface WidgetSpec {
  /** 0-based page index; negative counts from the end (-1 is the last page). */
  pageIndex: number;
  /** Builds the widget's rectangle and its /AP /N form XObject inside the same update. */
  build: (writer: IncrementalWriter, page: PageInfo, reader: PdfReader) => { rect: [number, number, number, number]; normalAppearance: PdfRef };
}

export interface SignatureFieldOptions {
  subFilter?: SubFilter;
  /** Bytes reserved for the DER signature (the hex string is twice as long). */
  contentsLength: number;
  /** An existing empty signature field to fill, or the name of the new field. */
  fieldName?: string;
  /** Claimed signing time for /M (not written for document timestamps). */
  signingTime?: Date;
  reason?: string;
  location?: string;
  contactInfo?: string;
  name?: string;
  /** DocMDP certification level (ISO 32000-1 §12.8.2.2): 1 no changes, 2 form filling and signing, 3 also annotations. */
  certify?: 1 | 2 | 3;
  widget?: WidgetSpec;
}

const BYTE_RANGE_PLACEHOLDER = 999_999_999_999; // 12 digits: room for files up to 1 TB
const BYTE_RANGE_TEXT = `[0 ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER}]`;

/**
 * A document with a signature placeholder, ready to be hashed and completed: the staged value of
 * signing. The output file is the input's bytes followed by `update`.
 */
export class PreparedSignature {
  constructor(
    readonly inputLength: number,
    /** The incremental update, with /ByteRange already patched and /Contents zero-filled. */
    readonly update: Uint8Array,
    readonly byteRange: [number, number, number, number],
    /** Bytes available for the DER signature. */
    readonly contentsLength: number,
    readonly fieldName: string,
  ) {}

  /** The parts of the update covered by the byte range (the input file itself is covered whole). */
  coveredUpdateParts(): [Uint8Array, Uint8Array] {
    const gapStart = this.byteRange[1] - this.inputLength;
    const gapEnd = this.byteRange[2] - this.inputLength;
    return [this.update.subarray(0, gapStart), this.update.subarray(gapEnd)];
  }

  /** Writes the DER signature into /Contents (hex, zero-padded). */
  embed(der: Uint8Array): void {
    if (der.length > this.contentsLength)
      throw new KysoError("PDF_CONTENTS_TOO_SMALL", `Signature of ${der.length} bytes does not fit the ${this.contentsLength} bytes reserved`);
    const hex = Buffer.from(der).toString("hex");
    const at = this.byteRange[1] - this.inputLength + 1; // after '<'
    Buffer.from(this.update.buffer, this.update.byteOffset, this.update.byteLength).write(hex, at, "latin1");
  }

  get outputLength(): number {
    return this.inputLength + this.update.length;
  }
}

function pageBox(reader: PdfReader, page: PdfDict, inherited: PdfDict, key: string): [number, number, number, number] | undefined {
  const a = reader.array(page.get(key) ?? inherited.get(key));
  if (!a || a.length !== 4) return undefined;
  const n = a.items.map((x) => reader.resolve(x));
  if (!n.every((x) => typeof x === "number")) return undefined;
  const [x1, y1, x2, y2] = n as number[];
  return [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
}

export function pageInfo(reader: PdfReader, index: number): PageInfo {
  const count = reader.pageCount();
  const i = index < 0 ? count + index : index;
  if (i < 0 || i >= count)
    throw new KysoError("PDF_NO_PAGE", `Page ${index < 0 ? index : index + 1} does not exist (the document has ${count} pages)`, { details: { params: { page: index < 0 ? index : index + 1, count } } });
  const { ref, dict, inherited } = reader.page(i);
  const mediaBox = pageBox(reader, dict, inherited, "MediaBox") ?? [0, 0, 612, 792];
  const cropBox = pageBox(reader, dict, inherited, "CropBox") ?? mediaBox;
  const r = reader.resolve(dict.get("Rotate") ?? inherited.get("Rotate"));
  const rotate = (((typeof r === "number" ? Math.round(r / 90) * 90 : 0) % 360) + 360) % 360;
  return { ref, dict, index: i, mediaBox, cropBox, rotate };
}

/** The current DocMDP permission of a certified document, if any. */
export function docMdpPermission(reader: PdfReader): number | undefined {
  const perms = reader.dict(reader.catalog().get("Perms"));
  const sig = reader.dict(perms?.get("DocMDP"));
  const refs = reader.array(sig?.get("Reference"));
  for (const r of refs?.items ?? []) {
    const d = reader.dict(r);
    if (d && reader.resolve(d.get("TransformMethod")) instanceof PdfName && d.getName("TransformMethod") === "DocMDP") {
      const p = reader.dict(d.get("TransformParams"))?.getNumber("P");
      return p ?? 2;
    }
  }
  return perms?.has("DocMDP") ? 2 : undefined;
}

/**
 * Adds a signature field (or fills an existing empty one) with a placeholder signature dictionary
 * in one incremental update (ISO 32000-1 §12.8; ETSI EN 319 142-1 §5). The result is hashed and
 * completed by the caller.
 */
export function prepareSignature(reader: PdfReader, options: SignatureFieldOptions): PreparedSignature {
  if (reader.repaired)
    throw new KysoError("PDF_CORRUPT", "The document's cross-reference data is damaged; repair it (e.g. qpdf) before signing");
  const isTimestamp = options.subFilter === "ETSI.RFC3161";
  const writer = new IncrementalWriter(reader);
  const catalog = reader.catalog();
  const catalogRef = reader.catalogRef;
  const sigFields = listSignatureFields(reader);
  const signed = sigFields.filter((f) => reader.dict(f.value) !== undefined);

  const mdp = docMdpPermission(reader);
  if (mdp === 1) throw new KysoError("PDF_CERTIFIED_NO_CHANGES", "The document is certified with no changes allowed (DocMDP P=1); it cannot be signed again");
  if (options.certify !== undefined) {
    if (![1, 2, 3].includes(options.certify)) throw new KysoError("USAGE", "--certify must be 1, 2 or 3");
    if (signed.length > 0 || mdp !== undefined)
      throw new KysoError("PDF_CERTIFY_NOT_FIRST", "A certification signature must be the first signature in the document");
  }

  // The signature dictionary (ISO 32000-1 Table 252).
  const sig = new PdfDict([["Type", PdfName.of(isTimestamp ? "DocTimeStamp" : "Sig")]]);
  sig.set("Filter", PdfName.of("Adobe.PPKLite"));
  sig.set("SubFilter", PdfName.of(options.subFilter ?? "ETSI.CAdES.detached"));
  sig.set("ByteRange", new PdfArray([0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER]));
  sig.set("Contents", new PdfString(new Uint8Array(options.contentsLength), true));
  if (!isTimestamp) {
    if (options.name) sig.set("Name", encodeTextString(options.name));
    sig.set("M", new PdfString(new Uint8Array(Buffer.from(pdfDate(options.signingTime ?? new Date()), "latin1"))));
    if (options.reason) sig.set("Reason", encodeTextString(options.reason));
    if (options.location) sig.set("Location", encodeTextString(options.location));
    if (options.contactInfo) sig.set("ContactInfo", encodeTextString(options.contactInfo));
  }
  if (options.certify !== undefined) {
    sig.set(
      "Reference",
      new PdfArray([
        new PdfDict([
          ["Type", PdfName.of("SigRef")],
          ["TransformMethod", PdfName.of("DocMDP")],
          ["TransformParams", new PdfDict([["Type", PdfName.of("TransformParams")], ["P", options.certify], ["V", PdfName.of("1.2")]])],
        ]),
      ]),
    );
  }
  const sigRef = writer.add(sig);

  // The AcroForm: reuse the document's, as an indirect object we may rewrite.
  let catalogChanged = false;
  const newCatalog = catalog.clone();
  const acroEntry = catalog.get("AcroForm");
  let acroRef: PdfRef;
  let acro: PdfDict;
  if (acroEntry instanceof PdfRef && reader.dict(acroEntry)) {
    acroRef = acroEntry;
    acro = (reader.dict(acroEntry) as PdfDict).clone();
  } else {
    acro = reader.dict(acroEntry)?.clone() ?? new PdfDict();
    acroRef = writer.allocate();
    newCatalog.set("AcroForm", acroRef);
    catalogChanged = true;
  }
  acro.set("SigFlags", 3);

  let fieldName: string;
  const existing = options.fieldName ? listFields(reader).find((f) => f.name === options.fieldName) : undefined;
  if (existing) {
    if (existing.type !== "Sig") throw new KysoError("PDF_FIELD_NOT_SIGNATURE", `Field "${existing.name}" is not a signature field`);
    if (reader.dict(existing.value)) throw new KysoError("PDF_FIELD_SIGNED", `Signature field "${existing.name}" is already signed`);
    if (!existing.ref) throw new KysoError("PDF_FIELD_DIRECT", `Signature field "${existing.name}" is not an indirect object`);
    if (options.widget) throw new KysoError("USAGE", `Field "${existing.name}" already has its widget; a visible appearance cannot be placed on it`);
    const field = existing.dict.clone();
    field.set("V", sigRef);
    writer.set(existing.ref, field);
    fieldName = existing.name;
  } else {
    const names = new Set(listFields(reader).map((f) => f.name));
    fieldName = options.fieldName ?? "";
    if (!fieldName) {
      let i = sigFields.length + 1;
      while (names.has(`Signature${i}`)) i++;
      fieldName = `Signature${i}`;
    }
    const page = pageInfo(reader, options.widget?.pageIndex ?? 0);
    const widget = new PdfDict([
      ["Type", PdfName.of("Annot")],
      ["Subtype", PdfName.of("Widget")],
      ["FT", PdfName.of("Sig")],
      ["T", encodeTextString(fieldName)],
      ["V", sigRef],
      ["P", page.ref],
    ]);
    if (options.widget) {
      const { rect, normalAppearance } = options.widget.build(writer, page, reader);
      widget.set("Rect", new PdfArray(rect));
      widget.set("F", 132); // Print + Locked
      widget.set("AP", new PdfDict([["N", normalAppearance]]));
    } else {
      widget.set("Rect", new PdfArray([0, 0, 0, 0]));
      widget.set("F", 132); // Print + Locked (ISO 32000-1 §12.5.3): invisible signatures
    }
    const widgetRef = writer.add(widget);
    // The field goes into /Fields and the widget into the page's /Annots.
    const fieldsEntry = acro.get("Fields");
    const fieldsArr = reader.array(fieldsEntry);
    const fields = new PdfArray([...(fieldsArr?.items ?? []), widgetRef]);
    if (fieldsEntry instanceof PdfRef && fieldsArr) writer.set(fieldsEntry, fields);
    else acro.set("Fields", fields);
    const pageDict = writer.has(page.ref) ? (writer.current(page.ref) as PdfDict) : page.dict;
    const annotsEntry = pageDict.get("Annots");
    const annotsArr = reader.array(annotsEntry);
    const annots = new PdfArray([...(annotsArr?.items ?? []), widgetRef]);
    if (annotsEntry instanceof PdfRef && annotsArr) writer.set(annotsEntry, annots);
    else writer.set(page.ref, pageDict.clone().set("Annots", annots));
  }
  writer.set(acroRef, acro);

  if (options.certify !== undefined) {
    const perms = reader.dict(catalog.get("Perms"))?.clone() ?? new PdfDict();
    perms.set("DocMDP", sigRef);
    newCatalog.set("Perms", perms);
    catalogChanged = true;
  }
  if (catalogChanged) writer.set(catalogRef, newCatalog);

  const { bytes, offsets } = writer.build();
  const update = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sigStart = offsets.get(sigRef.num) as number;
  const sigText = update.toString("latin1", sigStart, sigStart + 512 + 2 * options.contentsLength + 4096);
  const brAt = sigStart + sigText.indexOf(`/ByteRange ${BYTE_RANGE_TEXT}`) + "/ByteRange ".length;
  const contentsAt = sigStart + sigText.indexOf("/Contents <");
  if (brAt < sigStart + 11 || contentsAt < sigStart) throw new Error("signature placeholder not found in its own update");
  const gapStart = reader.length + contentsAt + "/Contents ".length;
  const gapEnd = gapStart + 2 + 2 * options.contentsLength;
  const total = reader.length + update.length;
  const byteRange: [number, number, number, number] = [0, gapStart, gapEnd, total - gapEnd];
  const brText = `[0 ${byteRange[1]} ${byteRange[2]} ${byteRange[3]}`;
  update.write(brText.padEnd(BYTE_RANGE_TEXT.length - 1, " ") + "]", brAt, "latin1");
  return new PreparedSignature(reader.length, new Uint8Array(update.buffer, update.byteOffset, update.byteLength), byteRange, options.contentsLength, fieldName);
}

export type { PdfObject };
