import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from "./objects.js";

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} in a PDF`);
  if (Number.isInteger(n)) return String(n);
  // PDF has no exponent notation (ISO 32000-1 §7.3.3).
  return n.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
}

function formatName(v: string): string {
  let out = "/";
  for (const b of Buffer.from(v, "latin1")) {
    const regular = b > 0x20 && b < 0x7f && !"()<>[]{}/%#".includes(String.fromCharCode(b));
    out += regular ? String.fromCharCode(b) : `#${b.toString(16).padStart(2, "0")}`;
  }
  return out;
}

function formatString(s: PdfString): string {
  if (s.hex) return `<${Buffer.from(s.bytes).toString("hex")}>`;
  let out = "(";
  for (const b of s.bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return `${out})`;
}

/** Serializes an object (not a stream) as PDF syntax; the result is ASCII. */
export function serializeObject(o: PdfObject): string {
  if (o === null) return "null";
  if (typeof o === "boolean") return o ? "true" : "false";
  if (typeof o === "number") return formatNumber(o);
  if (o instanceof PdfName) return formatName(o.value);
  if (o instanceof PdfRef) return `${o.num} ${o.gen} R`;
  if (o instanceof PdfString) return formatString(o);
  if (o instanceof PdfArray) return `[${o.items.map(serializeObject).join(" ")}]`;
  if (o instanceof PdfDict) {
    let out = "<<";
    for (const [k, v] of o.entries) out += `${formatName(k)} ${serializeObject(v)}`;
    return `${out}>>`;
  }
  if (o instanceof PdfStream) throw new Error("streams are written with serializeIndirect");
  throw new Error("unknown PDF object");
}

/** "N G obj ... endobj" bytes for an object or a stream whose data is in memory. */
export function serializeIndirect(ref: PdfRef, o: PdfObject): Uint8Array {
  if (o instanceof PdfStream) {
    const data = o.raw ?? new Uint8Array(0);
    const dict = new PdfDict(o.dict.entries).set("Length", data.length);
    return Buffer.concat([
      Buffer.from(`${ref.num} ${ref.gen} obj\n${serializeObject(dict)}\nstream\n`, "latin1"),
      data,
      Buffer.from("\nendstream\nendobj\n", "latin1"),
    ]);
  }
  return Buffer.from(`${ref.num} ${ref.gen} obj\n${serializeObject(o)}\nendobj\n`, "latin1");
}
