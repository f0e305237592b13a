import { inflateSync, constants as zc } from "node:zlib";
import { KysoError } from "@kyso/core";
import { PdfArray, PdfDict, PdfName, type PdfObject } from "./objects.js";

/** Decoded streams larger than this are refused (decompression bombs). */
export const DEFAULT_MAX_DECODED = 256 * 1024 * 1024;

function filterNames(dict: PdfDict): { filters: string[]; parms: (PdfDict | null)[] } {
  const f = dict.get("Filter");
  const p = dict.get("DecodeParms") ?? dict.get("DP");
  const filters = f instanceof PdfName ? [f.value] : f instanceof PdfArray ? f.items.map((x) => (x instanceof PdfName ? x.value : "?")) : [];
  const parms = p instanceof PdfDict ? [p] : p instanceof PdfArray ? p.items.map((x) => (x instanceof PdfDict ? x : null)) : [];
  return { filters, parms };
}

function inflate(data: Uint8Array, max: number): Uint8Array {
  try {
    return inflateSync(data, { maxOutputLength: max });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw new KysoError("PDF_STREAM_TOO_LARGE", `stream decodes to more than ${max} bytes`, { cause: e });
    // Truncated or slightly damaged streams: take what inflates (as other readers do).
    try {
      return inflateSync(data, { maxOutputLength: max, finishFlush: zc.Z_SYNC_FLUSH });
    } catch (e2) {
      throw new KysoError("PDF_BAD_STREAM", "FlateDecode stream cannot be decoded", { cause: e2 });
    }
  }
}

/** PNG and TIFF predictors (ISO 32000-1 §7.4.4.4). */
function unpredict(data: Uint8Array, parms: PdfDict | null): Uint8Array {
  if (!parms) return data;
  const predictor = parms.getNumber("Predictor") ?? 1;
  if (predictor === 1) return data;
  const colors = parms.getNumber("Colors") ?? 1;
  const bpc = parms.getNumber("BitsPerComponent") ?? 8;
  const columns = parms.getNumber("Columns") ?? 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (predictor === 2) {
    if (bpc !== 8) throw new KysoError("PDF_BAD_STREAM", "TIFF predictor with bits per component other than 8 is not supported");
    const out = new Uint8Array(data);
    for (let r = 0; r + rowLen <= out.length; r += rowLen) for (let i = bpp; i < rowLen; i++) out[r + i] = (out[r + i] + out[r + i - bpp]) & 0xff;
    return out;
  }
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  let prev = new Uint8Array(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)];
    const row = data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1));
    const cur = out.subarray(r * rowLen, (r + 1) * rowLen);
    for (let i = 0; i < rowLen; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let v = row[i];
      switch (type) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new KysoError("PDF_BAD_STREAM", `unknown PNG predictor ${type}`);
      }
      cur[i] = v & 0xff;
    }
    prev = cur;
  }
  return out;
}

function asciiHex(data: Uint8Array): Uint8Array {
  const s = Buffer.from(data).toString("latin1").replace(/\s+/g, "");
  const end = s.indexOf(">");
  let hex = end >= 0 ? s.slice(0, end) : s;
  if (/[^0-9a-fA-F]/.test(hex)) throw new KysoError("PDF_BAD_STREAM", "invalid ASCIIHexDecode data");
  if (hex.length % 2) hex += "0";
  return new Uint8Array(Buffer.from(hex, "hex"));
}

function ascii85(data: Uint8Array): Uint8Array {
  const s = Buffer.from(data).toString("latin1").replace(/\s+/g, "").replace(/^<~/, "");
  const end = s.indexOf("~>");
  const body = end >= 0 ? s.slice(0, end) : s;
  const out: number[] = [];
  let group: number[] = [];
  for (const ch of body) {
    if (ch === "z" && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    const v = ch.charCodeAt(0) - 33;
    if (v < 0 || v > 84) throw new KysoError("PDF_BAD_STREAM", "invalid ASCII85Decode data");
    group.push(v);
    if (group.length === 5) {
      let n = 0;
      for (const g of group) n = n * 85 + g;
      out.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
      group = [];
    }
  }
  if (group.length > 1) {
    const k = group.length;
    while (group.length < 5) group.push(84);
    let n = 0;
    for (const g of group) n = n * 85 + g;
    const bytes = [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    out.push(...bytes.slice(0, k - 1));
  }
  return new Uint8Array(out);
}

/** Decodes a stream's raw bytes through its filters. Image codecs (DCT, JPX, CCITT, JBIG2) are left encoded. */
export function decodeStreamData(dict: PdfDict, raw: Uint8Array, maxDecoded = DEFAULT_MAX_DECODED): { data: Uint8Array; complete: boolean } {
  const { filters, parms } = filterNames(dict);
  let data = raw;
  for (let i = 0; i < filters.length; i++) {
    switch (filters[i]) {
      case "FlateDecode":
      case "Fl":
        data = unpredict(inflate(data, maxDecoded), parms[i] ?? null);
        break;
      case "ASCIIHexDecode":
      case "AHx":
        data = asciiHex(data);
        break;
      case "ASCII85Decode":
      case "A85":
        data = ascii85(data);
        break;
      default:
        return { data, complete: false };
    }
    if (data.length > maxDecoded) throw new KysoError("PDF_STREAM_TOO_LARGE", `stream decodes to more than ${maxDecoded} bytes`);
  }
  return { data, complete: true };
}

export function objectKind(o: PdfObject): string {
  if (o === null) return "null";
  return typeof o === "object" ? o.constructor.name : typeof o;
}
