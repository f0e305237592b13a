/** Shared helpers of the edXML and inbox tests: packages built with Kyso's writer from the test PKI. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import { buildEdxml, signEdxml, type Attachment, type EdxmlPackage, type MessageHeader, type XmlSignatureAlgorithm, type XmlSigningKey } from "@kyso/edxml";
import { sign } from "../verify/support.js";

/** The organization seal as the sender's XML signing key (its chain in KeyInfo). */
export function orgSealKey(algorithm?: XmlSignatureAlgorithm) {
  return signingKey("orgSeal", algorithm);
}

/** A leaf of the test PKI as an XML signing key, e.g. `officerRsa` (a person's certificate). */
export function signingKey(leaf: "orgSeal" | "officerRsa" | "revoked", algorithm?: XmlSignatureAlgorithm) {
  return { privateKeyPem: readFileSync(pki[leaf].key, "utf8"), certificatesPem: readFileSync(pki[leaf].cert, "utf8") + readFileSync(pki.intermediate, "utf8"), ...(algorithm ? { algorithm } : {}) };
}

/** The organization the test PKI's seal certificate belongs to (O = its name): the honest sender. */
export const SEAL_ORGAN = { organId: "000.00.00.H46", organName: "Ủy ban nhân dân tỉnh Phú Yên" };
/** The Government Office on the axis. */
export const GOVERNMENT_OFFICE = { organId: "000.00.00.G22", organName: "Văn phòng Chính phủ" };

/**
 * A header like the axis's public samples. By default it comes from the organization whose seal
 * signs the test packages (Ủy ban nhân dân tỉnh Phú Yên) and goes to the Government Office, so a
 * package signed with {@link orgSealKey} binds to its sender (issue 12); other senders are for
 * packages that claim to be someone they are not.
 */
export function header(n = 7816, subject = "V/v cung cấp thông tin cho Cổng Thông tin điện tử Chính phủ", fromId = SEAL_ORGAN.organId, fromName = SEAL_ORGAN.organName): MessageHeader {
  const notation = "VPCP-TTĐT"; // test data: the notation of the public sample, whoever sends
  const to = fromId === GOVERNMENT_OFFICE.organId ? SEAL_ORGAN : GOVERNMENT_OFFICE;
  return {
    from: { organId: fromId, organizationInCharge: fromName, organName: fromName },
    to: [{ ...to }],
    documentId: `${fromId},2015/09/30,${n}/${notation}`,
    code: { codeNumber: String(n), codeNotation: notation },
    promulgationInfo: { place: "Hà Nội", promulgationDate: "2015/09/30" },
    documentType: { type: "1", typeName: "Công văn" },
    subject,
    signerInfo: { competence: "KT. BỘ TRƯỞNG, CHỦ NHIỆM", position: "PHÓ CHỦ NHIỆM", fullName: "Nguyễn Văn An" },
    dueDate: "2015/10/15",
    steeringType: "0",
  };
}

export function pdfAttachment(file: string, name: string): Attachment {
  return { contentId: name.replace(/\W+/g, "-"), name, contentType: "application/pdf", bytes: new Uint8Array(readFileSync(file)) };
}

export function pkg(h: MessageHeader, attachments: Attachment[]): EdxmlPackage {
  return { header: h, traces: [{ organId: h.from.organId, timestamp: "2015/09/30 10:15:00" }], attachments };
}

/** Builds and signs a package (with the organization seal unless another key is given); writes it when `out` is given. */
export function signedPackage(p: EdxmlPackage, out?: string, algorithm?: XmlSignatureAlgorithm, key: XmlSigningKey = orgSealKey(algorithm)): string {
  const xml = signEdxml(buildEdxml(p), key);
  if (out) writeFileSync(out, xml);
  return xml;
}

/** Two one-page PDFs signed by the officer, and a copy of the first with one byte flipped inside the signed range. */
export async function signedPdfs(dir: string): Promise<{ a: string; b: string; tampered: string }> {
  const a = await sign(samples.onePage, join(dir, "quyet-dinh.pdf"), "officerRsa");
  const b = await sign(samples.onePage, join(dir, "phu-luc.pdf"), "officerRsa");
  const bytes = Buffer.from(readFileSync(a));
  bytes[bytes.indexOf("/MediaBox")] ^= 0x01;
  const tampered = join(dir, "bi-sua.pdf");
  writeFileSync(tampered, bytes);
  return { a, b, tampered };
}
