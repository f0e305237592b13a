import { DOMParser, type Document } from "@xmldom/xmldom";
import { KysoError } from "@kyso/core";

/** The largest trusted list read (the EU's largest national lists are a few MB). */
export const MAX_TSL_BYTES = 32 * 1024 * 1024;

/**
 * Refuses what no trusted list needs and what makes XML parsers dangerous: any DTD (`<!DOCTYPE`,
 * `<!ENTITY`, so no external or expanding entities), processing instructions other than the XML
 * declaration, and more than {@link MAX_TSL_BYTES}. Comments and CDATA sections are skipped over.
 */
export function guardTslText(text: string): void {
  if (text.length > MAX_TSL_BYTES) throw new KysoError("TSL_TOO_LARGE", `The trusted list is larger than ${MAX_TSL_BYTES} bytes`, { details: { params: { max: MAX_TSL_BYTES } } });
  let i = text.indexOf("<");
  while (i >= 0) {
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) throw new KysoError("TSL_MALFORMED", "The trusted list has an unterminated comment", { details: { params: {}, form: "comment" } });
      i = text.indexOf("<", end + 3);
      continue;
    }
    if (text.startsWith("<![CDATA[", i)) {
      const end = text.indexOf("]]>", i + 9);
      if (end < 0) throw new KysoError("TSL_MALFORMED", "The trusted list has an unterminated CDATA section", { details: { params: {}, form: "cdata" } });
      i = text.indexOf("<", end + 3);
      continue;
    }
    if (text.startsWith("<!", i)) throw new KysoError("TSL_DTD_REFUSED", "The trusted list declares a DTD or entities (<!DOCTYPE/<!ENTITY>); they are refused", { details: { params: {} } });
    if (text.startsWith("<?", i) && !(i === 0 && /^<\?xml\s/.test(text.slice(0, 6))))
      throw new KysoError("TSL_MALFORMED", "Processing instructions other than the XML declaration are refused in a trusted list", { details: { params: {}, form: "processingInstruction" } });
    i = text.indexOf("<", i + 1);
  }
}

/** Parses guarded text; any xmldom error (not a warning) is TSL_MALFORMED. */
export function parseTslDocument(text: string): Document {
  guardTslText(text);
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") throw new KysoError("TSL_MALFORMED", `The trusted list is not well-formed XML: ${message.split("\n")[0]}`, { details: { params: { detail: message.split("\n")[0] }, form: "xml" } });
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, "text/xml");
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw new KysoError("TSL_MALFORMED", `The trusted list is not well-formed XML: ${(e as Error).message.split("\n")[0]}`, { cause: e, details: { params: { detail: (e as Error).message.split("\n")[0] }, form: "xml" } });
  }
  if (!doc.documentElement) throw new KysoError("TSL_MALFORMED", "The trusted list has no root element", { details: { params: {}, form: "noRoot" } });
  return doc;
}
