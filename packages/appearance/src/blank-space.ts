import type { Box } from "./geometry.js";
import type { TextLine } from "./signer-block.js";

const PAD = 2; // points kept clear around the text lines' boxes

const meets = (a: Box, b: Box): boolean =>
  Math.min(a.x + a.w, b.x + b.w) + PAD > Math.max(a.x, b.x) && Math.min(a.y + a.h, b.y + b.h) + PAD > Math.max(a.y, b.y);

/**
 * The first place for a box of `preferred`'s size that meets no text line, looking from the
 * preferred place downwards and, on each height, sideways from it (nearest first), inside `area`.
 * Decree 30/2020/NĐ-CP, Appendix IV, I.1: the arrival stamp goes on a blank space of the page, under
 * the number and code or under the date of the document. Undefined when the page has no such space.
 */
export function blankBoxNear(preferred: Box, lines: TextLine[], area: Box, step = 2): Box | undefined {
  const { w, h } = preferred;
  const xs: number[] = [];
  for (let x = area.x; x + w <= area.x + area.w + 0.001; x += step) xs.push(x);
  const x0 = Math.min(Math.max(preferred.x, area.x), area.x + area.w - w);
  xs.push(x0);
  xs.sort((a, b) => Math.abs(a - x0) - Math.abs(b - x0));
  const top = Math.min(preferred.y, area.y + area.h - h);
  for (let y = top; y >= area.y - 0.001; y -= step) {
    for (const x of xs) {
      const b = { x, y, w, h };
      if (!lines.some((l) => meets(l.box, b))) return b;
    }
  }
  return undefined;
}
