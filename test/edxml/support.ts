/** Shared helpers of the edXML and inbox tests: packages built with Kyso's writer from the test PKI. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import { buildEdxml, signEdxml, type Attachment, type EdxmlPackage, type MessageHeader, type XmlSignatureAlgorithm } from "@kyso/edxml";
import { sign } from "../verify/support.js";

/** The organization seal as the sender's XML signing key (its chain in KeyInfo). */
export function orgSealKey(algorithm?: XmlSignatureAlgorithm) {
  return { privateKeyPem: readFileSync(pki.orgSeal.key, "utf8"), certificatesPem: readFileSync(pki.orgSeal.cert, "utf8") + readFileSync(pki.intermediate, "utf8"), ...(algorithm ? { algorithm } : {}) };
}

/** A header like the axis's public samples: Văn phòng Chính phủ to the province of Phú Yên. */
export function header(n = 7816, subject = "V/v cung cấp thông tin cho Cổng Thông tin điện tử Chính phủ", fromId = "000.00.00.G22", fromName = "Văn phòng Chính phủ"): MessageHeader {
  return {
    from: { organId: fromId, organizationInCharge: fromName, organName: fromName },
    to: [{ organId: "000.00.00.H46", organName: "Ủy ban nhân dân tỉnh Phú Yên" }],
    documentId: `${fromId},2015/09/30,${n}/VPCP-TTĐT`,
    code: { codeNumber: String(n), codeNotation: "VPCP-TTĐT" },
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

/** Builds and signs a package; writes it when `out` is given. */
export function signedPackage(p: EdxmlPackage, out?: string, algorithm?: XmlSignatureAlgorithm): string {
  const xml = signEdxml(buildEdxml(p), orgSealKey(algorithm));
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
