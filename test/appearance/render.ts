// Helpers of the appearance tests: render a page with poppler's pdftoppm, read text with pdftotext,
// compare pixels and golden images. Everything judged here comes from tools Kyso does not contain.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { tool } from "../support/judges.js";

export interface Raster {
  width: number;
  height: number;
  data: Buffer;
}

/** A box in rendered pixels (top-left origin) from a displayed box in points at 72 dpi. */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function pixelBox(b: { x: number; y: number; w: number; h: number }, pageHeight: number): PixelBox {
  return { left: b.x, top: pageHeight - b.y - b.h, right: b.x + b.w, bottom: pageHeight - b.y };
}

/** Renders one page (1-based) at 72 dpi: one pixel per point. */
export async function renderPage(file: string, page: number): Promise<Raster> {
  const dir = mkdtempSync(join(tmpdir(), "kyso-render-"));
  const prefix = join(dir, "page");
  const r = await tool("pdftoppm", ["-r", "72", "-png", "-singlefile", "-f", String(page), "-l", String(page), file, prefix]);
  if (r.code !== 0) throw new Error(`pdftoppm failed: ${r.stderr}`);
  const png = PNG.sync.read(readFileSync(`${prefix}.png`));
  return { width: png.width, height: png.height, data: png.data };
}

export async function pageText(file: string, page: number): Promise<string> {
  const r = await tool("pdftotext", ["-enc", "UTF-8", "-f", String(page), "-l", String(page), file, "-"]);
  if (r.code !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout.normalize("NFC");
}

export const isBlue = (r: number, g: number, b: number): boolean => b > 140 && r < 110 && b - r > 60;
export const isRed = (r: number, g: number, b: number): boolean => r > 160 && g < 110 && b < 110;
export const isDark = (r: number, g: number, b: number): boolean => r < 100 && g < 100 && b < 100;

/** Counts pixels inside a box that satisfy a colour test. */
export function countIn(img: Raster, box: PixelBox, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(box.top)); y < Math.min(img.height, Math.ceil(box.bottom)); y++) {
    for (let x = Math.max(0, Math.floor(box.left)); x < Math.min(img.width, Math.ceil(box.right)); x++) {
      const o = 4 * (y * img.width + x);
      if (test(img.data[o], img.data[o + 1], img.data[o + 2])) n++;
    }
  }
  return n;
}

/** Pixels that differ between two renders outside a box (grown by `margin` pixels for anti-aliasing). */
export function changedOutside(before: Raster, after: Raster, box: PixelBox, margin = 2): number {
  if (before.width !== after.width || before.height !== after.height) throw new Error("renders differ in size");
  let n = 0;
  for (let y = 0; y < after.height; y++) {
    for (let x = 0; x < after.width; x++) {
      if (x >= box.left - margin && x < box.right + margin && y >= box.top - margin && y < box.bottom + margin) continue;
      const o = 4 * (y * after.width + x);
      if (Math.abs(before.data[o] - after.data[o]) + Math.abs(before.data[o + 1] - after.data[o + 1]) + Math.abs(before.data[o + 2] - after.data[o + 2]) > 30) n++;
    }
  }
  return n;
}

/** Pixels that differ inside a box. */
export function changedInside(before: Raster, after: Raster, box: PixelBox): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(box.top)); y < Math.min(after.height, Math.ceil(box.bottom)); y++) {
    for (let x = Math.max(0, Math.floor(box.left)); x < Math.min(after.width, Math.ceil(box.right)); x++) {
      const o = 4 * (y * after.width + x);
      if (Math.abs(before.data[o] - after.data[o]) + Math.abs(before.data[o + 1] - after.data[o + 1]) + Math.abs(before.data[o + 2] - after.data[o + 2]) > 30) n++;
    }
  }
  return n;
}

export function crop(img: Raster, box: PixelBox): Raster {
  const left = Math.max(0, Math.floor(box.left));
  const top = Math.max(0, Math.floor(box.top));
  const width = Math.min(img.width, Math.ceil(box.right)) - left;
  const height = Math.min(img.height, Math.ceil(box.bottom)) - top;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) img.data.copy(data, y * width * 4, 4 * ((top + y) * img.width + left), 4 * ((top + y) * img.width + left + width));
  return { width, height, data };
}

export const goldenDir = join(dirname(fileURLToPath(import.meta.url)), "golden");

/**
 * Compares a render with a golden PNG: same size, and at most 1 % of pixels differing by more than a
 * small amount (anti-aliasing differs between poppler versions). `KYSO_UPDATE_GOLDEN=1` rewrites
 * the golden file instead.
 */
export function compareGolden(name: string, img: Raster): { differing: number; total: number; updated: boolean } {
  const file = join(goldenDir, `${name}.png`);
  if (process.env.KYSO_UPDATE_GOLDEN === "1" || !existsSync(file)) {
    if (process.env.KYSO_UPDATE_GOLDEN !== "1") throw new Error(`no golden image ${file}: run with KYSO_UPDATE_GOLDEN=1 to create it`);
    mkdirSync(goldenDir, { recursive: true });
    const png = new PNG({ width: img.width, height: img.height });
    img.data.copy(png.data);
    writeFileSync(file, PNG.sync.write(png, { colorType: 2 }));
    return { differing: 0, total: img.width * img.height, updated: true };
  }
  const golden = PNG.sync.read(readFileSync(file));
  if (golden.width !== img.width || golden.height !== img.height)
    return { differing: img.width * img.height, total: img.width * img.height, updated: false };
  let differing = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const d = Math.abs(golden.data[4 * i] - img.data[4 * i]) + Math.abs(golden.data[4 * i + 1] - img.data[4 * i + 1]) + Math.abs(golden.data[4 * i + 2] - img.data[4 * i + 2]);
    if (d > 48) differing++;
  }
  return { differing, total: img.width * img.height, updated: false };
}
