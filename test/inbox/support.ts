/** Shared helpers of the inbox tests: packages from the test PKI, posting them, a served instance. */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { header, pdfAttachment, pkg, signedPackage, signedPdfs } from "../edxml/support.js";

export interface Packages {
  dir: string;
  /** Two signed one-page PDFs and a valid XML signature. */
  good: string;
  /** The XML signature is valid, but one PDF was changed after it was signed. */
  tampered: string;
  pdf: string;
}

export async function makePackages(dir: string): Promise<Packages> {
  const p = await signedPdfs(dir);
  const good = join(dir, "7816-VPCP-TTDT.edxml");
  const tampered = join(dir, "7817-VPCP-TTDT.edxml");
  signedPackage(pkg(header(7816, "V/v cung cấp thông tin cho Cổng Thông tin điện tử Chính phủ"), [pdfAttachment(p.a, "quyet-dinh.pdf"), pdfAttachment(p.b, "phụ lục.pdf")]), good);
  signedPackage(pkg(header(215, "V/v kiểm tra công tác văn thư", "000.00.12.H46", "Sở Tư pháp tỉnh Phú Yên"), [pdfAttachment(p.a, "quyet-dinh.pdf"), pdfAttachment(p.tampered, "bi-sua.pdf")]), tampered);
  return { dir, good, tampered, pdf: p.b };
}

/** Posts a package as a machine would: with the served instance's API key (`Authorization: Bearer`). */
export async function post(srv: { url: string; auth: Record<string, string> }, file: string, type = "application/xml"): Promise<{ status: number; body: { id: number; indication: string; duplicate: boolean; subIndication?: string | null } }> {
  const res = await fetch(`${srv.url}/api/v1/inbox`, { method: "POST", headers: { ...srv.auth, "content-type": type }, body: readFileSync(file) });
  return { status: res.status, body: (await res.json()) as never };
}
