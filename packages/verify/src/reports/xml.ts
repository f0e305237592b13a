import type { CertificateSummary, FileReport, SignatureReport } from "../report.js";

/** Namespace of the validation report, ETSI TS 119 102-2 V1.2.1 (XML schema of annex A). */
export const ETSI_VR_NS = "http://uri.etsi.org/19102/v1.2.1#";
const DS_NS = "http://www.w3.org/2000/09/xmldsig#";
const XADES_NS = "http://uri.etsi.org/01903/v1.3.2#";
const SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256";

/** TS 119 102-2 §4.3.4.2: main status indications of a signature's validation report. */
const MAIN_INDICATION = {
  TOTAL_PASSED: "urn:etsi:019102:mainindication:total-passed",
  TOTAL_FAILED: "urn:etsi:019102:mainindication:total-failed",
  INDETERMINATE: "urn:etsi:019102:mainindication:indeterminate",
} as const;
const SUB_INDICATION_PREFIX = "urn:etsi:019102:subindication:";
/** TS 119 102-2 §4.4.4: validation object types. */
const OBJECT_TYPE = {
  certificate: "urn:etsi:019102:validationObject:certificate",
  signedData: "urn:etsi:019102:validationObject:signedData",
  CRL: "urn:etsi:019102:validationObject:CRL",
  OCSPResponse: "urn:etsi:019102:validationObject:OCSPResponse",
};
/** Kyso's own identifiers where TS 119 102-2 leaves the vocabulary open (§4.3.5, §4.3.12.7). */
const KYSO_MODIFICATION_CONSTRAINT = "urn:kyso:constraint:pdf-modifications";
const KYSO_REASON = "urn:kyso:reportdata:reason";
const KYSO_WARNING = "urn:kyso:reportdata:warning";

export interface ReportXmlOptions {
  /** Readable name of the validation policy applied (TS 119 102-2 §4.3.5.2 PolicyName). */
  policy?: string;
}

/** Escapes text and attribute values; drops characters XML 1.0 §2.2 does not allow. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A tiny writer of indented, escaped XML. */
class Xml {
  private readonly out: string[] = [];
  private depth = 0;

  open(name: string, attrs: Record<string, string | undefined> = {}): this {
    this.out.push(`${"  ".repeat(this.depth)}<${name}${attributes(attrs)}>`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.out.push(`${"  ".repeat(this.depth)}</${name}>`);
    return this;
  }

  leaf(name: string, value: string | undefined | null, attrs: Record<string, string | undefined> = {}): this {
    if (value === undefined || value === null) return this;
    this.out.push(`${"  ".repeat(this.depth)}<${name}${attributes(attrs)}>${xmlEscape(value)}</${name}>`);
    return this;
  }

  empty(name: string, attrs: Record<string, string | undefined>): this {
    this.out.push(`${"  ".repeat(this.depth)}<${name}${attributes(attrs)}/>`);
    return this;
  }

  toString(): string {
    return this.out.join("\n");
  }
}

function attributes(attrs: Record<string, string | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(v as string)}"`)
    .join("");
}

/** xs:dateTime in UTC without milliseconds. */
function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function hexToBase64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

/** Id of a certificate's validation object: its SHA-256, so the same certificate is listed once. */
function certId(c: CertificateSummary): string {
  return `C-${c.sha256.toUpperCase()}`;
}

