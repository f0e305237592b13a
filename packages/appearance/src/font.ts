import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import * as fontkit from "fontkit";
import { KysoError } from "@kyso/core";
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type IncrementalWriter } from "@kyso/pdf";

/**
 * Where a serif font with Times New Roman metrics and the Vietnamese glyphs is looked for: Liberation
 * Serif (SIL OFL) from Debian's fonts-liberation2 (or the older fonts-liberation). Times New Roman
 * itself may not be shipped; Liberation Serif is metric-compatible with it.
 */
export const SERIF_FONT_PATHS = [
  "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
  "/usr/share/fonts/liberation-serif/LiberationSerif-Regular.ttf",
  "/usr/share/fonts/TTF/LiberationSerif-Regular.ttf",
];

const fontCache = new Map<string, fontkit.Font>();

/** Opens the serif font: `path`, else `KYSO_SERIF_FONT`, else the first of {@link SERIF_FONT_PATHS} that exists. */
export function loadSerifFont(path?: string, env: NodeJS.ProcessEnv = process.env): fontkit.Font {
  const candidates = path ? [path] : env.KYSO_SERIF_FONT ? [env.KYSO_SERIF_FONT] : SERIF_FONT_PATHS;
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new KysoError(
      "APPEARANCE_FONT_MISSING",
      `No serif font for visible signatures: looked for ${candidates.join(", ")}. Install Debian's fonts-liberation2 (scripts/install.sh does) or set KYSO_SERIF_FONT to a TrueType font with Vietnamese glyphs.`,
      { details: { params: { paths: candidates.join(", ") } } },
    );
  let font = fontCache.get(found);
  if (!font) {
    let opened: fontkit.Font | fontkit.FontCollection;
    try {
      opened = fontkit.create(readFileSync(found));
    } catch (e) {
      throw new KysoError("APPEARANCE_FONT_UNREADABLE", `Cannot read the font ${found}`, { cause: e });
    }
    if (!("glyphForCodePoint" in opened)) throw new KysoError("APPEARANCE_FONT_UNREADABLE", `${found} is a font collection, not a single font`);
    font = opened;
    fontCache.set(found, font);
  }
  return font;
}

/**
 * A font being embedded as a subset: a Type0 font with a CIDFontType2 descendant, Identity-H
 * encoding and a ToUnicode CMap (ISO 32000-1 §9.7.4, §9.10.3), so that every glyph shown is in the
 * file and text extraction gives back the exact Vietnamese text. CIDs are the subset's glyph ids.
 */
export class SubsetFont {
  private readonly subset: fontkit.Subset;
  /** subset glyph id -> the text it stands for and its advance (font units). */
  private readonly used = new Map<number, { text: string; advance: number }>();
  private readonly scale: number;

  constructor(readonly font: fontkit.Font) {
    this.subset = font.createSubset();
    this.scale = 1000 / font.unitsPerEm;
  }

  /** Text is written in NFC: Liberation Serif has precomposed Vietnamese letters (U+1EA0-U+1EF9). */
  private glyphs(text: string): { id: number; text: string; advance: number }[] {
    const out: { id: number; text: string; advance: number }[] = [];
    for (const ch of text.normalize("NFC")) {
      const cp = ch.codePointAt(0) as number;
      if (!this.font.hasGlyphForCodePoint(cp))
        throw new KysoError("APPEARANCE_GLYPH_MISSING", `The font ${this.font.postscriptName} has no glyph for "${ch}" (U+${cp.toString(16).toUpperCase().padStart(4, "0")})`);
      const g = this.font.glyphForCodePoint(cp);
      out.push({ id: g.id, text: ch, advance: g.advanceWidth });
    }
    return out;
  }

  /** Width of `text` at `size` points. */
  width(text: string, size: number): number {
    let w = 0;
    for (const g of this.glyphs(text)) w += g.advance;
    return (w * size) / this.font.unitsPerEm;
  }

  /** Ascent and descent (negative) at `size` points. */
  metrics(size: number): { ascent: number; descent: number; capHeight: number } {
    const k = size / this.font.unitsPerEm;
    return { ascent: this.font.ascent * k, descent: this.font.descent * k, capHeight: this.font.capHeight * k };
  }

