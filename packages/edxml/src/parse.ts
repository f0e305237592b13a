import { DOMParser, type Document, type Element } from "@xmldom/xmldom";
import { KysoError } from "@kyso/core";
import { DEFAULT_LIMITS, decodeBase64Strict, guardXml, type EdxmlLimits } from "./guard.js";
import {
  EDXML_NS, EDXML_PREFIX, XMLDSIG_NS,
  type Attachment, type EdxmlWarning, type MessageHeader, type Organization, type OtherInfo, type ParsedEdxml, type SignerInfo, type TraceHeader,
} from "./model.js";

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;

function fail(code: string, message: string): never {
  throw new KysoError(code, message);
}

/** Parses already guarded text with xmldom, turning its errors (and warnings) into EDXML_MALFORMED. */
export function parseXmlDocument(text: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") fail("EDXML_MALFORMED", `The package is not well-formed XML: ${message.split("\n")[0]}`);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, "text/xml");
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw new KysoError("EDXML_MALFORMED", `The package is not well-formed XML: ${(e as Error).message.split("\n")[0]}`, { cause: e });
  }
  if (!doc.documentElement) fail("EDXML_MALFORMED", "The package has no root element");
  return doc;
}

function childElements(e: Element): Element[] {
  const out: Element[] = [];
  for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  return out;
}

function isEdxml(e: Element, local: string): boolean {
  return e.namespaceURI === EDXML_NS && e.localName === local;
}

function children(e: Element, local: string): Element[] {
  return childElements(e).filter((c) => isEdxml(c, local));
}

function child(e: Element, local: string): Element | undefined {
  return childElements(e).find((c) => isEdxml(c, local));
}

function textOf(e: Element): string {
  let s = "";
  for (let n = e.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_NODE) s += (n as unknown as { data: string }).data;
    else if (n.nodeType === ELEMENT_NODE) fail("EDXML_STRUCTURE", `<${e.tagName}> holds text, not elements`);
  }
  return s;
}

/** Text of an optional child, trimmed; undefined when the child is absent. */
function opt(e: Element | undefined, local: string): string | undefined {
  const c = e ? child(e, local) : undefined;
  return c ? textOf(c).trim() : undefined;
}

function req(e: Element, local: string, where: string): string {
  const v = opt(e, local);
  if (v === undefined) fail("EDXML_STRUCTURE", `${where} has no edXML:${local}`);
  return v;
}

/** Copies the defined entries only, so that a parsed value equals one written without them. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const DATE = /^(\d{4})\/(\d{2})\/(\d{2})$/;
const TIME = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function realDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** QCVN 102 dates are `yyyy/MM/dd`. */
export function checkDate(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value === "") return value;
  const m = DATE.exec(value);
  if (!m || !realDate(+m[1], +m[2], +m[3])) fail("EDXML_BAD_DATE", `${what} "${value}" is not a date yyyy/MM/dd`);
  return value;
}

/** Trace times are `yyyy/MM/dd HH:mm:ss`. */
export function checkTime(value: string, what: string): string {
  const m = TIME.exec(value);
  if (!m || !realDate(+m[1], +m[2], +m[3]) || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) fail("EDXML_BAD_DATE", `${what} "${value}" is not a time yyyy/MM/dd HH:mm:ss`);
  return value;
}

function organization(e: Element, where: string): Organization {
  const organId = req(e, "OrganId", where);
  if (organId.length > 35) fail("EDXML_STRUCTURE", `${where} OrganId "${organId}" is longer than 35 characters`);
  return defined({
    organId,
    organizationInCharge: opt(e, "OrganizationInCharge"),
    organName: opt(e, "OrganName"),
    organAdd: opt(e, "OrganAdd"),
    email: opt(e, "Email"),
    telephone: opt(e, "Telephone"),
    fax: opt(e, "Fax"),
    website: opt(e, "Website"),
  });
}

