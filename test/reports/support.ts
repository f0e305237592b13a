/** Shared by the report tests: readers we did not write (poppler, qpdf, @xmldom/xmldom, jsQR). */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DOMParser, type Document, type Element } from "@xmldom/xmldom";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { tool } from "../support/judges.js";

export const VR_NS = "http://uri.etsi.org/19102/v1.2.1#";

/** The verdict words a clerk reads, as the report must print them. */
export const VERDICT_VI: Record<string, string> = {
  TOTAL_PASSED: "HỢP LỆ",
  TOTAL_FAILED: "KHÔNG HỢP LỆ",
  INDETERMINATE: "CHƯA XÁC ĐỊNH",
  NO_SIGNATURE: "KHÔNG CÓ CHỮ KÝ",
};
export const VERDICT_EN: Record<string, string> = { TOTAL_PASSED: "VALID", TOTAL_FAILED: "INVALID", INDETERMINATE: "INDETERMINATE", NO_SIGNATURE: "NO SIGNATURE" };

/** ETSI TS 119 102-2 §4.3.4.2 main indication URIs. */
export const MAIN_URI: Record<string, string> = {
  TOTAL_PASSED: "urn:etsi:019102:mainindication:total-passed",
  TOTAL_FAILED: "urn:etsi:019102:mainindication:total-failed",
  INDETERMINATE: "urn:etsi:019102:mainindication:indeterminate",
};

export function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** poppler's pdftotext, in reading order (-raw keeps each drawn line whole). */
export async function pdfText(file: string): Promise<string> {
  const r = await tool("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"]);
  if (r.code !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout;
}

export async function pdfInfo(file: string): Promise<string> {
  return (await tool("pdfinfo", [file])).stdout;
}

/** The fonts of a PDF as pdffonts lists them: name, embedded, has ToUnicode. */
export async function pdfFonts(file: string): Promise<{ name: string; embedded: boolean; subset: boolean; unicode: boolean }[]> {
  const out = (await tool("pdffonts", [file])).stdout.split("\n").slice(2).filter((l) => l.trim());
  return out.map((l) => {
    const cols = l.trim().split(/\s+/);
    // name type... encoding emb sub uni object-id gen
    return { name: cols[0], embedded: cols[cols.length - 5] === "yes", subset: cols[cols.length - 4] === "yes", unicode: cols[cols.length - 3] === "yes" };
  });
}

/** Renders every page with pdftoppm and returns the decoded PNGs. */
export async function renderPages(file: string, dir: string, dpi = 100): Promise<PNG[]> {
  const prefix = join(dir, `page-${Math.random().toString(36).slice(2)}`);
  const r = await tool("pdftoppm", ["-r", String(dpi), "-png", file, prefix]);
  if (r.code !== 0) throw new Error(`pdftoppm failed: ${r.stderr}`);
  const base = prefix.split("/").pop() as string;
  return readdirSync(dir)
    .filter((f) => f.startsWith(base) && f.endsWith(".png"))
    .sort()
    .map((f) => PNG.sync.read(readFileSync(join(dir, f))));
}

/** Number of pixels of exactly this colour (the interior of a filled badge is drawn without blending). */
export function countColour(png: PNG, [r, g, b]: [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
  return n;
}

/** Reads the QR code on a rendered page with jsQR (an implementation independent of the encoder). */
export function readQr(png: PNG): string | undefined {
  // jsqr is CommonJS: under Node's ESM loader its default import is the function itself.
  const decode = ((jsQR as unknown as { default?: unknown }).default ?? jsQR) as unknown as QrDecoder;
  return decode(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data;
}

type QrDecoder = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

export function parseXml(text: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => void (level !== "warning" && errors.push(msg)) }).parseFromString(text, "application/xml");
  if (errors.length) throw new Error(`XML not well-formed: ${errors.join("; ")}`);
  return doc;
}

export function vrElements(parent: Document | Element, name: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(VR_NS, name));
}

/** Direct children of `parent` in the report namespace named `name`. */
export function vrChildren(parent: Element, name: string): Element[] {
  return Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === VR_NS && (n as Element).localName === name);
}
