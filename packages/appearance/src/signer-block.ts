import type { PageInfo } from "@kyso/pdf";
import { DisplayedPage, MM, type Box } from "./geometry.js";

/** One line of text on a page as a reader sees it, with the box its glyphs may ink (displayed coordinates). */
export interface TextLine {
  text: string;
  box: Box;
}

type TextItem = { str: string; transform: number[]; width: number; height: number };

/**
 * The signer block of a Vietnamese administrative document (Decree 30/2020/NĐ-CP, Appendix I,
 * section I.8 "chức vụ, họ tên và chữ ký của người có thẩm quyền"): the title line(s) of the person
 * who signs (e.g. "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH"), the space for the signature, then the printed
 * name. `gap` is the blank space between the lowest title line and what stands below it.
 */
export interface SignerBlock {
  title: TextLine;
  /** The line printed under the title in the same column (normally the signer's name). */
  below?: TextLine;
  /** True when `below` is the signer's name. */
  nameMatches: boolean;
  /** Every text line of the page, to keep the signature off them. */
  lines: TextLine[];
}

const collapse = (s: string): string => s.normalize("NFC").replace(/\s+/g, " ").trim();
/** Case- and diacritic-insensitive form, for comparing a printed name with the certificate's. */
const fold = (s: string): string =>
  collapse(s)
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase();

// The authority forms (KT. = ký thay, TM. = thay mặt, TL. = thừa lệnh, TUQ. = thừa ủy quyền, Q. =
// quyền; Decree 30/2020, Art. 13) and the usual titles of the person who signs.
const TITLE = /^(KT\.|TM\.|TL\.|TUQ\.|Q\.)|(CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG|BÍ THƯ|CHÁNH VĂN PHÒNG|CHÁNH THANH TRA|TỔNG CỤC|CỤC TRƯỞNG|VỤ TRƯỞNG|THỦ TRƯỞNG|HIỆU TRƯỞNG|CHÁNH ÁN|VIỆN TRƯỞNG|NGƯỜI KÝ)/u;

/** Whether a line reads as a signer's title: upper case, short, with an authority form or a title. */
export function isTitleLine(text: string): boolean {
  const t = collapse(text);
  if (t.length === 0 || t.length > 48) return false;
  if (t !== t.toLocaleUpperCase("vi") || !/\p{L}/u.test(t)) return false;
  return TITLE.test(t);
}

/**
 * The text lines of one page with pdf.js (in-process, no worker, no rendering). An item's box runs
 * from a descent below its baseline to above its height, so that Vietnamese marks above capitals
 * (Ễ, Ấ) and below (Ị, Ụ) are inside it.
 */
export async function pageLines(bytes: Uint8Array, pageIndex: number, info: PageInfo): Promise<TextLine[] | undefined> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
  let doc;
  try {
    doc = await task.promise;
  } catch {
    await task.destroy();
    return undefined;
  }
  try {
    if (pageIndex < 0 || pageIndex >= doc.numPages) return undefined;
    const page = await doc.getPage(pageIndex + 1);
    const content = await page.getTextContent();
    const items = (content.items.filter((it) => "str" in it) as unknown as TextItem[]).filter((it) => it.str.trim() !== "");
    const displayed = new DisplayedPage(info);
    const pieces: TextLine[] = items.map((it) => {
      const [a, b, c, d, e, f] = it.transform;
      const len = Math.hypot(a, b) || 1;
      const dir = [a / len, b / len];
      const upLen = Math.hypot(c, d) || 1;
      const size = it.height || upLen;
      const up = [(c / upLen) * size, (d / upLen) * size];
      const xs: number[] = [];
      const ys: number[] = [];
      for (const t of [0, 1])
        for (const s of [-0.3, 1.25]) {
          const [u, v] = displayed.toDisplayed(e + dir[0] * it.width * t + up[0] * s, f + dir[1] * it.width * t + up[1] * s);
          xs.push(u);
          ys.push(v);
        }
      const x = Math.min(...xs);
      const y = Math.min(...ys);
      return { text: it.str, box: { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y } };
    });
    return joinLines(pieces);
  } finally {
    await doc.destroy();
  }
}

