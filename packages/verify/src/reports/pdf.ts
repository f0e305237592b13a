import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import type { PDFPage, RGB } from "pdf-lib";
import type { FileReport } from "../report.js";
import { reportContent, type ReportVerdict, type SignatureSection } from "./content.js";
import { findReportFonts } from "./fonts.js";
import { A4, Cursor, MARGIN, type Style } from "./pdf-layout.js";
import { text, type ReportLang, type VerdictTone } from "./text.js";

export interface ReportPdfOptions {
  /** Language of the report; Vietnamese unless told otherwise. */
  lang?: ReportLang;
  /** The validation policy as printed; default: EN 319 102-1 with the revocation mode used. */
  policy?: string;
  /** Printed in every page's footer and as the PDF's Producer. */
  kysoVersion: string;
  /** Creation date of the report (tests freeze it); default now. */
  now?: Date;
  /** Folder with Liberation Sans/Mono; default: see findReportFonts. */
  fontDir?: string;
}

const QR_SIZE = 96;
const LABEL_WIDTH = 150;

/** The file names of the report are read once per process; every report embeds its own subset. */
const fontBytes = new Map<string, Uint8Array>();
function readFont(path: string): Uint8Array {
  let b = fontBytes.get(path);
  if (!b) {
    b = new Uint8Array(readFileSync(path));
    fontBytes.set(path, b);
  }
  return b;
}

/**
 * One printable A4 report of a verified file: the document and its SHA-256 (also as a QR code), the
 * validation time in Vietnam time, the policy, and for each signature its verdict in words and
 * colour, signer, certificate, trust anchor, revocation, times, coverage and changes after signing.
 * pdf-lib and fontkit are loaded here, on first use, so verification without reports never pays for them.
 */
export async function renderReportPdf(report: FileReport, opts: ReportPdfOptions): Promise<Uint8Array> {
  const { PDFDocument, rgb } = await import("pdf-lib");
  const { default: fontkit } = await import("@pdf-lib/fontkit");
  const lang = opts.lang ?? "vi";
  const now = opts.now ?? new Date();
  const content = reportContent(report, { lang, policy: opts.policy, kysoVersion: opts.kysoVersion });
  const files = findReportFonts(opts.fontDir);

  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  // Subset embedding (ISO 32000-1 §9.6.4, §9.9): only the glyphs used; pdf-lib writes a ToUnicode CMap
  // so that copied or extracted text is the exact Vietnamese text. Ligatures off: "fi" stays two letters.
  const features = { liga: false, clig: false, dlig: false, rlig: false };
  // A subset's name begins with a six-letter tag and "+" (ISO 32000-1 §9.6.4); one tag per face.
  const embed = (file: string, tag: string) =>
    doc.embedFont(readFont(file), { subset: true, features, customName: `${tag}+${basename(file, extname(file)).replace(/-Regular$/, "")}` });
  const fonts = { regular: await embed(files.regular, "KYSORG"), bold: await embed(files.bold, "KYSOBD"), mono: await embed(files.mono, "KYSOMN") };
  const ink = rgb(0.11, 0.15, 0.2);
  const grey = rgb(0.37, 0.42, 0.47);
  const white = rgb(1, 1, 1);
  const tones: Record<VerdictTone, RGB> = {
    passed: rgb(0.118, 0.557, 0.243), // #1e8e3e, as the clerks' page
    failed: rgb(0.851, 0.188, 0.145), // #d93025
    indeterminate: rgb(0.69, 0.376, 0), // #b06000 (amber, readable on white)
  };
  const body: Style = { font: fonts.regular, size: 9.5, color: ink };
  const label: Style = { font: fonts.regular, size: 9.5, color: grey };
  const mono: Style = { font: fonts.mono, size: 8.5, color: ink };

  const c = new Cursor(doc, fonts);
  // The QR code of the document's SHA-256, top right of the first page; text flows beside it.
  await drawQr(c.page, content.qrPayload, A4[0] - MARGIN - QR_SIZE, A4[1] - MARGIN, QR_SIZE, ink);
  c.reservedWidth = QR_SIZE + 14;
  c.reservedUntilY = A4[1] - MARGIN - QR_SIZE - 12;
  const caption = c.clean(content.qrCaption);
  const capSize = 6.5;
  const capWidth = fonts.regular.widthOfTextAtSize(caption, capSize);
  c.page.drawText(caption, { x: A4[0] - MARGIN - QR_SIZE / 2 - capWidth / 2, y: A4[1] - MARGIN - QR_SIZE - 9, size: capSize, font: fonts.regular, color: grey });

  c.paragraph(content.title, { font: fonts.bold, size: 16, color: ink }, { leading: 20 });
  c.paragraph(content.subtitle, { font: fonts.regular, size: 9, color: grey });
  c.gap(8);
  for (const r of content.header) {
    // A digest is printed on one line, so it goes below the QR code where the full width is free.
    if (r.mono) c.belowReserved();
    c.row(r.label, r.value, label, r.mono ? mono : body, LABEL_WIDTH);
  }
  c.gap(6);
  verdictLine(c, text(lang, "overall"), content.overall, label, body, tones, white);
  if (content.empty) {
    c.gap(6);
    c.paragraph(content.empty, body);
  }
  for (const s of content.signatures) signatureBlock(c, s, { body, label, mono, ink, grey, white, tones, lang });

  // Footer of every page: page x/y and the Kyso version.
  const pages = doc.getPages();
  pages.forEach((page, i) => {
    const left = c.clean(text(lang, "page", { x: i + 1, y: pages.length }));
    const right = c.clean(content.footerRight);
    const y = MARGIN - 14;
    page.drawLine({ start: { x: MARGIN, y: MARGIN - 2 }, end: { x: A4[0] - MARGIN, y: MARGIN - 2 }, thickness: 0.5, color: grey });
    page.drawText(left, { x: MARGIN, y, size: 8, font: fonts.regular, color: grey });
    page.drawText(right, { x: A4[0] - MARGIN - fonts.regular.widthOfTextAtSize(right, 8), y, size: 8, font: fonts.regular, color: grey });
  });

  doc.setTitle(`${content.title} – ${content.header[0].value}`);
  doc.setSubject(`SHA-256 ${report.sha256}`);
  doc.setProducer(`Kyso ${opts.kysoVersion}`);
  doc.setCreator(`Kyso ${opts.kysoVersion}`);
  doc.setCreationDate(now);
  doc.setModificationDate(now);
  doc.setLanguage(lang === "vi" ? "vi-VN" : "en-GB");
  // Classic cross-reference table, no object streams: the simplest file for any reader and for
  // sealing the report with an incremental signature afterwards.
  return doc.save({ useObjectStreams: false });
}

