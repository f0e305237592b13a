import type { PDFDocument, PDFFont, PDFPage, RGB } from "pdf-lib";

/** A4 in points (ISO 216: 210 x 297 mm). */
export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 50;
/** Room kept at the bottom of each page for the footer. */
export const FOOTER_ROOM = 36;

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

export interface Style {
  font: PDFFont;
  size: number;
  color: RGB;
}

/** Replaces what the font cannot draw (control characters, scripts it lacks) so drawing never throws. */
export function drawable(font: PDFFont, s: string, supported: Set<number>): string {
  let out = "";
  for (const ch of s.normalize("NFC").replace(/[\r\n\t]+/g, " ")) {
    const cp = ch.codePointAt(0) as number;
    out += supported.has(cp) ? ch : "?";
  }
  void font;
  return out;
}

/**
 * Breaks `s` into lines no wider than `width`: at spaces where possible, inside a word when the word
 * alone is too wide (digests, URLs).
 */
export function wrap(s: string, font: PDFFont, size: number, width: number): string[] {
  // Each word is measured once (shaping text is the costly part of drawing); a line's width is its
  // words' widths plus its spaces, with half a point kept for kerning across the spaces.
  const measure = (x: string): number => font.widthOfTextAtSize(x, size);
  const space = measure(" ");
  const lines: string[] = [];
  let line = "";
  let lineWidth = 0;
  for (let word of s.split(/ +/)) {
    let w = measure(word);
    if (line && lineWidth + space + w <= width - 0.5) {
      line += ` ${word}`;
      lineWidth += space + w;
      continue;
    }
    if (line) lines.push(line);
    // A word wider than the line is cut where it stops fitting (binary search on its prefixes).
    while (w > width) {
      let lo = 1;
      let hi = word.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (measure(word.slice(0, mid)) <= width) lo = mid;
        else hi = mid - 1;
      }
      lines.push(word.slice(0, lo));
      word = word.slice(lo);
      w = measure(word);
    }
    line = word;
    lineWidth = w;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** A writing position that flows onto new A4 pages. */
export class Cursor {
  page: PDFPage;
  y: number;
  /** Below this y on the first page the full width is free (the QR code sits above it). */
  reservedUntilY = 0;
  reservedWidth = 0;
  private readonly supported: Set<number>;

  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: Fonts,
  ) {
    this.page = doc.addPage(A4);
    this.y = A4[1] - MARGIN;
    this.supported = new Set(fonts.regular.getCharacterSet());
  }

  get width(): number {
    const full = A4[0] - 2 * MARGIN;
    return this.y > this.reservedUntilY && this.page === this.doc.getPage(0) ? full - this.reservedWidth : full;
  }

  clean(s: string): string {
    return drawable(this.fonts.regular, s, this.supported);
  }

  /** Starts a new page when less than `height` is left above the footer. */
  ensure(height: number): void {
    if (this.y - height >= MARGIN + FOOTER_ROOM) return;
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  /** Wrapped text at `x` (relative to the left margin) within `width`; returns the lines drawn. */
  paragraph(s: string, style: Style, options: { x?: number; width?: number; leading?: number } = {}): number {
    const x = MARGIN + (options.x ?? 0);
    const leading = options.leading ?? style.size * 1.3;
    const lines = wrap(this.clean(s), style.font, style.size, options.width ?? this.width - (options.x ?? 0));
    for (const line of lines) {
      this.ensure(leading);
      this.y -= leading;
      this.page.drawText(line, { x, y: this.y + (leading - style.size) / 2, size: style.size, font: style.font, color: style.color });
    }
    return lines.length;
  }

  /** A label in its column and a wrapped value beside it; the row is kept on one page when it fits. */
  row(label: string, value: string, labelStyle: Style, valueStyle: Style, labelWidth: number): void {
    const leading = valueStyle.size * 1.35;
    const valueWidth = this.width - labelWidth;
    const labelLines = wrap(this.clean(label), labelStyle.font, labelStyle.size, labelWidth - 8);
    const valueLines = wrap(this.clean(value), valueStyle.font, valueStyle.size, valueWidth);
    const n = Math.max(labelLines.length, valueLines.length);
    if (n * leading < A4[1] / 3) this.ensure(n * leading);
    for (let i = 0; i < n; i++) {
      this.ensure(leading);
      this.y -= leading;
      const base = this.y + (leading - valueStyle.size) / 2;
      if (labelLines[i]) this.page.drawText(labelLines[i], { x: MARGIN, y: base, size: labelStyle.size, font: labelStyle.font, color: labelStyle.color });
      if (valueLines[i]) this.page.drawText(valueLines[i], { x: MARGIN + labelWidth, y: base, size: valueStyle.size, font: valueStyle.font, color: valueStyle.color });
    }
  }

  /** A coloured badge with white bold text at the current line; returns its width. */
  badge(s: string, fill: RGB, white: RGB, size: number, x = 0): number {
    const text = this.clean(s);
    const w = this.fonts.bold.widthOfTextAtSize(text, size) + 12;
    const h = size + 8;
    this.page.drawRectangle({ x: MARGIN + x, y: this.y - h, width: w, height: h, color: fill });
    this.page.drawText(text, { x: MARGIN + x + 6, y: this.y - h + 5, size, font: this.fonts.bold, color: white });
    return w;
  }

  /** Moves below the reserved corner of the first page (for rows that need the full width). */
  belowReserved(): void {
    if (this.page === this.doc.getPage(0) && this.y > this.reservedUntilY) this.y = this.reservedUntilY;
  }

  gap(points: number): void {
    this.y -= points;
  }

  rule(color: RGB): void {
    this.ensure(8);
    this.y -= 4;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: A4[0] - MARGIN, y: this.y }, thickness: 0.6, color });
    this.y -= 4;
  }
}