function messageHeader(e: Element): MessageHeader {
  const from = child(e, "From");
  if (!from) fail("EDXML_STRUCTURE", "MessageHeader has no edXML:From");
  const to = children(e, "To").map((t, i) => organization(t, `To #${i + 1}`));
  if (to.length === 0) fail("EDXML_STRUCTURE", "MessageHeader has no edXML:To");
  const code = child(e, "Code");
  const prom = child(e, "PromulgationInfo");
  const type = child(e, "DocumentType");
  const signer = child(e, "SignerInfo");
  const places = child(e, "ToPlaces");
  const other = child(e, "OtherInfo");
  const resp = child(e, "ResponseFor");
  const appendixes = other ? child(other, "Appendixes") : undefined;
  return defined<MessageHeader>({
    from: organization(from, "From"),
    to,
    documentId: opt(e, "DocumentId"),
    code: code ? defined({ codeNumber: opt(code, "CodeNumber"), codeNotation: opt(code, "CodeNotation") }) : undefined,
    promulgationInfo: prom ? defined({ place: opt(prom, "Place"), promulgationDate: checkDate(opt(prom, "PromulgationDate"), "PromulgationDate") }) : undefined,
    documentType: type ? defined({ type: opt(type, "Type"), typeName: opt(type, "TypeName"), typeDetail: opt(type, "TypeDetail") }) : undefined,
    subject: opt(e, "Subject"),
    content: opt(e, "Content"),
    signerInfo: signer ? defined<SignerInfo>({ competence: opt(signer, "Competence"), position: opt(signer, "Position"), fullName: opt(signer, "FullName") }) : undefined,
    dueDate: checkDate(opt(e, "DueDate"), "DueDate"),
    toPlaces: places ? children(places, "Place").map((p) => textOf(p).trim()) : undefined,
    otherInfo: other
      ? defined<OtherInfo>({
          priority: opt(other, "Priority"),
          sphereOfPromulgation: opt(other, "SphereOfPromulgation"),
          typerNotation: opt(other, "TyperNotation"),
          promulgationAmount: opt(other, "PromulgationAmount"),
          pageAmount: opt(other, "PageAmount"),
          appendixes: appendixes ? children(appendixes, "Appendix").map((a) => textOf(a).trim()) : undefined,
        })
      : undefined,
    steeringType: opt(e, "SteeringType"),
    responseFor: resp
      ? defined({ organId: opt(resp, "OrganId"), code: opt(resp, "Code"), promulgationDate: checkDate(opt(resp, "PromulgationDate"), "ResponseFor/PromulgationDate"), documentId: opt(resp, "DocumentId") })
      : undefined,
  });
}

/** The local name and namespace of an XML signature's `Signature` element. */
export function isSignatureElement(e: Element): boolean {
  if (e.localName !== "Signature") return false;
  if (e.namespaceURI === XMLDSIG_NS) return true;
  // The official SDK sample writes `<Signature>` with no prefix and no namespace declaration
  // inside the default-namespace edXML root, so it lands in the edXML namespace (DOMAIN.md): it is
  // still the package's signature when it holds a SignedInfo (XMLDSig §4.1).
  return e.namespaceURI === EDXML_NS && childElements(e).some((c) => c.localName === "SignedInfo");
}

/**
 * What is read is matched by namespace URI and local name, whatever the prefix (Namespaces in
 * XML 1.0 §6): every element outside the XML signature must be in the edXML namespace; one written
 * without the `edXML:` prefix (the SDK sample's default namespace) or with another prefix is read
 * and noted as EDXML_UNPREFIXED, a warning, since national receivers refuse such packages (the
 * prefix rule is what Kyso writes, see write.ts). Elements inside `Signature` are the signature
 * verifier's. Iterative, so depth costs no stack (the guard bounds it anyway).
 */
function checkNamespaces(root: Element): { signatures: number; warnings: EdxmlWarning[] } {
  let signatures = 0;
  let unprefixed = 0;
  const names = new Set<string>();
  const stack: Element[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (isSignatureElement(e)) {
      signatures++;
      continue; // XMLDSig's own content, checked by the signature verifier
    }
    if (e.namespaceURI !== EDXML_NS) fail("EDXML_FOREIGN_ELEMENT", `<${e.tagName}> is not in the edXML namespace ${EDXML_NS}`);
    if (e.prefix !== EDXML_PREFIX) {
      unprefixed++;
      if (names.size < 5) names.add(e.tagName);
    }
    for (const c of childElements(e)) stack.push(c);
  }
  const warnings: EdxmlWarning[] = [];
  if (unprefixed > 0)
    warnings.push({
      code: "EDXML_UNPREFIXED",
      message: `${unprefixed} element(s) of the edXML namespace are not written with the edXML: prefix (e.g. ${[...names].map((n) => `<${n}>`).join(", ")}); they were read by namespace, but national receivers refuse unprefixed packages`,
    });
  return { signatures, warnings };
}

