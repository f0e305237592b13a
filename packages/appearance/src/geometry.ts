import type { PageInfo } from "@kyso/pdf";

/** A rectangle as x, y, width, height. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The page as a reader sees it: its visible area (the CropBox) turned by /Rotate. "Displayed"
 * coordinates have their origin at the bottom-left corner of the page as shown, x to the right and y
 * up, in points; --rect and --anchor-offset are given in them. Default user space (ISO 32000-1
 * §8.3.2.3) is where /Rect and page content live: it may have a non-zero origin and be rotated.
 */
export class DisplayedPage {
  readonly width: number;
  readonly height: number;
  private readonly cw: number;
  private readonly ch: number;

  constructor(readonly page: Pick<PageInfo, "cropBox" | "rotate">) {
    const [x0, y0, x1, y1] = page.cropBox;
    this.cw = x1 - x0;
    this.ch = y1 - y0;
    const turned = page.rotate === 90 || page.rotate === 270;
    this.width = turned ? this.ch : this.cw;
    this.height = turned ? this.cw : this.ch;
  }

  /** Displayed point -> default user space. /Rotate turns the page clockwise when shown (§8.4.3). */
  toUser(u: number, v: number): [number, number] {
    const [x0, y0] = this.page.cropBox;
    switch (this.page.rotate) {
      case 90:
        return [x0 + this.cw - v, y0 + u];
      case 180:
        return [x0 + this.cw - u, y0 + this.ch - v];
      case 270:
        return [x0 + v, y0 + this.ch - u];
      default:
        return [x0 + u, y0 + v];
    }
  }

  /** Default user space point -> displayed. */
  toDisplayed(x: number, y: number): [number, number] {
    const [x0, y0] = this.page.cropBox;
    const rx = x - x0;
    const ry = y - y0;
    switch (this.page.rotate) {
      case 90:
        return [ry, this.cw - rx];
      case 180:
        return [this.cw - rx, this.ch - ry];
      case 270:
        return [this.ch - ry, rx];
      default:
        return [rx, ry];
    }
  }

  /** The widget's /Rect in user space for a displayed box. */
  rectFor(b: Box): [number, number, number, number] {
    const pts = [this.toUser(b.x, b.y), this.toUser(b.x + b.w, b.y), this.toUser(b.x, b.y + b.h), this.toUser(b.x + b.w, b.y + b.h)];
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].map(round) as [number, number, number, number];
  }

  /** A displayed box from a user-space rectangle (e.g. an earlier signature's /Rect). */
  boxFor(rect: [number, number, number, number]): Box {
    const a = this.toDisplayed(rect[0], rect[1]);
    const b = this.toDisplayed(rect[2], rect[3]);
    const x = Math.min(a[0], b[0]);
    const y = Math.min(a[1], b[1]);
    return { x, y, w: Math.abs(a[0] - b[0]), h: Math.abs(a[1] - b[1]) };
  }

  /**
   * The appearance stream's /Matrix: it turns the upright drawing so that it shows upright on the
   * rotated page (ISO 32000-1 §12.5.5, Algorithm 8.1 maps the turned /BBox onto /Rect).
   */
  formMatrix(): [number, number, number, number, number, number] {
    switch (this.page.rotate) {
      case 90:
        return [0, 1, -1, 0, 0, 0];
      case 180:
        return [-1, 0, 0, -1, 0, 0];
      case 270:
        return [0, -1, 1, 0, 0, 0];
      default:
        return [1, 0, 0, 1, 0, 0];
    }
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export const MM = 72 / 25.4;