interface Palette {
  body: Style;
  label: Style;
  mono: Style;
  ink: RGB;
  grey: RGB;
  white: RGB;
  tones: Record<VerdictTone, RGB>;
  lang: ReportLang;
}

function verdictLine(c: Cursor, caption: string, v: ReportVerdict, label: Style, body: Style, tones: Record<VerdictTone, RGB>, white: RGB): void {
  c.ensure(24);
  const size = 11;
  c.page.drawText(c.clean(caption), { x: MARGIN, y: c.y - size - 3, size: label.size, font: label.font, color: label.color });
  c.badge(v.words, tones[v.tone], white, size, LABEL_WIDTH);
  c.gap(size + 10);
  if (v.detail) c.paragraph(v.detail, { ...body, color: tones[v.tone] }, { x: LABEL_WIDTH });
}

function signatureBlock(c: Cursor, s: SignatureSection, p: Palette): void {
  c.gap(8);
  c.ensure(80);
  c.rule(p.grey);
  c.gap(4);
  c.paragraph(s.heading, { font: c.fonts.bold, size: 12, color: p.ink }, { leading: 16 });
  c.gap(2);
  verdictLine(c, text(p.lang, "verdict"), s.verdict, p.label, p.body, p.tones, p.white);
  for (const r of s.rows) c.row(r.label, r.value, p.label, r.mono ? p.mono : p.body, LABEL_WIDTH);
  c.row(text(p.lang, "changes"), s.changes.length === 0 ? text(p.lang, "none") : "", p.label, p.body, LABEL_WIDTH);
  for (const line of s.changes) c.paragraph(`• ${line}`, { ...p.body, size: 8.5 }, { x: 12 });
  if (s.reasons.length) {
    c.row(text(p.lang, "reasons"), "", p.label, p.body, LABEL_WIDTH);
    for (const line of s.reasons) c.paragraph(`• ${line}`, { ...p.body, size: 8.5 }, { x: 12 });
  }
  if (s.warnings.length) {
    c.row(text(p.lang, "warnings"), "", p.label, p.body, LABEL_WIDTH);
    for (const line of s.warnings) c.paragraph(`• ${line}`, { ...p.body, size: 8.5, color: p.tones.indeterminate }, { x: 12 });
  }
}

/**
 * Draws the QR code (ISO/IEC 18004, error correction M) of `payload` as filled squares with its
 * four-module quiet zone, top-left corner at (x, top).
 */
async function drawQr(page: PDFPage, payload: string, x: number, top: number, size: number, color: RGB): Promise<void> {
  const { default: QRCode } = await import("qrcode");
  const qr = QRCode.create(payload, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const cell = size / (n + 8);
  for (let r = 0; r < n; r++) {
    // One rectangle per horizontal run of dark modules keeps the page content small.
    for (let col = 0; col < n; ) {
      if (!qr.modules.get(r, col)) {
        col++;
        continue;
      }
      let end = col;
      while (end < n && qr.modules.get(r, end)) end++;
      page.drawRectangle({ x: x + (col + 4) * cell, y: top - (r + 5) * cell, width: (end - col) * cell, height: cell, color });
      col = end;
    }
  }
}
