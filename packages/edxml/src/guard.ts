import { KysoError } from "@kyso/core";

/** Bounds on a package before any XML parser sees it. */
export interface EdxmlLimits {
  /** Largest package in bytes (default 64 MB). */
  maxBytes?: number;
  /** Deepest element nesting (default 64; real packages nest about 6 deep). */
  maxDepth?: number;
  /** Most elements (default 100,000). */
  maxElements?: number;
  /** Most attachments (default 200). */
  maxAttachments?: number;
}

export const DEFAULT_LIMITS: Required<EdxmlLimits> = { maxBytes: 64 * 1024 * 1024, maxDepth: 64, maxElements: 100_000, maxAttachments: 200 };

function refuse(code: string, message: string): never {
  throw new KysoError(code, message);
}

/**
 * Decodes the package as UTF-8 and scans its markup once, refusing what no edXML package needs
 * and what makes XML parsers dangerous: any DTD (`<!DOCTYPE`, `<!ENTITY`: external entities,
 * entity expansion), nesting deeper than the bound, too many elements, processing instructions
 * other than the XML declaration, and declared encodings other than UTF-8 (QCVN 102 packages are
 * UTF-8). The scan is linear and recursion-free, so a hostile file cannot exhaust the stack here.
 */
export function guardXml(bytes: Uint8Array, limits: EdxmlLimits = {}): string {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (bytes.length > lim.maxBytes) refuse("EDXML_TOO_LARGE", `The package is ${bytes.length} bytes; at most ${lim.maxBytes} are accepted`);
  if (bytes.length === 0) refuse("EDXML_EMPTY", "The package is empty");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new KysoError("EDXML_ENCODING", "The package is not valid UTF-8", { cause });
  }
  let depth = 0;
  let elements = 0;
  let i = text.indexOf("<");
  while (i >= 0) {
    const c = text.charCodeAt(i + 1);
    if (c === 0x21 /* ! */) {
      if (text.startsWith("<!--", i)) {
        const end = text.indexOf("-->", i + 4);
        if (end < 0) refuse("EDXML_MALFORMED", "Unterminated comment");
        i = text.indexOf("<", end + 3);
        continue;
      }
      if (text.startsWith("<![CDATA[", i)) {
        const end = text.indexOf("]]>", i + 9);
        if (end < 0) refuse("EDXML_MALFORMED", "Unterminated CDATA section");
        i = text.indexOf("<", end + 3);
        continue;
      }
      // <!DOCTYPE, <!ENTITY, <!ELEMENT ...: no DTD of any kind, so no external or expanding entities.
      refuse("EDXML_DTD_REFUSED", "The package declares a DTD or entities (<!DOCTYPE/<!ENTITY>); edXML packages have none and they are refused");
    }
    if (c === 0x3f /* ? */) {
      const end = text.indexOf("?>", i + 2);
      if (end < 0) refuse("EDXML_MALFORMED", "Unterminated processing instruction");
      const pi = text.slice(i + 2, end);
      if (!/^xml\s/.test(pi) || i !== 0) refuse("EDXML_PI_REFUSED", "Processing instructions other than the XML declaration are refused");
      const enc = /encoding\s*=\s*["']([^"']+)["']/.exec(pi);
      if (enc && !/^utf-?8$/i.test(enc[1])) refuse("EDXML_ENCODING", `The package declares encoding ${enc[1]}; edXML packages are UTF-8`);
      i = text.indexOf("<", end + 2);
      continue;
    }
    // An element tag: find its end, skipping quoted attribute values (which may hold '>').
    let j = i + 1;
    let quote = 0;
    for (; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (quote) {
        if (d === quote) quote = 0;
      } else if (d === 0x22 || d === 0x27) quote = d;
      else if (d === 0x3e /* > */) break;
    }
    if (j >= text.length) refuse("EDXML_MALFORMED", "Unterminated tag");
    if (c === 0x2f /* / */) depth--;
    else if (text.charCodeAt(j - 1) !== 0x2f) {
      depth++;
      elements++;
      if (depth > lim.maxDepth) refuse("EDXML_TOO_DEEP", `Elements nest deeper than ${lim.maxDepth} levels`);
    } else elements++;
    if (elements > lim.maxElements) refuse("EDXML_TOO_MANY_ELEMENTS", `The package has more than ${lim.maxElements} elements`);
    i = text.indexOf("<", j + 1);
  }
  return text;
}

/** Strict base64 (RFC 4648 §4) with line breaks and spaces allowed between groups, as senders wrap it. */
export function decodeBase64Strict(text: string, what: string): Uint8Array {
  const s = text.replace(/[\r\n\t ]+/g, "");
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) refuse("EDXML_BAD_BASE64", `${what} is not valid base64`);
  return new Uint8Array(Buffer.from(s, "base64"));
}