function attachments(container: Element | undefined, maxAttachments: number): { list: Attachment[]; declared: (number | undefined)[] } {
  const list: Attachment[] = [];
  const declared: (number | undefined)[] = [];
  if (!container) return { list, declared };
  const items = children(container, "Attachment");
  if (items.length > maxAttachments) fail("EDXML_TOO_MANY_ATTACHMENTS", `The package has ${items.length} attachments; at most ${maxAttachments} are accepted`);
  const ids = new Set<string>();
  items.forEach((a, i) => {
    const where = `Attachment #${i + 1}`;
    const contentId = req(a, "ContentId", where).replace(/^cid:/, "");
    if (ids.has(contentId)) fail("EDXML_STRUCTURE", `Two attachments have the ContentId "${contentId}"`);
    ids.add(contentId);
    const name = req(a, "AttachmentName", where);
    const data = child(a, "ContentTransferEncoded");
    if (!data) fail("EDXML_STRUCTURE", `${where} (${name}) has no edXML:ContentTransferEncoded`);
    const bytes = decodeBase64Strict(textOf(data), `The content of attachment "${name}"`);
    const sizeText = opt(a, "Size");
    let size: number | undefined;
    if (sizeText !== undefined) {
      if (!/^\d{1,15}$/.test(sizeText)) fail("EDXML_STRUCTURE", `${where} (${name}) has the size "${sizeText}"`);
      size = Number(sizeText);
      if (size !== bytes.length) fail("EDXML_SIZE_MISMATCH", `Attachment "${name}" declares ${size} bytes but holds ${bytes.length}`);
    }
    declared.push(size);
    list.push(defined<Attachment>({ contentId, name, contentType: opt(a, "ContentType") || "application/octet-stream", description: opt(a, "Description"), bytes }));
  });
  return { list, declared };
}

/**
 * Parses an edXML package (QCVN 102:2016). The root is `edXML:edXML` (the envelope and the encoded
 * attachments side by side, as the national SDK writes them) or `edXML:edXMLEnvelope` with
 * `AttachmentEncoded` inside. Throws KysoError (EDXML_*) for anything hostile or malformed; the
 * package verifier turns that into a report.
 */
export function parseEdxml(bytes: Uint8Array, limits: EdxmlLimits = {}): ParsedEdxml {
  const text = guardXml(bytes, limits);
  return parseEdxmlDocument(parseXmlDocument(text), limits);
}

export function parseEdxmlDocument(doc: Document, limits: EdxmlLimits = {}): ParsedEdxml {
  const root = doc.documentElement!;
  const { signatures: signatureCount, warnings } = checkNamespaces(root);
  let envelope: Element | undefined;
  let encoded: Element | undefined;
  if (isEdxml(root, "edXML")) {
    envelope = child(root, "edXMLEnvelope");
    encoded = child(root, "AttachmentEncoded");
  } else if (isEdxml(root, "edXMLEnvelope")) envelope = root;
  if (!envelope) fail("EDXML_STRUCTURE", `The root <${root.tagName}> is neither edXML:edXML nor edXML:edXMLEnvelope`);
  encoded ??= child(envelope, "AttachmentEncoded");
  const header = child(envelope, "edXMLHeader");
  if (!header) fail("EDXML_STRUCTURE", "The envelope has no edXML:edXMLHeader");
  const mh = child(header, "MessageHeader");
  if (!mh) fail("EDXML_STRUCTURE", "The header has no edXML:MessageHeader");
  const traceList = child(header, "TraceHeaderList");
  const traces: TraceHeader[] = traceList
    ? children(traceList, "TraceHeader").map((t, i) => ({ organId: req(t, "OrganId", `TraceHeader #${i + 1}`), timestamp: checkTime(req(t, "Timestamp", `TraceHeader #${i + 1}`), `TraceHeader #${i + 1} Timestamp`) }))
    : [];
  const body = child(envelope, "edXMLBody");
  const manifestEl = body ? (child(body, "edXMLManifest") ?? child(body, "Manifest")) : undefined;
  const manifest = manifestEl ? children(manifestEl, "Reference").map((r) => (opt(r, "ContentId") ?? "").replace(/^cid:/, "")) : [];
  const att = attachments(encoded, limits.maxAttachments ?? DEFAULT_LIMITS.maxAttachments);
  return { header: messageHeader(mh), traces, attachments: att.list, signatureCount, manifest, declaredSizes: att.declared, warnings };
}
