import type { Document, Element } from "@xmldom/xmldom";
import { XMLDSIG_NS } from "./model.js";
import { parseXmlDocument } from "./parse.js";

/**
 * The official SDK sample of the national axis writes its `<Signature>` with no prefix and no
 * namespace declaration inside the default-namespace `<edXML xmlns="…QCVN_102_2016">` root, so by
 * Namespaces in XML 1.0 §6.2 the Signature and everything in it are in the edXML namespace, not
 * XMLDSig's. Such an element is not an XML signature to any XMLDSig processor (xml-crypto finds
 * signatures by namespace, and the enveloped-signature transform of XMLDSig §6.6.4 removes only
 * an XMLDSig `Signature`).
 *
 * This gives the same package text with the one declaration that puts the element back where it
 * was evidently meant to be: `xmlns="http://www.w3.org/2000/09/xmldsig#"` on the unprefixed
 * `<Signature>` start tag (its unprefixed descendants follow; descendants that declare a namespace
 * keep it). Nothing outside the Signature changes, and the enveloped-signature transform removes
 * the whole element, so the signed content and its digest are exactly those of the package as
 * received; only SignedInfo is read in the XMLDSig namespace. Line ends are normalised first, as
 * every XML parser does (XML 1.0 §2.11), so positions match xmldom's locator.
 */
export function withXmldsigNamespace(text: string, signature: Element): { text: string; doc: Document } | { problem: string } {
  if (signature.prefix) return { problem: `the element is written <${signature.tagName}> with a prefix of the edXML namespace, and cannot be read as XMLDSig without renaming it` };
  const line = (signature as unknown as { lineNumber?: number }).lineNumber;
  const column = (signature as unknown as { columnNumber?: number }).columnNumber;
  if (!line || !column) return { problem: "the element's position in the package is unknown" };
  const normal = text.replace(/\r\n?/g, "\n");
  let offset = 0;
  for (let l = 1; l < line; l++) {
    offset = normal.indexOf("\n", offset) + 1;
    if (offset === 0) return { problem: "the element's position in the package is unknown" };
  }
  offset += column - 1;
  if (!/^<Signature[\s/>]/.test(normal.slice(offset, offset + 11))) return { problem: "the element's start tag was not found where the parser placed it" };
  // The end of the start tag, skipping quoted attribute values (which may hold '>').
  let end = offset + 10;
  for (let quote = ""; end < normal.length; end++) {
    const c = normal[end];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") break;
  }
  const tag = normal.slice(offset, end);
  const declared = /(\sxmlns\s*=\s*)(["'])[^"']*\2/;
  const fixed = declared.test(tag) ? tag.replace(declared, `$1"${XMLDSIG_NS}"`) : `<Signature xmlns="${XMLDSIG_NS}"${tag.slice(10)}`;
  const out = normal.slice(0, offset) + fixed + normal.slice(end);
  try {
    return { text: out, doc: parseXmlDocument(out) };
  } catch (e) {
    return { problem: `read in the XMLDSig namespace it is not well-formed: ${(e as Error).message}` };
  }
}
