import { KysoError } from "@kyso/core";
import { DisplayedPage, type Box } from "./geometry.js";
import type { PageInfo } from "@kyso/pdf";

/** Where a text was found: its page (0-based) and its bounding box in displayed coordinates. */
export interface AnchorHit {
  pageIndex: number;
  box: Box;
}

type TextItem = { str: string; transform: number[]; width: number; height: number; hasEOL?: boolean };

const collapse = (s: string): string => s.normalize("NFC").replace(/\s+/g, " ").trim();

/**
 * Finds `needle` in the text of a PDF with pdf.js (in-process, no worker thread, no rendering).
 * Pages are searched in `pages` order; the first page with a match wins, and on it the last match
 * (the signature block comes after any mention of the same title in the body). Whitespace runs
 * count as one space; when no exact match exists a case-insensitive one is taken.
 */
export async function findAnchor(bytes: Uint8Array, needle: string, pages: number[], pageInfo: (i: number) => PageInfo): Promise<AnchorHit | undefined> {
  const target = collapse(needle);
  if (!target) throw new KysoError("USAGE", "--anchor needs a non-empty text", { details: { params: {}, form: "anchorEmpty" } });
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
  let doc;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy();
    throw new KysoError("APPEARANCE_ANCHOR_UNREADABLE", "The document's text could not be read to find the anchor", { cause: e, details: { params: {} } });
  }
  try {
    for (const index of pages) {
      if (index < 0 || index >= doc.numPages) continue;
      const page = await doc.getPage(index + 1);
      const content = await page.getTextContent();
      const items = content.items.filter((it) => "str" in it) as unknown as TextItem[];
      // One string for the page, each character remembering its item and its place in it.
      let text = "";
      const from: { item: number; at: number }[] = [];
      items.forEach((it, k) => {
        const s = it.str.normalize("NFC");
        for (let i = 0; i < s.length; i++) {
          const ch = /\s/.test(s[i]) ? " " : s[i];
          if (ch === " " && text.endsWith(" ")) continue;
          text += ch;
          from.push({ item: k, at: i / Math.max(1, s.length) });
        }
        if ((it.hasEOL || !s.endsWith(" ")) && !text.endsWith(" ")) {
          text += " ";
          from.push({ item: k, at: 1 });
        }
      });
      let at = text.lastIndexOf(target);
      if (at < 0 && text.toUpperCase().length === text.length) at = text.toUpperCase().lastIndexOf(target.toUpperCase());
      if (at < 0) continue;
      const displayed = new DisplayedPage(pageInfo(index));
      const xs: number[] = [];
      const ys: number[] = [];
      const last = at + target.length - 1;
      for (let k = from[at].item; k <= from[last].item; k++) {
        const it = items[k];
        const [a, b, c, d, e, f] = it.transform;
        const len = Math.hypot(a, b) || 1;
        const dir = [a / len, b / len];
        const up = [c, d];
        const upLen = Math.hypot(up[0], up[1]) || 1;
        const height = it.height || upLen;
        const nu = [(up[0] / upLen) * height, (up[1] / upLen) * height];
        // The part of the item the match covers, by share of characters.
        const t0 = k === from[at].item ? from[at].at : 0;
        const t1 = k === from[last].item ? Math.min(1, from[last].at + 1 / Math.max(1, it.str.length)) : 1;
        for (const t of [t0, t1]) {
          const px = e + dir[0] * it.width * t;
          const py = f + dir[1] * it.width * t;
          for (const [qx, qy] of [
            [px, py],
            [px + nu[0], py + nu[1]],
          ]) {
            const [u, v] = displayed.toDisplayed(qx, qy);
            xs.push(u);
            ys.push(v);
          }
        }
      }
      const x = Math.min(...xs);
      const y = Math.min(...ys);
      return { pageIndex: index, box: { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y } };
    }
    return undefined;
  } finally {
    await doc.destroy();
  }
}
