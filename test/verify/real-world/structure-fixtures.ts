/**
 * Structural real-world cases (issue 11): /ByteRange values other tools write or attackers choose,
 * and a trailer-only incremental update that swaps the document for other objects already present
 * in the signed revision. The CMS is openssl's in every case.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nssSignerDb, pki } from "@kyso/certs-test";
import { setByteRange } from "./container.js";
import { buildSigned, officer, opensslSign, type Fixture } from "./fixtures.js";

const sign = (r: string): Uint8Array => opensslSign(r, officer, ["-md", "sha256", "-certfile", officer.chain]);

/**
 * The last /ByteRange length points 100 bytes past the end of the file (same file, room for the
 * digits in the placeholder). The CMS signs the bytes that exist, as a lenient hasher would read them.
 */
export function byteRangePastEof(dir: string): Promise<Fixture> {
  return buildSigned(dir, "byterange-past-eof", sign, { tweak: (c) => setByteRange(c, [0, c.byteRange[1], c.byteRange[2], c.byteRange[3] + 100]) });
}

/** A good signed PDF cut 40 bytes short: its /ByteRange now ends past the end of the file. */
export function byteRangeTruncated(dir: string, good: Fixture): Fixture {
  const file = join(dir, "byterange-past-eof-truncated.pdf");
  const b = readFileSync(good.file);
  writeFileSync(file, b.subarray(0, b.length - 40));
  return { ...good, name: "byterange-past-eof-truncated", file };
}

/** The second range starts 100 bytes before the first ends, inside the signed dictionary, so it also covers /Contents. */
export function byteRangeOverlap(dir: string): Promise<Fixture> {
  return buildSigned(dir, "byterange-overlap", sign, {
    tweak: (c) => {
      const [, a] = c.byteRange;
      setByteRange(c, [0, a, a - 100, c.bytes.length - (a - 100)]);
    },
  });
}

/**
 * The first range stops 40 bytes before /Contents: those 40 bytes (part of the signature dictionary)
 * are outside the signature as well as /Contents. The CMS is valid over the ranges as declared.
 */
export function byteRangeGap(dir: string): Promise<Fixture> {
  return buildSigned(dir, "byterange-gap", sign, {
    tweak: (c) => {
      const [, a, d, e] = c.byteRange;
      setByteRange(c, [0, a - 40, d, e]);
    },
  });
}

/**
 * An unsigned base PDF (ISO 32000-1 §7.5) with a second, unused catalog and page tree: catalog 1
 * shows "So tien: 100 VND", catalog 6 "So tien: 999 000 000 VND". Both share the AcroForm (9 0 R),
 * so a signature added to the document is listed from either catalog.
 */
export function twoCatalogPdf(file: string): string {
  const content = (text: string): string => `BT /F1 24 Tf 72 750 Td (${text}) Tj ET`;
  const c1 = content("So tien: 100 VND");
  const c2 = content("So tien: 999 000 000 VND");
  const page = (parent: number, contents: number): string =>
    `<< /Type /Page /Parent ${parent} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents ${contents} 0 R >>`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R /AcroForm 9 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    page(2, 5),
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    `<< /Length ${c1.length} >>\nstream\n${c1}\nendstream`,
    "<< /Type /Catalog /Pages 7 0 R /AcroForm 9 0 R >>",
    "<< /Type /Pages /Kids [8 0 R] /Count 1 >>",
    page(7, 10),
    "<< /Fields [] >>",
    `<< /Length ${c2.length} >>\nstream\n${c2}\nendstream`,
  ];
  let out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  writeFileSync(file, Buffer.from(out, "latin1"));
  return file;
}

/**
 * An incremental update made only of a cross-reference section and a trailer (ISO 32000-1 §7.5.6):
 * no object is written; the trailer's /Root names `root`.
 */
export function trailerOnlyUpdate(signed: Buffer, root: string): Buffer {
  const text = signed.toString("latin1");
  const prev = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
  const sizes = [...text.matchAll(/\/Size\s+(\d+)/g)];
  if (!prev || sizes.length === 0) throw new Error("no trailer to extend");
  const sep = signed[signed.length - 1] === 0x0a ? "" : "\n";
  const xrefAt = signed.length + sep.length;
  const size = sizes[sizes.length - 1][1];
  const update = `${sep}xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size ${size} /Root ${root} /Prev ${prev[1]} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([signed, Buffer.from(update, "latin1")]);
}

export interface HideAndReplace {
  /** The signed two-catalog PDF (one revision signed, nothing after). */
  signed: Fixture;
  /** Trailer-only update pointing /Root at the other catalog (6 0 R). */
  attack: Fixture;
  /** Trailer-only update keeping /Root 1 0 R: the same document, a control. */
  noop: Fixture;
}

/**
 * The two-catalog PDF signed, then the two trailer-only updates. `by`: the signature is openssl's CMS
 * in Kyso's placeholder, or made whole by poppler (`pdfsig -add-signature` with the officer's key in
 * certs-test's NSS signer database): then no Kyso code touches the signed file at all.
 */
export async function hideAndReplace(dir: string, by: "openssl" | "pdfsig" = "openssl"): Promise<HideAndReplace> {
  const suffix = by === "pdfsig" ? "-pdfsig" : "";
  const base = twoCatalogPdf(join(dir, `two-catalogs${suffix}.pdf`));
  let signed: Fixture;
  if (by === "openssl") signed = await buildSigned(dir, "two-catalogs-signed", sign, { input: base });
  else {
    const file = join(dir, "two-catalogs-signed-pdfsig.pdf");
    execFileSync("pdfsig", ["-nssdir", `sql:${nssSignerDb}`, "-add-signature", "-new-signature-field-name", "PopplerSig", "-nick", "officer-rsa", "-digest", "SHA256", base, file], { stdio: "pipe" });
    signed = { name: "two-catalogs-signed-pdfsig", file, ranges: "", cms: "", attached: false, caFile: pki.root };
  }
  const bytes = readFileSync(signed.file);
  const attackFile = join(dir, `trailer-only-hide-and-replace${suffix}.pdf`);
  writeFileSync(attackFile, trailerOnlyUpdate(bytes, "6 0 R"));
  const noopFile = join(dir, `trailer-only-no-op${suffix}.pdf`);
  writeFileSync(noopFile, trailerOnlyUpdate(bytes, "1 0 R"));
  return {
    signed,
    attack: { ...signed, name: `trailer-only-hide-and-replace${suffix}`, file: attackFile },
    noop: { ...signed, name: `trailer-only-no-op${suffix}`, file: noopFile },
  };
}
