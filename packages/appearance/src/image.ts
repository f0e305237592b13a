import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { KysoError } from "@kyso/core";
import { PdfDict, PdfName, PdfStream, type IncrementalWriter, type PdfRef } from "@kyso/pdf";

/** A decoded raster image: 8-bit RGBA, row by row from the top. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes a PNG (any colour type and bit depth pngjs reads) into 8-bit RGBA; `what` and `path` name it in errors. */
export function decodePng(bytes: Uint8Array, what = "PNG image", path = ""): RgbaImage {
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (e) {
    throw new KysoError("APPEARANCE_IMAGE_INVALID", `The ${path ? `${what} ${path}` : what} is not a readable PNG file`, { cause: e, details: { params: { what, path } } });
  }
}

export function readPngFile(path: string, what = "PNG image"): RgbaImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new KysoError("APPEARANCE_IMAGE_UNREADABLE", `Cannot read the ${what} ${path}`, { cause: e, details: { params: { what, path, code: (e as NodeJS.ErrnoException).code ?? "" } } });
  }
  return decodePng(bytes, what, path);
}

/** Encodes RGBA as a PNG file (used for the demo images and by tests). */
export function encodePng(img: RgbaImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength).copy(png.data);
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
}

/**
 * Writes an image XObject (ISO 32000-1 §8.9.5): DeviceRGB samples, and the alpha channel as a soft
 * mask (§11.6.5.3) when any pixel is not opaque. A soft mask is allowed in PDF/A-2 and later, not in
 * PDF/A-1.
 */
export function embedImage(writer: IncrementalWriter, img: RgbaImage): PdfRef {
  const n = img.width * img.height;
  const rgb = Buffer.alloc(n * 3);
  const alpha = Buffer.alloc(n);
  let translucent = false;
  for (let i = 0; i < n; i++) {
    rgb[3 * i] = img.data[4 * i];
    rgb[3 * i + 1] = img.data[4 * i + 1];
    rgb[3 * i + 2] = img.data[4 * i + 2];
    alpha[i] = img.data[4 * i + 3];
    if (alpha[i] !== 255) translucent = true;
  }
  const base = (colorSpace: string): PdfDict =>
    new PdfDict([
      ["Type", PdfName.of("XObject")],
      ["Subtype", PdfName.of("Image")],
      ["Width", img.width],
      ["Height", img.height],
      ["ColorSpace", PdfName.of(colorSpace)],
      ["BitsPerComponent", 8],
      ["Filter", PdfName.of("FlateDecode")],
    ]);
  const dict = base("DeviceRGB");
  if (translucent) dict.set("SMask", writer.add(new PdfStream(base("DeviceGray"), new Uint8Array(deflateSync(alpha)))));
  return writer.add(new PdfStream(dict, new Uint8Array(deflateSync(rgb))));
}
