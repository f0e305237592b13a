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

/** A header shaped like the public samples of the axis (Văn phòng Chính phủ to a province). */
export const sampleHeader: MessageHeader = {
  from: {
    organId: "000.00.00.G22",
    organizationInCharge: "Văn phòng Chính phủ",
    organName: "Cổng Thông tin điện tử Chính phủ",
    organAdd: "16 Lê Hồng Phong, Ba Đình, Hà Nội",
    email: "thongtinchinhphu@chinhphu.vn",
    telephone: "080.43162",
    website: "chinhphu.vn",
  },
  to: [
    { organId: "000.00.00.H46", organName: "Ủy ban nhân dân tỉnh Phú Yên" },
    { organId: "000.00.12.H46", organName: "Sở Tư pháp tỉnh Phú Yên" },
  ],
  documentId: "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
  code: { codeNumber: "7816", codeNotation: "VPCP-TTĐT" },
  promulgationInfo: { place: "Hà Nội", promulgationDate: "2015/09/30" },
  documentType: { type: "1", typeName: "Công văn" },
  subject: "V/v cung cấp thông tin cho Cổng Thông tin điện tử Chính phủ",
  content: "Đề nghị các cơ quan cung cấp thông tin <đúng hạn> & đầy đủ",
  signerInfo: { competence: "KT. BỘ TRƯỞNG, CHỦ NHIỆM", position: "PHÓ CHỦ NHIỆM", fullName: "Nguyễn Văn An" },
  dueDate: "2015/10/15",
  toPlaces: ["Như trên", "Lưu: VT, TTĐT"],
  otherInfo: { priority: "0", sphereOfPromulgation: "Liên thông văn bản quốc gia", typerNotation: "TVC", promulgationAmount: "1", pageAmount: "2", appendixes: ["Phụ lục I"] },
  steeringType: "0",
};

export function samplePackage(attachments: EdxmlPackage["attachments"]): EdxmlPackage {
  return { header: sampleHeader, traces: [{ organId: "000.00.00.G22", timestamp: "2015/09/30 10:15:00" }], attachments };
}
