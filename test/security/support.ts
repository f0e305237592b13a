/** Hostile inputs of the security tests, built here rather than stored. */
import { writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";

/**
 * A one-page PDF with one signature field whose /Contents is a hex string of `hexDigits` digits,
 * exactly the uncovered gap of its /ByteRange (so only its size is wrong, not its place).
 */
export function hugeContentsPdf(hexDigits: number): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const push = (b: Buffer | string): void => {
    const buf = typeof b === "string" ? Buffer.from(b, "latin1") : b;
    parts.push(buf);
    size += buf.length;
  };
  const obj = (n: number, body: string): void => {
    offsets[n] = size;
    push(`${n} 0 obj\n${body}\nendobj\n`);
  };
  push("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
  obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>");
  obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>");
  obj(4, "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /T (Signature1) /V 5 0 R /P 3 0 R /F 132 >>");
  offsets[5] = size;
  const head = "5 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:20260101000000Z) /ByteRange [";
  const placeholder = " ".repeat(36);
  const la = size + head.length + placeholder.length + "] /Contents ".length;
  const b = la + hexDigits + 2;
  const tail = Buffer.from(" >>\nendobj\n", "latin1");
  const xrefAt = b + tail.length;
  const xref = ["xref", "0 6", "0000000000 65535 f ", ...[1, 2, 3, 4, 5].map((n) => `${String(offsets[n]).padStart(10, "0")} 00000 n `), "trailer", "<< /Size 6 /Root 1 0 R >>", "startxref", String(xrefAt), "%%EOF", ""].join("\n");
  const end = xrefAt + Buffer.byteLength(xref, "latin1");
  const br = `0 ${la} ${b} ${end - b}`.padEnd(placeholder.length, " ");
  push(head + br + "] /Contents ");
  const hex = Buffer.alloc(hexDigits + 2, "0".charCodeAt(0));
  hex[0] = 0x3c;
  hex.write("3082", 1, "latin1");
  hex[hex.length - 1] = 0x3e;
  push(hex);
  push(tail);
  push(xref);
  const out = Buffer.concat(parts);
  if (out.length !== end) throw new Error(`layout: ${out.length} != ${end}`);
  return out;
}

export function writeHugeContentsPdf(path: string, hexDigits: number): string {
  writeFileSync(path, hugeContentsPdf(hexDigits));
  return path;
}

/** A raw HTTP/1.1 exchange on a TCP socket, for what fetch cannot do (slow or partial bodies). */
export interface RawExchange {
  socket: Socket;
  /** Everything the server sent so far. */
  received: () => string;
  /** Resolves when the server closed the connection, with the milliseconds since `open`. */
  closed: Promise<number>;
}

export function openRaw(url: string, head: string): Promise<RawExchange> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = connect({ host: u.hostname, port: Number(u.port) }, () => {
      socket.write(head);
      resolve({ socket, received: () => data, closed });
    });
    let data = "";
    socket.on("data", (c) => (data += c.toString("latin1")));
    // EPIPE/ECONNRESET while still writing are how a closed connection shows up here.
    socket.on("error", () => undefined);
    const closed = new Promise<number>((done) => socket.once("close", () => done(performance.now() - t0)));
    socket.once("error", reject);
  });
}

/** An edXML package (unsigned) padded with `elements` extra elements, to make parsing slow. */
export function heavyPackage(xml: string, elements: number): string {
  const end = xml.lastIndexOf("</");
  const pad = `<p:Pad xmlns:p="urn:kyso:test:pad">${"<p:i>kyso-pad-0123456789abc</p:i>".repeat(elements)}</p:Pad>`;
  return xml.slice(0, end) + pad + xml.slice(end);
}
