import type { SubsetFont } from "./font.js";

/** RGB in 0..1. */
export type Rgb = [number, number, number];

export const BLACK: Rgb = [0, 0, 0];
/** Seal red, close to the ink of a Vietnamese state seal. */
export const SEAL_RED: Rgb = [0.85, 0.05, 0.05];

function num(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * A content stream being written (ISO 32000-1 §8.2, §9.4): the few operators an appearance needs.
 * Resource names are fixed: /F1 for the font, /Im1.. for images.
 */
export class ContentStream {
  private readonly ops: string[] = [];

  constructor(readonly font: SubsetFont) {}

  /** Draws image resource `name` into the rectangle x, y, w, h. */
  image(name: string, x: number, y: number, w: number, h: number): this {
    this.ops.push(`q ${num(w)} 0 0 ${num(h)} ${num(x)} ${num(y)} cm /${name} Do Q`);
    return this;
  }

  /** One line of text with its baseline starting at x, y. */
  text(s: string, x: number, y: number, size: number, color: Rgb = BLACK): this {
    this.ops.push(`BT /F1 ${num(size)} Tf ${color.map(num).join(" ")} rg ${num(x)} ${num(y)} Td ${this.font.encode(s)} Tj ET`);
    return this;
  }

  /** A stroked rectangle. */
  rect(x: number, y: number, w: number, h: number, lineWidth: number, color: Rgb): this {
    this.ops.push(`q ${num(lineWidth)} w ${color.map(num).join(" ")} RG ${num(x)} ${num(y)} ${num(w)} ${num(h)} re S Q`);
    return this;
  }

  /** Clips everything after it to the rectangle (keeps the drawing inside the box). */
  clip(x: number, y: number, w: number, h: number): this {
    this.ops.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re W n`);
    return this;
  }

  bytes(): Uint8Array {
    return new Uint8Array(Buffer.from(`q\n${this.ops.join("\n")}\nQ\n`, "latin1"));
  }
}
