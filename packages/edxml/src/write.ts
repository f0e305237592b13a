import { EDXML_NS, XLINK_NS, type Attachment, type EdxmlPackage, type MessageHeader, type Organization } from "./model.js";

/** XML character escaping for text and attribute values (XML 1.0 §2.4). */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;")).replace(/\r/g, "&#13;");
}

class Out {
  readonly parts: string[] = [];
  constructor(private depth = 0) {}
  open(name: string, attrs = ""): void {
    this.parts.push(`${"  ".repeat(this.depth++)}<edXML:${name}${attrs}>\n`);
  }
  close(name: string): void {
    this.parts.push(`${"  ".repeat(--this.depth)}</edXML:${name}>\n`);
  }
  leaf(name: string, value: string | undefined): void {
    if (value === undefined) return;
    this.parts.push(`${"  ".repeat(this.depth)}<edXML:${name}>${escapeXml(value)}</edXML:${name}>\n`);
  }
  group(name: string, present: unknown, body: () => void): void {
    if (present === undefined) return;
    this.open(name);
    body();
    this.close(name);
  }
}

function organization(o: Out, tag: string, org: Organization): void {
  o.open(tag);
  o.leaf("OrganId", org.organId);
  o.leaf("OrganizationInCharge", org.organizationInCharge);
  o.leaf("OrganName", org.organName);
  o.leaf("OrganAdd", org.organAdd);
  o.leaf("Email", org.email);
  o.leaf("Telephone", org.telephone);
  o.leaf("Fax", org.fax);
  o.leaf("Website", org.website);
  o.close(tag);
}

function messageHeader(o: Out, h: MessageHeader): void {
  o.open("MessageHeader");
  organization(o, "From", h.from);
  for (const t of h.to) organization(o, "To", t);
  o.leaf("DocumentId", h.documentId);
  o.group("Code", h.code, () => {
    o.leaf("CodeNumber", h.code!.codeNumber);
    o.leaf("CodeNotation", h.code!.codeNotation);
  });
  o.group("PromulgationInfo", h.promulgationInfo, () => {
    o.leaf("Place", h.promulgationInfo!.place);
    o.leaf("PromulgationDate", h.promulgationInfo!.promulgationDate);
  });
  o.group("DocumentType", h.documentType, () => {
    o.leaf("Type", h.documentType!.type);
    o.leaf("TypeName", h.documentType!.typeName);
    o.leaf("TypeDetail", h.documentType!.typeDetail);
  });
  o.leaf("Subject", h.subject);
  o.leaf("Content", h.content);
  o.group("SignerInfo", h.signerInfo, () => {
    o.leaf("Competence", h.signerInfo!.competence);
    o.leaf("Position", h.signerInfo!.position);
    o.leaf("FullName", h.signerInfo!.fullName);
  });
  o.leaf("DueDate", h.dueDate);
  o.group("ToPlaces", h.toPlaces, () => h.toPlaces!.forEach((p) => o.leaf("Place", p)));
  o.group("OtherInfo", h.otherInfo, () => {
    const x = h.otherInfo!;
    o.leaf("Priority", x.priority);
    o.leaf("SphereOfPromulgation", x.sphereOfPromulgation);
    o.leaf("TyperNotation", x.typerNotation);
    o.leaf("PromulgationAmount", x.promulgationAmount);
    o.leaf("PageAmount", x.pageAmount);
    o.group("Appendixes", x.appendixes, () => x.appendixes!.forEach((a) => o.leaf("Appendix", a)));
  });
  o.leaf("SteeringType", h.steeringType);
  o.group("ResponseFor", h.responseFor, () => {
    const r = h.responseFor!;
    o.leaf("OrganId", r.organId);
    o.leaf("Code", r.code);
    o.leaf("PromulgationDate", r.promulgationDate);
    o.leaf("DocumentId", r.documentId);
  });
  o.close("MessageHeader");
}

function attachment(o: Out, a: Attachment): void {
  o.open("Attachment");
  o.leaf("ContentId", a.contentId);
  o.leaf("AttachmentName", a.name);
  o.leaf("ContentType", a.contentType);
  o.leaf("Description", a.description);
  o.leaf("Size", String(a.bytes.length));
  // The bytes unchanged, base64 on one line (RFC 4648 §4).
  o.parts.push(`${"  ".repeat(3)}<edXML:ContentTransferEncoded>${Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength).toString("base64")}</edXML:ContentTransferEncoded>\n`);
  o.close("Attachment");
}

/**
 * Writes an edXML package (QCVN 102:2016) with every element prefixed `edXML:`: the root
 * `edXML:edXML` holds the envelope (header, trace list, manifest) and `AttachmentEncoded`, as the
 * national SDK lays it out. The result is unsigned: {@link signEdxml} adds the XML signature.
 * `parseEdxml(buildEdxml(p))` gives back `p`.
 */
export function buildEdxml(pkg: EdxmlPackage): string {
  const o = new Out();
  o.parts.push(`<?xml version="1.0" encoding="UTF-8"?>\n`);
  o.open("edXML", ` xmlns:edXML="${EDXML_NS}" xmlns:xlink="${XLINK_NS}"`);
  o.open("edXMLEnvelope");
  o.open("edXMLHeader");
  messageHeader(o, pkg.header);
  o.open("TraceHeaderList");
  for (const t of pkg.traces) {
    o.open("TraceHeader");
    o.leaf("OrganId", t.organId);
    o.leaf("Timestamp", t.timestamp);
    o.close("TraceHeader");
  }
  o.close("TraceHeaderList");
  o.close("edXMLHeader");
  o.open("edXMLBody");
  o.open("edXMLManifest", ` version="1.0"`);
  for (const a of pkg.attachments) {
    o.open("Reference", ` xlink:href="cid:${escapeXml(a.contentId)}" xlink:type="simple"`);
    o.leaf("ContentId", `cid:${a.contentId}`);
    o.leaf("AttachmentName", a.name);
    o.leaf("ContentType", a.contentType);
    o.leaf("Description", a.description);
    o.close("Reference");
  }
  o.close("edXMLManifest");
  o.close("edXMLBody");
  o.close("edXMLEnvelope");
  o.open("AttachmentEncoded");
  for (const a of pkg.attachments) attachment(o, a);
  o.close("AttachmentEncoded");
  o.close("edXML");
  return o.parts.join("");
}
