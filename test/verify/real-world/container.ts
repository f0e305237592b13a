/**
 * A PDF with an empty signature placeholder that a tool we did not write (openssl) signs: Kyso's
 * preparation is used only as the container (/ByteRange + zero-filled /Contents, ISO 32000-1
 * §12.8.1); the CMS put into it comes from elsewhere.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { PdfReader, prepareSignature } from "@kyso/pdf";

export type ContainerSubFilter = "adbe.pkcs7.detached" | "adbe.pkcs7.sha1" | "ETSI.CAdES.detached";

export interface Container {
  /** The whole output file: the input, then the update with the placeholder. */
  bytes: Buffer;
  byteRange: [number, number, number, number];
  /** Offset of the '<' that opens /Contents. */
  contentsAt: number;
  /** Bytes available for the DER (the hex string is twice as long). */
  contentsLength: number;
}

/** `input` with a new invisible signature field whose /Contents is `contentsLength` zero bytes. */
export function prepareContainer(input: string, subFilter: ContainerSubFilter = "adbe.pkcs7.detached", contentsLength = 16_384): Container {
  const reader = PdfReader.openFile(input);
  let prepared;
  try {
    // Kyso writes only the SubFilters it signs with; adbe.pkcs7.sha1 is patched in below.
    prepared = prepareSignature(reader, { subFilter: subFilter === "ETSI.CAdES.detached" ? subFilter : "adbe.pkcs7.detached", contentsLength });
  } finally {
    reader.close();
  }
  const original = readFileSync(input);
  if (original.length !== prepared.inputLength) throw new Error(`${input} changed while it was being prepared`);
  const update = Buffer.from(prepared.update);
  if (subFilter === "adbe.pkcs7.sha1") {
    // Same length (spaces after the name), so no offset in the update moves.
    const from = "/SubFilter /adbe.pkcs7.detached";
    const at = update.indexOf(from, 0, "latin1");
    if (at < 0) throw new Error("SubFilter not found in the placeholder");
    update.write("/SubFilter /adbe.pkcs7.sha1".padEnd(from.length, " "), at, "latin1");
  }
  const bytes = Buffer.concat([original, update]);
  return { bytes, byteRange: [...prepared.byteRange], contentsAt: prepared.byteRange[1], contentsLength };
}

/** The bytes the /ByteRange names, concatenated (ranges past the end of the file are cut at the end). */
export function signedBytes(c: Container): Buffer {
  const [a, b, d, e] = c.byteRange;
  const clamp = (x: number): number => Math.max(0, Math.min(c.bytes.length, x));
  return Buffer.concat([c.bytes.subarray(clamp(a), clamp(a + b)), c.bytes.subarray(clamp(d), clamp(d + e))]);
}

/**
 * Rewrites the /ByteRange array in place. Kyso's placeholder leaves room for 12-digit numbers, so
 * any four numbers fit without moving a byte of the file.
 */
export function setByteRange(c: Container, br: [number, number, number, number]): void {
  const head = c.bytes.lastIndexOf("/ByteRange", c.contentsAt, "latin1");
  const open = c.bytes.indexOf("[", head, "latin1");
  const close = c.bytes.indexOf("]", open, "latin1");
  const text = `[${br.join(" ")}`;
  if (head < 0 || open < 0 || close < 0 || text.length > close - open) throw new Error("no room for that /ByteRange");
  c.bytes.write(text.padEnd(close - open, " "), open, "latin1");
  c.byteRange = br;
}

/** Writes the DER signature into /Contents as hex, zero-padded (ISO 32000-1 §12.8.1). */
export function embedCms(c: Container, der: Uint8Array): void {
  if (der.length > c.contentsLength) throw new Error(`CMS of ${der.length} bytes does not fit ${c.contentsLength}`);
  c.bytes.write(Buffer.from(der).toString("hex"), c.contentsAt + 1, "latin1");
}

export function writeContainer(c: Container, file: string): string {
  writeFileSync(file, c.bytes);
  return file;
}
