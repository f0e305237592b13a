import { KysoError } from "@kyso/core";
import { PdfArray, PdfDict, PdfName, PdfStream, listSignatureFields, pageInfo, type PdfReader, type PageInfo, type WidgetSpec } from "@kyso/pdf";
import { findAnchor } from "./anchor.js";
import { blankBoxNear } from "./blank-space.js";
import { findSignerBlock, pageLines, signerBlockBox } from "./signer-block.js";
import { ContentStream, BLACK, SEAL_RED } from "./content.js";
import { demoSealImage, demoSignatureImage } from "./demo-images.js";
import { SubsetFont, loadSerifFont } from "./font.js";
import { DisplayedPage, MM, type Box } from "./geometry.js";
import { embedImage, type RgbaImage } from "./image.js";
import { subjectNames } from "./subject.js";
import { isoVietnamTime, vietnamDateAndTime } from "./time.js";

/** The kinds of visible signature of Decree 30/2020/NĐ-CP, Appendix I (and the arrival stamp, Appendix IV). */
export type AppearanceKind = "personal" | "organization" | "incoming" | "attachment" | "copy";
export const APPEARANCE_KINDS: readonly AppearanceKind[] = ["personal", "organization", "incoming", "attachment", "copy"];
export type CopyForm = "SAO Y" | "SAO LỤC" | "TRÍCH SAO";

/** Why an appearance was drawn with a warning: NO_EARLIER_SIGNATURE — a seal (--force) on a document nobody signed before. */
export type AppearanceWarningCode = "NO_EARLIER_SIGNATURE";
export const COPY_FORMS: readonly CopyForm[] = ["SAO Y", "SAO LỤC", "TRÍCH SAO"];

export interface AppearanceOptions {
  kind: AppearanceKind;
  /** 1-based page; -1 is the last. Default: the last page for personal and organization, else page 1. */
  page?: number;
  /** The box in displayed coordinates (points, origin at the bottom-left of the page as shown). */
  rect?: Box;
  /** Place the box relative to where this text appears (e.g. "KT. CHỦ TỊCH"). */
  anchor?: string;
  /** Moves the box from its anchored place, in points (right, up). */
  anchorOffset?: [number, number];
  /** The seal's real diameter in points (default 36 mm). */
  sealSize?: number;
  /** The handwritten signature (blue, transparent background). Default: a demo image. */
  signatureImage?: RgbaImage;
  /** The seal (red, transparent background). Default: a demo image. */
  sealImage?: RgbaImage;
  /** Overrides the signer's name (default: the certificate's CN). */
  name?: string;
  /** An optional title above the signature image (personal); "\n" separates its lines. */
  title?: string;
  /** Overrides the organization (default: the certificate's O, else its CN). */
  organization?: string;
  arrivalNo?: string;
  docCode?: string;
  copyForm?: CopyForm;
  /** Sign with `organization` even when the document carries no earlier signature. */
  force?: boolean;
  /** Where warnings go (e.g. --force overriding the signature order): the English text and a stable code. */
  onWarning?: (message: string, code: AppearanceWarningCode) => void;
  /** A TrueType font to use instead of the system's Liberation Serif. */
  fontPath?: string;
}

/** What an appearance needs to know about the document being signed (matches @kyso/sign's AppearanceContext). */
export interface AppearanceDocument {
  reader: PdfReader;
  certificate: Uint8Array;
  signingTime: Date;
}

export const DEFAULT_SEAL_SIZE = 36 * MM;
const PERSONAL_SIZE = { w: 170, h: 80 };
const INCOMING_SIZE = { w: 170, h: 36 };
const SERIF = 10; // Decree 30: Times New Roman 10 for the copy and attachment lines
const LINE = 1.15;
/** Stamps keep at least 10 mm from every page edge (inside the printable area of office printers). */
export const STAMP_MARGIN = 10 * MM;

/** The title's lines: "\n" (a newline) separates them; blank lines are dropped. */
export function titleLines(title: string | undefined): string[] {
  return (title ?? "").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
}

