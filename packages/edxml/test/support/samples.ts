import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { EdxmlPackage, MessageHeader } from "../../src/index.js";

/** The generated test PKI (certs-test/out, made by `pnpm certs`). */
export const pkiDir = fileURLToPath(new URL("../../../../certs-test/out/pki/", import.meta.url));

export function pkiText(name: string): string {
  const path = join(pkiDir, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: generate the test PKI with "pnpm certs"`);
  return readFileSync(path, "utf8");
}

/** The organization seal's key and certificate chain, as a sender's XML signing key. */
export function orgSealKey(algorithm?: "rsa-sha256" | "rsa-sha1") {
  return { privateKeyPem: pkiText("org-seal.key.pem"), certificatesPem: pkiText("org-seal.pem") + pkiText("intermediate.pem"), ...(algorithm ? { algorithm } : {}) };
}

/** The organization seal's own organization (its certificate has O = this name). */
export const SEAL_ORGAN = { organId: "000.00.00.H46", organName: "Ủy ban nhân dân tỉnh Phú Yên" };

/**
 * A header shaped like the public samples of the axis, from the organization whose seal signs the
 * test packages (Ủy ban nhân dân tỉnh Phú Yên) to the Government Office, so that the XML signer is
 * the organization the package claims to come from (sender binding).
 */
export const sampleHeader: MessageHeader = {
  from: {
    ...SEAL_ORGAN,
    organizationInCharge: "Ủy ban nhân dân tỉnh Phú Yên",
    organAdd: "Số 8 Trần Hưng Đạo, Tuy Hòa, Phú Yên",
    email: "ubnd@phuyen.gov.vn",
    telephone: "0257.3842230",
    website: "phuyen.gov.vn",
  },
  to: [
    { organId: "000.00.00.G22", organName: "Văn phòng Chính phủ" },
    { organId: "000.00.12.H46", organName: "Sở Tư pháp tỉnh Phú Yên" },
  ],
  documentId: "000.00.00.H46,2015/09/30,7816/UBND-VP",
  code: { codeNumber: "7816", codeNotation: "UBND-VP" },
  promulgationInfo: { place: "Tuy Hòa", promulgationDate: "2015/09/30" },
  documentType: { type: "1", typeName: "Công văn" },
  subject: "V/v cung cấp thông tin cho Cổng Thông tin điện tử Chính phủ",
  content: "Đề nghị các cơ quan cung cấp thông tin <đúng hạn> & đầy đủ",
  signerInfo: { competence: "TM. ỦY BAN NHÂN DÂN", position: "CHỦ TỊCH", fullName: "Nguyễn Văn An" },
  dueDate: "2015/10/15",
  toPlaces: ["Như trên", "Lưu: VT, VP"],
  otherInfo: { priority: "0", sphereOfPromulgation: "Liên thông văn bản quốc gia", typerNotation: "TVC", promulgationAmount: "1", pageAmount: "2", appendixes: ["Phụ lục I"] },
  steeringType: "0",
};

export function samplePackage(attachments: EdxmlPackage["attachments"]): EdxmlPackage {
  return { header: sampleHeader, traces: [{ organId: SEAL_ORGAN.organId, timestamp: "2015/09/30 10:15:00" }], attachments };
}