/** Joins pieces on the same baseline that stand close together (not the two columns of a block). */
function joinLines(pieces: TextLine[]): TextLine[] {
  const sorted = [...pieces].sort((p, q) => q.box.y - p.box.y || p.box.x - q.box.x);
  const lines: TextLine[] = [];
  for (const p of sorted) {
    const near = lines.find((l) => {
      const overlap = Math.min(l.box.y + l.box.h, p.box.y + p.box.h) - Math.max(l.box.y, p.box.y);
      const gap = Math.max(p.box.x - (l.box.x + l.box.w), l.box.x - (p.box.x + p.box.w));
      return overlap > 0.6 * Math.min(l.box.h, p.box.h) && gap < 0.8 * Math.min(l.box.h, p.box.h);
    });
    if (!near) {
      lines.push({ text: p.text, box: { ...p.box } });
      continue;
    }
    near.text = p.box.x >= near.box.x ? `${near.text} ${p.text}` : `${p.text} ${near.text}`;
    const x = Math.min(near.box.x, p.box.x);
    const y = Math.min(near.box.y, p.box.y);
    near.box = { x, y, w: Math.max(near.box.x + near.box.w, p.box.x + p.box.w) - x, h: Math.max(near.box.y + near.box.h, p.box.y + p.box.h) - y };
  }
  for (const l of lines) l.text = collapse(l.text);
  return lines;
}

const overlapsX = (a: Box, b: Box): boolean => Math.min(a.x + a.w, b.x + b.w) > Math.max(a.x, b.x);
const intersects = (a: Box, b: Box): boolean => overlapsX(a, b) && Math.min(a.y + a.h, b.y + b.h) > Math.max(a.y, b.y);

/** The lowest signer title on the page and the line printed under it in its column, if any. */
export function findSignerBlock(lines: TextLine[], name: string): SignerBlock | undefined {
  const titles = lines.filter((l) => isTitleLine(l.text)).sort((p, q) => p.box.y - q.box.y);
  const title = titles[0];
  if (!title) return undefined;
  const column = { ...title.box, x: title.box.x - 20, w: title.box.w + 40 };
  const below = lines
    .filter((l) => l !== title && l.box.y + l.box.h <= title.box.y + 1 && overlapsX(l.box, column))
    .sort((p, q) => q.box.y + q.box.h - (p.box.y + p.box.h))[0];
  const nameMatches = below !== undefined && name.trim() !== "" && fold(below.text).includes(fold(name));
  return { title, below, nameMatches, lines };
}

const GAP = 2; // points kept clear around the text lines' boxes
const MAX_H = 80;
const MIN_H = 24;
const WIDTH = 170;

/**
 * The personal signature's box in the signer block: under the title, centred on it, above the
 * printed name (or, when nothing is printed below, as deep as a signature needs), narrowed so that
 * it meets no text line of the page. Undefined when the space is too small.
 */
export function signerBlockBox(block: SignerBlock, page: { width: number; height: number }): Box | undefined {
  const top = block.title.box.y - GAP;
  const floor = block.below ? block.below.box.y + block.below.box.h + GAP : Math.max(10 * MM, top - MAX_H - 20);
  const room = top - floor;
  if (room < MIN_H) return undefined;
  const h = Math.min(MAX_H, room);
  // Between title and name, centred in the gap; with nothing below, right under the title.
  const y = block.below ? floor + (room - h) / 2 : top - h;
  const cx = block.title.box.x + block.title.box.w / 2;
  let left = Math.max(10 * MM, cx - WIDTH / 2);
  let right = Math.min(page.width - 10 * MM, cx + WIDTH / 2);
  for (const l of block.lines) {
    if (!intersects(l.box, { x: left, y, w: right - left, h })) continue;
    if (l.box.x + l.box.w / 2 < cx) left = Math.max(left, l.box.x + l.box.w + GAP);
    else right = Math.min(right, l.box.x - GAP);
  }
  if (right - left < 2 * MIN_H) return undefined;
  return { x: left, y, w: right - left, h };
}