  /** The operand of a Tj operator for `text`: a hex string of 2-byte CIDs. */
  encode(text: string): string {
    let hex = "";
    for (const g of this.glyphs(text)) {
      const newId = this.subset.includeGlyph(this.font.getGlyph(g.id)) as unknown as number;
      if (!this.used.has(newId)) this.used.set(newId, { text: g.text, advance: g.advance });
      hex += newId.toString(16).padStart(4, "0");
    }
    return `<${hex}>`;
  }

  /** Writes the font program subset and its dictionaries; returns the Type0 font's reference. */
  embed(writer: IncrementalWriter): PdfRef {
    const program = Buffer.from(this.subset.encode());
    const ids = [...this.used.keys()].sort((a, b) => a - b);
    // The subset tag (ISO 32000-1 §9.6.4): six capitals, here derived from the glyphs kept.
    const h = createHash("sha256").update(program).digest();
    const tag = [...h.subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join("");
    const baseName = `${tag}+${this.font.postscriptName}`;
    const fontFile = writer.add(
      new PdfStream(new PdfDict([["Length1", program.length], ["Filter", PdfName.of("FlateDecode")]]), new Uint8Array(deflateSync(program))),
    );
    const k = this.scale;
    const bbox = this.font.bbox;
    const descriptor = writer.add(
      new PdfDict([
        ["Type", PdfName.of("FontDescriptor")],
        ["FontName", PdfName.of(baseName)],
        ["Flags", 34], // Serif + Nonsymbolic (ISO 32000-1 Table 123)
        ["FontBBox", new PdfArray([bbox.minX, bbox.minY, bbox.maxX, bbox.maxY].map((v) => Math.round(v * k)))],
        ["ItalicAngle", this.font.italicAngle],
        ["Ascent", Math.round(this.font.ascent * k)],
        ["Descent", Math.round(this.font.descent * k)],
        ["CapHeight", Math.round(this.font.capHeight * k)],
        ["StemV", 80],
        ["FontFile2", fontFile],
      ]),
    );
    const widths: (number | PdfArray)[] = [];
    for (const id of ids) widths.push(id, new PdfArray([Math.round((this.used.get(id) as { advance: number }).advance * k)]));
    const cidFont = writer.add(
      new PdfDict([
        ["Type", PdfName.of("Font")],
        ["Subtype", PdfName.of("CIDFontType2")],
        ["BaseFont", PdfName.of(baseName)],
        ["CIDSystemInfo", new PdfDict([["Registry", str("Adobe")], ["Ordering", str("Identity")], ["Supplement", 0]])],
        ["FontDescriptor", descriptor],
        ["W", new PdfArray(widths)],
        ["CIDToGIDMap", PdfName.of("Identity")],
      ]),
    );
    const toUnicode = writer.add(new PdfStream(new PdfDict([["Filter", PdfName.of("FlateDecode")]]), new Uint8Array(deflateSync(Buffer.from(this.toUnicodeCMap(ids), "latin1")))));
    return writer.add(
      new PdfDict([
        ["Type", PdfName.of("Font")],
        ["Subtype", PdfName.of("Type0")],
        ["BaseFont", PdfName.of(baseName)],
        ["Encoding", PdfName.of("Identity-H")],
        ["DescendantFonts", new PdfArray([cidFont])],
        ["ToUnicode", toUnicode],
      ]),
    );
  }

  /** A ToUnicode CMap (ISO 32000-1 §9.10.3) with one bfchar per glyph used, at most 100 per block. */
  private toUnicodeCMap(ids: number[]): string {
    const hex4 = (n: number): string => n.toString(16).padStart(4, "0").toUpperCase();
    const utf16 = (s: string): string => [...Buffer.from(s, "utf16le").swap16()].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
    let body = "";
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      body += `${chunk.length} beginbfchar\n`;
      for (const id of chunk) body += `<${hex4(id)}> <${utf16((this.used.get(id) as { text: string }).text)}>\n`;
      body += "endbfchar\n";
    }
    return (
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" +
      body +
      "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    );
  }
}

function str(s: string): PdfString {
  return new PdfString(new Uint8Array(Buffer.from(s, "latin1")));
}