/** The signed signature fields of the document and their widgets' rectangles (first page found). */
export function earlierSignatures(reader: PdfReader): { name: string; pageIndex?: number; rect?: [number, number, number, number] }[] {
  const out: { name: string; pageIndex?: number; rect?: [number, number, number, number] }[] = [];
  const pageRefs = reader.allPageRefs();
  for (const f of listSignatureFields(reader)) {
    if (!reader.dict(f.value)) continue;
    const widget = f.dict.has("Rect") ? f.dict : reader.dict(reader.array(f.dict.get("Kids"))?.items[0]);
    const r = reader.array(widget?.get("Rect"))?.items.map((x) => reader.resolve(x));
    let rect: [number, number, number, number] | undefined;
    if (r && r.length === 4 && r.every((x) => typeof x === "number")) {
      const [a, b, c, d] = r as number[];
      if (Math.abs(c - a) > 1 && Math.abs(d - b) > 1) rect = [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
    }
    const p = widget?.get("P");
    const pageIndex = p ? pageRefs.findIndex((ref) => "key" in (p as object) && ref.key() === (p as { key(): string }).key()) : -1;
    out.push({ name: f.name, pageIndex: pageIndex >= 0 ? pageIndex : undefined, rect });
  }
  return out;
}

/** Refuses an organization signature on a document that no one has signed yet (Decree 30/2020, Art. 32.2.d). */
export function checkSignatureOrder(reader: PdfReader, what = "The document"): void {
  if (earlierSignatures(reader).length === 0)
    throw new KysoError(
      "APPEARANCE_NO_EARLIER_SIGNATURE",
      `${what} carries no signature yet: the organization seal (--appearance organization) goes on a document the competent person has already signed (Decree 30/2020/NĐ-CP, Art. 32.2.d). Sign with --appearance personal first, or use --force to seal it anyway.`,
      { details: what === "The document" ? { params: {} } : { params: { file: what }, form: "file" } },
    );
}

/** The personal box: taller by a line for each title line after the first. */
function personalSize(o: Pick<AppearanceOptions, "title">): { w: number; h: number } {
  return { w: PERSONAL_SIZE.w, h: PERSONAL_SIZE.h + Math.max(0, titleLines(o.title).length - 1) * 11 * LINE };
}

/** Fits text into a width by lowering its size, never below 4 pt. */
function fitSize(font: SubsetFont, text: string, width: number, size: number): number {
  const w = font.width(text, size);
  return w <= width ? size : Math.max(4, (size * width) / w);
}

interface Drawing {
  content: ContentStream;
  images: RgbaImage[];
}

function textBlockSize(font: SubsetFont, lines: string[], size: number): { w: number; h: number } {
  return { w: Math.max(...lines.map((l) => font.width(l, size))) + 4, h: lines.length * size * LINE + 2 };
}

/** Lines stacked from the top of the box, each fitted to its width; `align` 'center' or 'left'. */
function drawLines(c: ContentStream, font: SubsetFont, lines: { text: string; size: number; color?: [number, number, number] }[], box: Box, align: "center" | "left" = "center"): void {
  let top = box.y + box.h;
  for (const l of lines) {
    const size = fitSize(font, l.text, box.w - 2, l.size);
    const { ascent } = font.metrics(size);
    const baseline = top - (size * LINE - size) / 2 - ascent * 0.92;
    const w = font.width(l.text, size);
    const x = align === "center" ? box.x + (box.w - w) / 2 : box.x + 1;
    c.text(l.text, x, baseline, size, l.color ?? BLACK);
    top -= size * LINE;
  }
}

/** Draws an image fitted (aspect kept) and centred in a box. */
function drawImageFitted(d: Drawing, img: RgbaImage, box: Box): Box {
  const k = Math.min(box.w / img.width, box.h / img.height);
  const w = img.width * k;
  const h = img.height * k;
  d.images.push(img);
  const placed = { x: box.x + (box.w - w) / 2, y: box.y + (box.h - h) / 2, w, h };
  d.content.image(`Im${d.images.length}`, placed.x, placed.y, placed.w, placed.h);
  return placed;
}

/** A prepared appearance: its kind's text, resolved from options and certificate. */
interface Texts {
  name: string;
  organization: string;
  iso: string;
  arrival: { date: string; time: string };
}

function layout(o: AppearanceOptions, t: Texts, font: SubsetFont, w: number, h: number, showName = true): Drawing {
  const d: Drawing = { content: new ContentStream(font), images: [] };
  const c = d.content;
  c.clip(0, 0, w, h);
  switch (o.kind) {
    case "personal": {
      const size = 11;
      const lineH = size * LINE;
      const title = titleLines(o.title);
      const titleH = title.length * lineH;
      const nameH = showName ? lineH : 0;
      drawLines(c, font, title.map((text) => ({ text, size })), { x: 0, y: 0, w, h });
      // The name is left out when the page prints it under the signature already.
      if (showName) drawLines(c, font, [{ text: t.name, size }], { x: 0, y: 0, w, h: lineH });
      const imgBox = { x: 2, y: nameH + 1, w: w - 4, h: h - nameH - titleH - 2 };
      if (imgBox.h < 8) throw new KysoError("USAGE", `The box (${w} x ${h} pt) is too small for a personal signature`, { details: { params: { w, h }, form: "boxTooSmall" } });
      drawImageFitted(d, o.signatureImage ?? demoSignatureImage(), imgBox);
      break;
    }
    case "organization": {
      const lines = [t.organization, t.iso];
      const size = 8;
      const textH = lines.length * size * LINE;
      const seal = o.sealSize ?? Math.min(w, h - textH);
      if (seal > w + 0.01 || seal + textH > h + 0.01)
        throw new KysoError("USAGE", `A ${(seal / MM).toFixed(1)} mm seal and its information lines do not fit the ${w} x ${h} pt box`, {
          details: { params: { seal: (seal / MM).toFixed(1), w, h }, form: "sealDoesNotFit" },
        });
      drawImageFitted(d, o.sealImage ?? demoSealImage(), { x: (w - seal) / 2, y: h - seal, w: seal, h: seal });
      drawLines(c, font, lines.map((text) => ({ text, size })), { x: 0, y: 0, w, h: textH });
      break;
    }
    case "incoming": {
      c.rect(0.75, 0.75, w - 1.5, h - 1.5, 1.5, SEAL_RED);
      // The arrival stamp of Decree 30/2020, Appendix IV, in three lines: the receiving body, ĐẾN
      // with the arrival number, the date and time of arrival.
      const inner = { x: 3, y: 1.5, w: w - 6, h: h - 3 };
      drawLines(
        c,
        font,
        [
          { text: t.organization.toLocaleUpperCase("vi"), size: 7, color: SEAL_RED },
          { text: `ĐẾN  Số: ${o.arrivalNo ?? ""}`, size: 10, color: SEAL_RED },
          { text: `Ngày: ${t.arrival.date}  Giờ: ${t.arrival.time}`, size: 8, color: SEAL_RED },
        ],
        inner,
        "left",
      );
      break;
    }
    case "attachment":
      drawLines(c, font, attachmentLines(o, t).map((text) => ({ text, size: SERIF })), { x: 0, y: 0, w, h }, "left");
      break;
    case "copy":
      drawLines(c, font, copyLines(o, t).map((text) => ({ text, size: SERIF })), { x: 0, y: 0, w, h }, "left");
      break;
  }
  return d;
}

function attachmentLines(o: AppearanceOptions, t: Texts): string[] {
  return [`Kèm theo văn bản số ${o.docCode ?? ""}`.trim(), t.iso];
}

function copyLines(o: AppearanceOptions, t: Texts): string[] {
  return [o.copyForm ?? "SAO Y", t.organization, t.iso];
}

/** The kinds' default boxes (displayed coordinates) when neither --rect nor --anchor is given. */
function defaultBox(o: AppearanceOptions, t: Texts, font: SubsetFont, page: DisplayedPage): Box {
  // In the top margin (20-25 mm in Decree 30 documents), above the national motto.
  const topRight = (size: { w: number; h: number }): Box => ({ x: page.width - STAMP_MARGIN - size.w, y: page.height - STAMP_MARGIN - size.h, w: size.w, h: size.h });
  switch (o.kind) {
    case "personal":
      // Lower right, where the signature block of an administrative document stands.
      return { x: page.width * 0.75 - PERSONAL_SIZE.w / 2, y: 72, ...personalSize(o) };
    case "organization":
      return organizationBox(o, { x: page.width * 0.75 - PERSONAL_SIZE.w / 2, y: 72, ...PERSONAL_SIZE });
    case "incoming":
      return { x: 56, y: page.height - STAMP_MARGIN - INCOMING_SIZE.h, ...INCOMING_SIZE };
    case "attachment":
      return topRight(textBlockSize(font, attachmentLines(o, t), SERIF));
    case "copy":
      return topRight(textBlockSize(font, copyLines(o, t), SERIF));
  }
}

/**
 * The seal's box for a personal signature box: the seal at its real size overlaps the left third
 * of the signature (Decree 30/2020, Art. 33.1.b; Appendix I), centred on its height; the
 * information lines go under the seal.
 */
export function organizationBox(o: Pick<AppearanceOptions, "sealSize">, personal: Box): Box {
  const seal = o.sealSize ?? DEFAULT_SEAL_SIZE;
  const textH = 2 * 8 * LINE;
  const cy = personal.y + personal.h / 2;
  return { x: personal.x + personal.w / 3 - seal, y: cy - seal / 2 - textH, w: seal, h: seal + textH };
}

/** Moves a stamp's box inside the page's 10 mm margins (a box larger than that area keeps its size). */
export function keepOffEdges(b: Box, page: { width: number; height: number }): Box {
  const x = Math.max(STAMP_MARGIN, Math.min(b.x, page.width - STAMP_MARGIN - b.w));
  const y = Math.max(STAMP_MARGIN, Math.min(b.y, page.height - STAMP_MARGIN - b.h));
  return { ...b, x, y };
}

/** The box placed relative to an anchor text's box. */
function anchoredBox(o: AppearanceOptions, t: Texts, font: SubsetFont, anchor: Box): Box {
  const [dx, dy] = o.anchorOffset ?? [0, 0];
  const cx = anchor.x + anchor.w / 2;
  let b: Box;
  switch (o.kind) {
    case "personal":
      // Under the title, centred on it: the signature stands between title and name.
      b = { x: cx - PERSONAL_SIZE.w / 2, y: anchor.y - 2 - personalSize(o).h, ...personalSize(o) };
      break;
    case "organization":
      b = organizationBox(o, { x: cx - PERSONAL_SIZE.w / 2, y: anchor.y - 2 - PERSONAL_SIZE.h, ...PERSONAL_SIZE });
      break;
    case "incoming":
      b = { x: anchor.x, y: anchor.y - 4 - INCOMING_SIZE.h, ...INCOMING_SIZE };
      break;
    default: {
      const size = textBlockSize(font, o.kind === "copy" ? copyLines(o, t) : attachmentLines(o, t), SERIF);
      b = { x: anchor.x, y: anchor.y - 4 - size.h, ...size };
    }
  }
  return { ...b, x: b.x + dx, y: b.y + dy };
}

/**
 * Makes the visible signature for one document: checks the signature order, finds the page and the
 * box, lays out the kind's drawing and returns the widget spec that @kyso/pdf puts into the same
 * incremental update as the signature.
 */
export async function buildAppearance(o: AppearanceOptions, doc: AppearanceDocument): Promise<WidgetSpec> {
  const { reader } = doc;
  const subject = subjectNames(doc.certificate);
  const texts: Texts = {
    name: o.name ?? subject.commonName ?? "",
    organization: o.organization ?? subject.organization ?? subject.commonName ?? "",
    iso: isoVietnamTime(doc.signingTime),
    arrival: vietnamDateAndTime(doc.signingTime),
  };
  if (o.kind === "organization") {
    try {
      checkSignatureOrder(reader);
    } catch (e) {
      if (!o.force) throw e;
      o.onWarning?.("the document carries no earlier signature; sealing it anyway (--force)", "NO_EARLIER_SIGNATURE");
    }
  }
  const count = reader.pageCount();
  const fromOption = o.page === undefined ? undefined : o.page < 0 ? count + o.page : o.page - 1;
  if (fromOption !== undefined && (fromOption < 0 || fromOption >= count))
    throw new KysoError("APPEARANCE_NO_PAGE", `Page ${o.page} does not exist (the document has ${count} page${count === 1 ? "" : "s"})`, {
      details: { params: { page: o.page!, count }, ...(count === 1 ? { form: "one" } : {}) },
    });
  const font = new SubsetFont(loadSerifFont(o.fontPath));

  let pageIndex: number;
  let box: Box;
  let showName = true;
  if (o.rect) {
    pageIndex = fromOption ?? (o.kind === "personal" || o.kind === "organization" ? count - 1 : 0);
    box = o.rect;
  } else if (o.anchor) {
    const order = fromOption !== undefined ? [fromOption] : [...Array(count).keys()].reverse();
    const hit = await findAnchor(reader.src.slice(0, reader.length), o.anchor, order, (i) => pageInfo(reader, i));
    if (!hit)
      throw new KysoError("APPEARANCE_ANCHOR_NOT_FOUND", `The text "${o.anchor}" was not found ${fromOption !== undefined ? `on page ${fromOption + 1}` : "in the document"}`, {
        details: fromOption !== undefined ? { params: { anchor: o.anchor, page: fromOption + 1 }, form: "onPage" } : { params: { anchor: o.anchor } },
      });
    pageIndex = hit.pageIndex;
    box = anchoredBox(o, texts, font, hit.box);
  } else if (o.kind === "organization" && fromOption === undefined) {
    // Over the latest visible signature, wherever it is.
    const prior = earlierSignatures(reader).filter((s) => s.rect && s.pageIndex !== undefined).pop();
    pageIndex = prior?.pageIndex ?? count - 1;
    const page = new DisplayedPage(pageInfo(reader, pageIndex));
    box = prior?.rect ? organizationBox(o, page.boxFor(prior.rect)) : defaultBox(o, texts, font, page);
  } else {
    pageIndex = fromOption ?? (o.kind === "personal" || o.kind === "organization" ? count - 1 : 0);
    const page = new DisplayedPage(pageInfo(reader, pageIndex));
    box = defaultBox(o, texts, font, page);
    if (o.kind === "personal") {
      // The signer block printed on the page: the signature goes between title and name.
      const lines = await pageLines(reader.src.slice(0, reader.length), pageIndex, pageInfo(reader, pageIndex));
      const block = lines && findSignerBlock(lines, texts.name);
      const found = block && signerBlockBox(block, page);
      if (block && found) {
        showName = !block.nameMatches && found.h >= 11 * LINE + 24 + titleLines(o.title).length * 11 * LINE;
        box = found;
      }
    }
  }
  if (o.kind !== "personal" && !o.rect) {
    const page = new DisplayedPage(pageInfo(reader, pageIndex));
    box = keepOffEdges(box, page);
    if (o.kind === "incoming" || o.kind === "attachment" || o.kind === "copy") {
      // A stamp in the page's default place moves to the nearest blank space when text is there.
      const lines = o.anchor ? undefined : await pageLines(reader.src.slice(0, reader.length), pageIndex, pageInfo(reader, pageIndex));
      const area = { x: STAMP_MARGIN, y: STAMP_MARGIN, w: page.width - 2 * STAMP_MARGIN, h: page.height - 2 * STAMP_MARGIN };
      const free = lines && blankBoxNear(box, lines, area);
      if (free) box = free;
    }
  }
  if (!(box.w > 0 && box.h > 0)) throw new KysoError("USAGE", "The signature box needs a positive width and height", { details: { params: {}, form: "boxEmpty" } });
  const drawing = layout(o, texts, font, box.w, box.h, showName);
  return {
    pageIndex,
    build: (writer, page: PageInfo) => {
      const displayed = new DisplayedPage(page);
      const xobjects = new PdfDict();
      drawing.images.forEach((img, i) => xobjects.set(`Im${i + 1}`, embedImage(writer, img)));
      const resources = new PdfDict([["Font", new PdfDict([["F1", font.embed(writer)]])]]);
      if (drawing.images.length > 0) resources.set("XObject", xobjects);
      const form = new PdfStream(
        new PdfDict([
          ["Type", PdfName.of("XObject")],
          ["Subtype", PdfName.of("Form")],
          ["BBox", new PdfArray([0, 0, round(box.w), round(box.h)])],
          ["Matrix", new PdfArray(displayed.formMatrix())],
          ["Resources", resources],
        ]),
        drawing.content.bytes(),
      );
      return { rect: displayed.rectFor(box), normalAppearance: writer.add(form) };
    },
  };
}

/** The hook for @kyso/sign's `SignOptions.appearance`. */
export function appearanceHook(o: AppearanceOptions): (doc: AppearanceDocument) => Promise<WidgetSpec> {
  return (doc) => buildAppearance(o, doc);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