/** An xs:ID from arbitrary text (field names may hold spaces or start with a digit). */
function ncName(prefix: string, s: string): string {
  return `${prefix}${s.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}

function digestAlgAndValue(x: Xml, sha256Hex: string): void {
  x.open("DigestAlgAndValue").empty("ds:DigestMethod", { Algorithm: SHA256_URI }).leaf("ds:DigestValue", hexToBase64(sha256Hex)).close("DigestAlgAndValue");
}

/**
 * EN 319 102-1 has no sub-indication for a PDF changed after signing in a way its DocMDP/FieldMDP
 * rules forbid; the closest is SIG_CONSTRAINTS_FAILURE (the signature's constraints are not met),
 * with the failed constraint itself named in ValidationConstraintsEvaluationReport.
 */
function subIndicationUri(sub: SignatureReport["subIndication"]): string | undefined {
  if (!sub) return undefined;
  return SUB_INDICATION_PREFIX + (sub === "DISALLOWED_MODIFICATION" ? "SIG_CONSTRAINTS_FAILURE" : sub);
}

function signatureReport(x: Xml, s: SignatureReport, index: number, file: FileReport, opts: ReportXmlOptions): void {
  x.open("SignatureValidationReport");
  // §4.3.2 SignatureIdentifier: the report carries no signature value, so the signature is named by
  // its PDF field (DAIdentifier) and its /ByteRange below in SignatureAttributes.
  x.open("SignatureIdentifier", { id: ncName(`S-${index + 1}-`, s.field) })
    .leaf("HashOnly", "false")
    .leaf("DocHashOnly", "false")
    .leaf("DAIdentifier", s.field)
    .close("SignatureIdentifier");

  // §4.3.5: the validation policy and the one constraint Kyso adds to EN 319 102-1, the PDF
  // modification rules (ISO 32000-1 §12.8.2.2 DocMDP, §12.8.2.4 FieldMDP).
  x.open("ValidationConstraintsEvaluationReport");
  if (opts.policy) {
    x.open("SignatureValidationPolicy")
      .open("SignaturePolicyIdentifier")
      .empty("xades:SignaturePolicyImplied", {})
      .close("SignaturePolicyIdentifier")
      .leaf("PolicyName", opts.policy)
      .close("SignatureValidationPolicy");
  }
  x.open("ValidationConstraint")
    .leaf("ValidationConstraintIdentifier", KYSO_MODIFICATION_CONSTRAINT)
    .open("ConstraintStatus")
    .leaf("Status", "urn:etsi:019102:constraintStatus:applied")
    .close("ConstraintStatus")
    .open("ValidationStatus")
    .leaf("MainIndication", s.modifications.allowed ? "urn:etsi:019102:mainindication:passed" : "urn:etsi:019102:mainindication:failed")
    .close("ValidationStatus")
    .close("ValidationConstraint")
    .close("ValidationConstraintsEvaluationReport");

  // §4.3.6: validation time and the best signature time (a valid timestamp, else the validation time).
  const poe = s.timestamp?.valid ? s.timestamp.time : file.validationTime;
  x.open("ValidationTimeInfo")
    .leaf("ValidationTime", dateTime(file.validationTime))
    .open("BestSignatureTime")
    .leaf("POETime", dateTime(poe))
    .leaf("TypeOfProof", "urn:etsi:019102:poetype:validation")
    .close("BestSignatureTime")
    .close("ValidationTimeInfo");

  // §4.3.7: the signer's document, known by digest when the signature covers the whole file.
  if (s.coverage === "ENTIRE_FILE") {
    x.open("SignersDocument");
    digestAlgAndValue(x, file.sha256);
    x.empty("SignersDocumentRepresentation", { VOReference: `D-${file.sha256.toUpperCase()}` }).close("SignersDocument");
  }

  // §4.3.8: signature attributes as the PDF signature dictionary and CMS state them.
  const attributes = s.claimedTime || s.timestamp || s.reason || s.subFilter || s.byteRange;
  if (attributes) x.open("SignatureAttributes");
  if (s.claimedTime) x.open("SigningTime", { Signed: "true" }).leaf("Time", dateTime(s.claimedTime)).close("SigningTime");
  if (s.timestamp) x.open("SignatureTimeStamp", { Signed: "false" }).leaf("TimeStampValue", dateTime(s.timestamp.time)).close("SignatureTimeStamp");
  if (s.reason) x.open("Reason", { Signed: "true" }).leaf("ReasonElement", s.reason).close("Reason");
  if (s.subFilter) x.open("SubFilter", { Signed: "true" }).leaf("SubFilterElement", s.subFilter).close("SubFilter");
  if (s.byteRange) x.leaf("ByteRange", s.byteRange.join(" "), { Signed: "true" });
  if (attributes) x.close("SignatureAttributes");

  // §4.3.9: the signer (for a document timestamp, the TSA).
  if (s.signer) {
    x.open("SignerInformation")
      .empty("SignerCertificate", { VOReference: certId(s.signer) })
      .leaf("Signer", s.signer.commonName ?? s.signer.subject)
      .close("SignerInformation");
  }

  // §4.3.11: the process applied: with time when a valid timestamp gave the best signature time.
  x.open("SignatureValidationProcess")
    .leaf("SignatureValidationProcessID", s.timestamp?.valid ? "urn:etsi:019102:validationprocess:LTVM" : "urn:etsi:019102:validationprocess:Basic")
    .close("SignatureValidationProcess");

  // §4.3.4: the status, with the chain, revocation and readable reasons as associated data (§4.3.12).
  x.open("SignatureValidationStatus").leaf("MainIndication", MAIN_INDICATION[s.indication]);
  const sub = subIndicationUri(s.subIndication);
  if (sub) x.leaf("SubIndication", sub);
  x.open("AssociatedValidationReportData");
  const path = s.chain.path;
  if (s.chain.trusted && path.length > 0) x.empty("TrustAnchor", { VOReference: certId(path[path.length - 1]) });
  if (path.length > 0) {
    x.open("CertificateChain").empty("SigningCertificate", { VOReference: certId(path[0]) });
    const last = s.chain.trusted ? path.length - 1 : path.length;
    for (const c of path.slice(1, last)) x.empty("IntermediateCertificate", { VOReference: certId(c) });
    if (s.chain.trusted && path.length > 1) x.empty("TrustAnchor", { VOReference: certId(path[path.length - 1]) });
    x.close("CertificateChain");
  }
  if (s.revocation.status === "revoked" && s.signer) {
    x.open("RevocationStatusInformation")
      .empty("ValidationObjectId", { VOReference: certId(s.signer) })
      .leaf("RevocationTime", dateTime(s.revocation.revocationTime ?? file.validationTime))
      .leaf("RevocationReason", s.revocation.reason ? `urn:etsi:019102:revocationReason:${s.revocation.reason}` : undefined);
    const vo = revocationObjectId(s);
    if (vo) x.empty("RevocationObject", { VOReference: vo });
    x.close("RevocationStatusInformation");
  }
  if (s.reasons.length || s.warnings.length) {
    x.open("AdditionalValidationReportData");
    for (const r of s.reasons) x.open("ReportData").leaf("Type", KYSO_REASON).leaf("Value", r).close("ReportData");
    for (const w of s.warnings) x.open("ReportData").leaf("Type", KYSO_WARNING).leaf("Value", w).close("ReportData");
    x.close("AdditionalValidationReportData");
  }
  x.close("AssociatedValidationReportData").close("SignatureValidationStatus").close("SignatureValidationReport");
}

/** A fetched OCSP response or CRL is named by its URL (the report carries no digest of it). */
function revocationObjectId(s: SignatureReport): string | undefined {
  const o = s.revocation.origin;
  if (!o || !/^https?:/i.test(o) || !s.revocation.source) return undefined;
  return ncName("R-", `${s.revocation.source}-${o}`);
}

/**
 * The ETSI TS 119 102-2 validation report of one verified file: one SignatureValidationReport per
 * signature and the validation objects used (certificates by SHA-256, the document by its digest,
 * fetched revocation data by URL). A file without signatures gets a report without any
 * SignatureValidationReport: the schema's minOccurs=1 cannot be met truthfully.
 */
export function renderReportXml(report: FileReport, opts: ReportXmlOptions = {}): string {
  const x = new Xml();
  x.open("ValidationReport", { xmlns: ETSI_VR_NS, "xmlns:ds": DS_NS, "xmlns:xades": XADES_NS });
  report.signatures.forEach((s, i) => signatureReport(x, s, i, report, opts));

  // §4.4: every certificate once, the document, and fetched revocation data.
  const certs = new Map<string, CertificateSummary>();
  for (const s of report.signatures) {
    if (s.signer) certs.set(certId(s.signer), s.signer);
    for (const c of s.chain.path) certs.set(certId(c), c);
  }
  x.open("SignatureValidationObjects");
  x.open("ValidationObject", { id: `D-${report.sha256.toUpperCase()}` }).leaf("ObjectType", OBJECT_TYPE.signedData).open("ValidationObjectRepresentation");
  digestAlgAndValue(x, report.sha256);
  x.close("ValidationObjectRepresentation").close("ValidationObject");
  for (const [id, c] of certs) {
    x.open("ValidationObject", { id }).leaf("ObjectType", OBJECT_TYPE.certificate).open("ValidationObjectRepresentation");
    const der = (c as CertificateSummary & { der?: string }).der;
    if (der) x.leaf("base64", der);
    else digestAlgAndValue(x, c.sha256);
    x.close("ValidationObjectRepresentation").close("ValidationObject");
  }
  const seen = new Set<string>();
  for (const s of report.signatures) {
    const id = revocationObjectId(s);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    x.open("ValidationObject", { id })
      .leaf("ObjectType", s.revocation.source === "ocsp" ? OBJECT_TYPE.OCSPResponse : OBJECT_TYPE.CRL)
      .open("ValidationObjectRepresentation")
      .leaf("URI", s.revocation.origin as string)
      .close("ValidationObjectRepresentation")
      .close("ValidationObject");
  }
  x.close("SignatureValidationObjects");
  x.close("ValidationReport");
  return `<?xml version="1.0" encoding="UTF-8"?>\n${x.toString()}\n`;
}
