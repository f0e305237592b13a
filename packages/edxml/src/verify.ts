import { createHash } from "node:crypto";
import { KysoError, systemClock, type Clock } from "@kyso/core";
import { guardXml, type EdxmlLimits } from "./guard.js";
import type { Attachment, MessageHeader, ParsedEdxml, TraceHeader } from "./model.js";
import { parseEdxmlDocument, parseXmlDocument } from "./parse.js";
import { bindSender, personalSignerWarning, type SenderBinding, type SenderDirectory } from "./sender.js";
import { checkXmlSignature, type XmlIndication, type XmlSignatureReport } from "./xmldsig.js";

/** What the package verifier needs of a PDF report (the FileReport of @kyso/verify has these). */
export interface AttachmentVerdict {
  indication: string;
  subIndication?: string | null;
  reasons?: string[];
}

/** Verifies one PDF: edxml hands PDFs on and never verifies them itself (ARCHITECTURE.md). */
export type PdfVerifier<R extends AttachmentVerdict> = (input: { bytes: Uint8Array; name: string }) => Promise<R>;

export interface AttachmentReport<R extends AttachmentVerdict = AttachmentVerdict> {
  /** 0-based position in AttachmentEncoded (the `:n` of the inbox API). */
  index: number;
  contentId: string;
  name: string;
  contentType: string;
  description?: string;
  size: number;
  sha256: string;
  kind: "pdf" | "other";
  /** The PDF's verification report; null for other attachments, which are listed with their hash. */
  report: R | null;
}

export interface PackageReport<R extends AttachmentVerdict = AttachmentVerdict> {
  kind: "edxml-package";
  file: string;
  sha256: string;
  size: number;
  /** Passes only if the XML signature and every signed PDF pass. */
  indication: XmlIndication;
  subIndication: string | null;
  reasons: string[];
  header: MessageHeader | null;
  traces: TraceHeader[];
  xmlSignature: XmlSignatureReport | null;
  /**
   * Whether the XML signer is the organization `From` claims to be; a mismatch makes a package
   * whose signature passes INDETERMINATE / SENDER_MISMATCH. Null when the package could not be read.
   */
  senderBinding: SenderBinding | null;
  /**
   * SHA-256 (hex) over the verified SignedInfo references (see XmlSignatureCheck): the same for a
   * re-encoded copy of the package (new bytes, same signed content), so a de-duplication key.
   * Null when the XML signature's digests and value did not verify (then only `sha256` identifies it).
   */
  signedContentDigest: string | null;
  attachments: AttachmentReport<R>[];
  /** Why the package could not be read (hostile or malformed XML), null when it could. */
  error: { code: string; message: string } | null;
  warnings: string[];
  validationTime: string;
}

/**
 * Validates the XML signer's certificate (chain and revocation) with the caller's PKI rules, e.g.
 * @kyso/verify's validateCertificate: this package does not build chains or fetch revocation itself.
 */
export type CertificateValidator = (certificate: Uint8Array, extra: Uint8Array[]) => Promise<{
  trusted: boolean;
  path: string[];
  problems: { code: string; message: string }[];
  revocation: { status: string; message: string; mode?: string };
}>;

export interface VerifyEdxmlOptions<R extends AttachmentVerdict> {
  verifyPdf: PdfVerifier<R>;
  /** Chain and revocation check for the XML signer's certificate (recommended). */
  validateCertificate?: CertificateValidator;
  /** Trust anchors (DER) for the XML signature. */
  trustAnchors?: Uint8Array[];
  /**
   * Who may sign for each sender OrganId (e.g. each unit's seal certificate from `kyso units`).
   * For an OrganId without an entry, the signer certificate's organization (O) must be the `From`
   * OrganName (compared in NFC, case-folded, whitespace collapsed, tone marks placement-free).
   */
  senders?: SenderDirectory;
  clock?: Clock;
  limits?: EdxmlLimits;
  /** PDFs handed to `verifyPdf` at once (default 4), so that a package of many PDFs does not flood a worker pool. */
  concurrency?: number;
  /** Called with each attachment as decoded (0-based index), e.g. to store its bytes beside the report. */
  onAttachment?: (index: number, attachment: Attachment) => void;
}

const RANK: Record<XmlIndication, number> = { TOTAL_PASSED: 0, INDETERMINATE: 1, TOTAL_FAILED: 2 };

export function looksLikePdf(bytes: Uint8Array, contentType: string, name: string): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).toString("latin1");
  return head.includes("%PDF-") || /pdf/i.test(contentType) || /\.pdf$/i.test(name);
}

/** True when the bytes look like XML (an edXML package) rather than a PDF. */
export function looksLikeXml(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x3c /* < */;
}

/**
 * One report for an edXML package: header, XML signature, and every attachment (PDFs verified by
 * the function given, others hashed). A hostile or malformed package is a report with `error` set
 * (INDETERMINATE, FORMAT_FAILURE); this throws only on misuse or bugs.
 */
export async function verifyEdxml<R extends AttachmentVerdict>(input: { bytes: Uint8Array; name: string }, options: VerifyEdxmlOptions<R>): Promise<PackageReport<R>> {
  const now = (options.clock ?? systemClock).now();
  const report: PackageReport<R> = {
    kind: "edxml-package",
    file: input.name,
    sha256: createHash("sha256").update(input.bytes).digest("hex"),
    size: input.bytes.length,
    indication: "INDETERMINATE",
    subIndication: null,
    reasons: [],
    header: null,
    traces: [],
    xmlSignature: null,
    senderBinding: null,
    signedContentDigest: null,
    attachments: [],
    error: null,
    warnings: [],
    validationTime: now.toISOString(),
  };
  let parsed: ParsedEdxml;
  let text: string;
  let doc;
  try {
    text = guardXml(input.bytes, options.limits);
    doc = parseXmlDocument(text);
    parsed = parseEdxmlDocument(doc, options.limits);
  } catch (e) {
    if (!(e instanceof KysoError)) throw e;
    report.subIndication = "FORMAT_FAILURE";
    report.error = { code: e.code, message: e.message };
    report.reasons = [`The package cannot be read: ${e.message}`];
    return report;
  }
  const sig = checkXmlSignature(text, doc, { trustAnchors: options.trustAnchors, clock: options.clock });
  if (options.validateCertificate && sig.report.indication === "TOTAL_PASSED" && sig.certificates.length > 0) {
    const v = await options.validateCertificate(sig.certificates[0], sig.certificates.slice(1));
    const r = sig.report;
    r.chain = { trusted: v.trusted, path: v.path };
    r.revocation = v.revocation;
    const fail = (indication: XmlIndication, sub: string, reason: string): void => {
      r.indication = indication;
      r.subIndication = sub;
      r.reasons = [reason];
    };
    if (v.revocation.status === "revoked") fail("TOTAL_FAILED", "REVOKED", `The XML signer's certificate is revoked: ${v.revocation.message}`);
    else if (!v.trusted) fail("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", v.problems[0]?.message ?? "The XML signer's certificate does not chain to a trusted root");
    else if (v.problems.length > 0) fail("INDETERMINATE", v.problems[0].code, v.problems[0].message);
    else if (v.revocation.status === "unknown") fail("INDETERMINATE", "TRY_LATER", v.revocation.message);
    else if (v.revocation.status === "no-information") r.warnings.push(v.revocation.message);
  }
  report.xmlSignature = sig.report;
  report.signedContentDigest = sig.signedContentDigest;
  report.warnings.push(...parsed.warnings.map((w) => `${w.code}: ${w.message}`), ...sig.report.warnings);
  if (sig.signedXml !== null) {
    // Read the package from what the signature covers (as xml-crypto's parser saw it), so that
    // the header and attachments reported and stored are the signed ones; a package that reads
    // differently to the two parsers is an attack on one of them.
    let signed;
    try {
      signed = parseEdxmlDocument(parseXmlDocument(sig.signedXml), options.limits);
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
    }
    const same = signed && JSON.stringify([signed.header, signed.traces]) === JSON.stringify([parsed.header, parsed.traces]) && signed.attachments.length === parsed.attachments.length &&
      signed.attachments.every((a, i) => a.contentId === parsed.attachments[i].contentId && Buffer.compare(Buffer.from(a.bytes), Buffer.from(parsed.attachments[i].bytes)) === 0);
    if (!signed || !same) {
      report.subIndication = "FORMAT_FAILURE";
      report.indication = "TOTAL_FAILED";
      report.error = { code: "EDXML_AMBIGUOUS", message: "The package reads differently from what its XML signature covers" };
      report.reasons = [report.error.message];
      return report;
    }
    parsed = { ...parsed, header: signed.header, traces: signed.traces, attachments: signed.attachments };
  }
  report.header = parsed.header;
  report.traces = parsed.traces;
  // Sender binding (issue 12), on the signed header: the From organization against the XML signer.
  report.senderBinding = bindSender(parsed.header.from, sig.report.integrity ? sig.certificates[0] : undefined, sig.report.signer, options.senders);
  const personal = personalSignerWarning(report.senderBinding);
  if (personal) report.warnings.push(personal);
  const ids = parsed.attachments.map((a) => a.contentId);
  if (parsed.manifest.length > 0 && (parsed.manifest.length !== ids.length || parsed.manifest.some((m) => !ids.includes(m))))
    report.warnings.push("The manifest does not list exactly the attachments the package holds");

  report.attachments = await mapLimited(
    parsed.attachments,
    Math.max(1, options.concurrency ?? 4),
    async (a, index): Promise<AttachmentReport<R>> => {
      options.onAttachment?.(index, a);
      const pdf = looksLikePdf(a.bytes, a.contentType, a.name);
      const base = {
        index,
        contentId: a.contentId,
        name: a.name,
        contentType: a.contentType,
        ...(a.description !== undefined ? { description: a.description } : {}),
        size: a.bytes.length,
        sha256: createHash("sha256").update(a.bytes).digest("hex"),
      };
      return { ...base, kind: pdf ? "pdf" : "other", report: pdf ? await options.verifyPdf({ bytes: a.bytes, name: a.name }) : null };
    },
  );

  let indication: XmlIndication = report.xmlSignature.indication;
  let sub = report.xmlSignature.subIndication;
  const reasons = report.xmlSignature.reasons.map((r) => `XML signature: ${r}`);
  if (report.senderBinding.status === "mismatch") {
    reasons.push(`Sender: ${report.senderBinding.message}`);
    if (indication === "TOTAL_PASSED") {
      indication = "INDETERMINATE";
      sub = "SENDER_MISMATCH";
    }
  }
  for (const a of report.attachments) {
    const r = a.report;
    if (!r) continue;
    if (r.indication === "NO_SIGNATURE") {
      report.warnings.push(`Attachment "${a.name}" has no signature${r.reasons?.[0] ? ` (${r.reasons[0]})` : ""}`);
      continue;
    }
    const ind = (r.indication in RANK ? r.indication : "INDETERMINATE") as XmlIndication;
    if (ind === "TOTAL_PASSED") continue;
    reasons.push(`Attachment "${a.name}": ${ind}${r.subIndication ? ` (${r.subIndication})` : ""}${r.reasons?.[0] ? `: ${r.reasons[0]}` : ""}`);
    if (RANK[ind] > RANK[indication]) {
      indication = ind;
      sub = r.subIndication ?? null;
    }
  }
  if (parsed.attachments.length === 0) report.warnings.push("The package has no attachments");
  report.indication = indication;
  report.subIndication = indication === "TOTAL_PASSED" ? null : sub;
  report.reasons = reasons;
  return report;
}

/** `Promise.all(items.map(fn))` with at most `limit` calls running, results in order. */
async function mapLimited<T, U>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<U>): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i], i);
    }),
  );
  return out;
}
