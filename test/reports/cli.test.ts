import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import type { FileReport } from "@kyso/verify";
import { pdfsig, qpdfCheck } from "../support/judges.js";
import { flipByte, runCli, sign, tempDir } from "../verify/support.js";
import {
  MAIN_URI, VERDICT_EN, VERDICT_VI, countColour, parseXml, pdfFonts, pdfInfo, pdfText, readQr, renderPages, sha256File, vrChildren, vrElements,
} from "./support.js";

/** Verification stays offline: --revocation off, so no verdict here may be TOTAL_PASSED by accident of the network. */
function verifyJson(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; reports: FileReport[]; stderr: string } {
  const r = runCli(["verify", ...args, "--trust", pki.root, "--revocation", "off", "--json"], env);
  return { code: r.code, reports: r.stdout.trim() ? (JSON.parse(r.stdout) as FileReport[]) : [], stderr: r.stderr };
}

/** The verdict words, where "HỢP LỆ" must not be the tail of "KHÔNG HỢP LỆ". */
function verdictPattern(indication: string): RegExp {
  return indication === "TOTAL_PASSED" ? /(?<!KHÔNG )HỢP LỆ/ : new RegExp(VERDICT_VI[indication]);
}

/** A serial as CAs print it: upper-case hex pairs. */
function serialAsPrinted(hex: string): string {
  const h = hex.toUpperCase();
  return ((h.length % 2 ? "0" : "") + h).match(/../g)!.join(" ");
}

const GREEN: [number, number, number] = [30, 142, 62];
const RED: [number, number, number] = [217, 48, 37];

describe("kyso verify --report-pdf / --report-xml / --report-seal", function () {
  const dir = tempDir("kyso-reports-");
  let one: string;
  let two: string;
  let tampered: string;

  before(async function () {
    one = await sign(samples.onePage, join(dir, "quyet-dinh.pdf"), "officerRsa", { reason: 'Phê duyệt <b>&"ngay"</b>' });
    two = await sign(one, join(dir, "hai-chu-ky.pdf"), "officerEc");
    tampered = flipByte(one, join(dir, "bi-sua.pdf"), (b) => b.indexOf("/MediaBox"));
  });

  it("prints the signers with diacritics, the verdict in Vietnamese and the document's SHA-256 on an A4 report that qpdf accepts", async function () {
    const out = join(dir, "bao-cao.pdf");
    const { code, reports, stderr } = verifyJson([two, "--report-pdf", out]);
    assert.ok(code === 0 || code === 1, stderr);
    const [report] = reports;
    assert.equal(report.signatures.length, 2);
    const text = (await pdfText(out)).normalize("NFC");
    assert.match(text, /BÁO CÁO KIỂM TRA CHỮ KÝ SỐ/);
    assert.match(text, /Nguyễn Văn An/);
    assert.match(text, /Trần Thị Bình/);
    assert.match(text, /Ủy ban nhân dân tỉnh Phú Yên/);
    // The digest as a tool we did not write computes it, on one printed line.
    assert.equal(report.sha256, sha256File(two));
    assert.ok(text.includes(report.sha256), "the SHA-256 is printed whole");
    for (const [i, s] of report.signatures.entries()) {
      const start = text.indexOf(`Chữ ký ${i + 1}\n`);
      const end = text.indexOf(`Chữ ký ${i + 2}\n`);
      assert.ok(start > 0, `section of signature ${i + 1}`);
      const section = text.slice(start, end > start ? end : undefined);
      assert.match(section, verdictPattern(s.indication), `signature ${i + 1}: ${s.indication} in words`);
      assert.ok(section.includes(serialAsPrinted(s.signer!.serialNumber)), "the certificate serial");
    }
    assert.match(text.slice(text.indexOf("Kết luận chung"), text.indexOf("Chữ ký 1\n")), verdictPattern(report.indication));
    // Vietnam time: the validation time shown at +07:00.
    const vn = new Date(new Date(report.validationTime).getTime() + 7 * 3600_000);
    const p = (n: number): string => String(n).padStart(2, "0");
    assert.ok(text.includes(`${p(vn.getUTCHours())}:${p(vn.getUTCMinutes())}:${p(vn.getUTCSeconds())} ${p(vn.getUTCDate())}/${p(vn.getUTCMonth() + 1)}/${vn.getUTCFullYear()} (+07:00)`));
    assert.match(text, /Tình trạng thu hồi/);
    assert.match(text, /Chứng thư gốc tin cậy Kyso Test Root CA/);
    // Every page has its footer.
    const info = await pdfInfo(out);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    assert.match(info, /Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    for (let i = 1; i <= pages; i++) assert.ok(text.includes(`Trang ${i}/${pages}`), `footer of page ${i}`);
    assert.equal(text.match(/Lập bởi Kyso \d+\.\d+\.\d+/g)?.length, pages);
    const check = await qpdfCheck(out);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    // Fonts embedded (subset) with a ToUnicode map: the text above came back exactly.
    const fonts = await pdfFonts(out);
    assert.ok(fonts.length >= 2);
    for (const f of fonts) assert.ok(f.embedded && f.subset && f.unicode && /^[A-Z]{6}\+/.test(f.name), `${f.name} embedded as a tagged subset with ToUnicode`);
  });

  it("draws a QR code that reads back as the document's SHA-256, and colours the verdict (red for failed, never green unless passed)", async function () {
    const out = join(dir, "bi-sua.report.pdf");
    const { reports } = verifyJson([tampered, "--report-pdf", out]);
    assert.equal(reports[0].indication, "TOTAL_FAILED");
    const [page1] = await renderPages(out, dir, 150);
    assert.equal(readQr(page1), sha256File(tampered));
    assert.ok(countColour(page1, RED) > 200, "a red badge");
    assert.equal(countColour(page1, GREEN), 0, "no green on a failed document's report");
    const text = await pdfText(out);
    assert.match(text, /KHÔNG HỢP LỆ/);
    assert.match(text, /tài liệu đã bị sửa đổi sau khi ký/);
  });

  it("shows green exactly when a verdict is TOTAL_PASSED (revocation from the test PKI's local servers)", async function () {
    const out = join(dir, "truc-tuyen.pdf");
    const r = runCli(["verify", one, "--trust", pki.root, "--revocation", "online", "--json", "--report-pdf", out]);
    const [report] = JSON.parse(r.stdout) as FileReport[];
    const passed = report.indication === "TOTAL_PASSED" || report.signatures.some((s) => s.indication === "TOTAL_PASSED");
    const failed = report.indication === "TOTAL_FAILED" || report.signatures.some((s) => s.indication === "TOTAL_FAILED");
    const [page1] = await renderPages(out, dir, 100);
    assert.equal(countColour(page1, GREEN) > 0, passed, `green iff passed (${report.indication})`);
    assert.equal(countColour(page1, RED) > 0, failed, `red iff failed (${report.indication})`);
    const text = await pdfText(out);
    assert.match(text, /thu hồi: tra cứu trực tuyến/, "the policy names the revocation mode");
    if (report.signatures[0].revocation.status === "good") assert.match(text, /Tình trạng thu hồi chưa bị thu hồi \((OCSP|CRL)/);
  });

  it("reports a revoked signer as revoked in both reports when the OCSP responder says so", async function () {
    const revoked = await sign(samples.onePage, join(dir, "thu-hoi.pdf"), "revoked");
    const pdf = join(dir, "thu-hoi.report.pdf");
    const xml = join(dir, "thu-hoi.report.xml");
    const r = runCli(["verify", revoked, "--trust", pki.root, "--revocation", "online", "--json", "--report-pdf", pdf, "--report-xml", xml]);
    const [report] = JSON.parse(r.stdout) as FileReport[];
    const s = report.signatures[0];
    assert.equal(s.revocation.status, "revoked", "the local OCSP responder knows the revoked key");
    const text = await pdfText(pdf);
    assert.match(text, /Phạm Văn Dũng/);
    assert.match(text, /Tình trạng thu hồi đã bị thu hồi từ \d{2}:\d{2}:\d{2} \d{2}\/\d{2}\/\d{4} \(\+07:00\)/);
    assert.match(text, /lộ khóa bí mật/);
    assert.ok(text.includes(VERDICT_VI[s.indication]));
    const doc = parseXml(readFileSync(xml, "utf8"));
    const info = vrElements(doc, "RevocationStatusInformation")[0];
    assert.ok(info, "RevocationStatusInformation");
    assert.equal(vrElements(info, "RevocationTime")[0].textContent, new Date(s.revocation.revocationTime!).toISOString().replace(/\.\d+Z$/, "Z"));
    assert.equal(vrElements(info, "RevocationReason")[0].textContent, `urn:etsi:019102:revocationReason:${s.revocation.reason}`);
    const status = vrChildren(vrElements(doc, "SignatureValidationReport")[0], "SignatureValidationStatus")[0];
    assert.equal(vrChildren(status, "MainIndication")[0].textContent, MAIN_URI[s.indication]);
  });

  it("writes the report in English with --lang en", async function () {
    const out = join(dir, "report-en.pdf");
    const { reports } = verifyJson([one, "--report-pdf", out, "--lang", "en"]);
    const text = await pdfText(out);
    assert.match(text, /DIGITAL SIGNATURE VALIDATION REPORT/);
    assert.match(text, new RegExp(`Overall verdict\\s+${VERDICT_EN[reports[0].indication]}`));
    assert.match(text, /Page 1\/\d/);
    assert.match(text, /Nguyễn Văn An/);
  });

  it("writes the ETSI TS 119 102-2 report: one SignatureValidationReport per signature, main indications as in the JSON", async function () {
    const out = join(dir, "hai-chu-ky.xml");
    const { reports } = verifyJson([two, "--report-xml", out]);
    const [report] = reports;
    const xml = readFileSync(out, "utf8");
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
    const doc = parseXml(xml);
    const root = doc.documentElement as unknown as import("@xmldom/xmldom").Element;
    assert.equal(root.localName, "ValidationReport");
    assert.equal(root.namespaceURI, "http://uri.etsi.org/19102/v1.2.1#");
    const svrs = vrChildren(root, "SignatureValidationReport");
    assert.equal(svrs.length, report.signatures.length);
    assert.equal(svrs.length, 2);
    const ids = new Set(vrElements(doc, "ValidationObject").map((e) => e.getAttribute("id")));
    svrs.forEach((svr, i) => {
      const s = report.signatures[i];
      const status = vrChildren(svr, "SignatureValidationStatus")[0];
      assert.equal(vrChildren(status, "MainIndication")[0].textContent, MAIN_URI[s.indication]);
      const sub = vrChildren(status, "SubIndication")[0]?.textContent;
      if (s.subIndication && s.subIndication !== "DISALLOWED_MODIFICATION") assert.equal(sub, `urn:etsi:019102:subindication:${s.subIndication}`);
      if (!s.subIndication) assert.equal(sub, undefined);
      assert.equal(vrElements(svr, "DAIdentifier")[0].textContent, s.field);
      assert.equal(vrElements(svr, "Signer")[0].textContent, s.signer?.commonName);
      assert.equal(vrElements(svr, "ValidationTime")[0].textContent, new Date(report.validationTime).toISOString().replace(/\.\d+Z$/, "Z"));
      assert.ok(vrElements(svr, "POETime")[0].textContent);
      assert.equal(vrElements(svr, "ByteRange")[0].textContent, s.byteRange?.join(" "));
      // Every reference resolves to a listed validation object (the signer's certificate by its SHA-256).
      const signerRef = vrElements(svr, "SignerCertificate")[0].getAttribute("VOReference");
      assert.equal(signerRef, `C-${s.signer?.sha256.toUpperCase()}`);
      for (const e of Array.from(svr.getElementsByTagName("*"))) {
        const ref = e.getAttribute("VOReference");
        if (ref) assert.ok(ids.has(ref), `${ref} is listed in SignatureValidationObjects`);
      }
    });
    // The first signature's reason, with markup characters, comes back as text.
    assert.equal(vrElements(svrs[0], "ReasonElement")[0].textContent, 'Phê duyệt <b>&"ngay"</b>');
    // The certificate objects carry the SHA-256 of each certificate (base64 of the digest).
    const leaf = report.signatures[0].signer!;
    const vo = vrElements(doc, "ValidationObject").find((e) => e.getAttribute("id") === `C-${leaf.sha256.toUpperCase()}`)!;
    assert.equal(vrElements(vo, "ObjectType")[0].textContent, "urn:etsi:019102:validationObject:certificate");
    assert.equal(vo.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "DigestValue")[0].textContent, Buffer.from(leaf.sha256, "hex").toString("base64"));
  });

  it("seals the report with --report-seal: pdfsig finds the seal valid and the whole report signed", async function () {
    const out = join(dir, "bao-cao-dong-dau.pdf");
    const r = runCli(["verify", one, "--trust", pki.root, "--revocation", "off", "--report-pdf", out, "--report-seal", "--p12", pki.orgSeal.p12], { KYSO_P12_PASSWORD: "kyso-test" });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const sigs = await pdfsig(out);
    assert.equal(sigs.length, 1);
    assert.equal(sigs[0].field, "KysoReportSeal");
    assert.ok(sigs[0].signatureValid, sigs[0].raw);
    assert.ok(sigs[0].certificateTrusted, sigs[0].raw);
    assert.ok(sigs[0].totalDocument, sigs[0].raw);
    assert.match(sigs[0].raw, /Ủy ban nhân dân tỉnh Phú Yên/);
    assert.equal((await qpdfCheck(out)).code, 0);
    assert.match(await pdfText(out), /Nguyễn Văn An/);
    // Kyso reads its own seal back intact, with the reason of a report.
    const sealed = verifyJson([out]).reports[0];
    assert.equal(sealed.signatures[0].integrity, true);
    assert.equal(sealed.signatures[0].reason, "Báo cáo kiểm tra chữ ký");
    assert.equal(sealed.signatures[0].signer?.commonName, "Ủy ban nhân dân tỉnh Phú Yên");
  });

  it("writes one report per input into a folder for several inputs, each with its own document's digest", async function () {
    const folder = join(dir, "bao-cao", "thang-12");
    const { code, reports } = verifyJson([one, two, samples.onePage, "--report-pdf", folder, "--report-xml", folder]);
    assert.ok(code === 0 || code === 1);
    assert.deepEqual(readdirSync(folder).sort(), [
      "hai-chu-ky.report.pdf", "hai-chu-ky.report.xml", "one-page.report.pdf", "one-page.report.xml", "quyet-dinh.report.pdf", "quyet-dinh.report.xml",
    ]);
    const names = ["quyet-dinh", "hai-chu-ky", "one-page"];
    for (const [i, name] of names.entries()) {
      const text = await pdfText(join(folder, `${name}.report.pdf`));
      assert.ok(text.includes(reports[i].sha256), `${name}: its own SHA-256`);
      const doc = parseXml(readFileSync(join(folder, `${name}.report.xml`), "utf8"));
      assert.equal(vrElements(doc, "SignatureValidationReport").length, reports[i].signatures.length);
    }
    assert.equal(reports[2].indication, "NO_SIGNATURE");
    assert.match(await pdfText(join(folder, "one-page.report.pdf")), /KHÔNG CÓ CHỮ KÝ/);
  });

  it("never writes a report over an input, and refuses two inputs that would share a report", function () {
    const before = sha256File(one);
    const mtime = statSync(one).mtimeMs;
    const r = runCli(["verify", one, "--report-pdf", one, "--revocation", "off"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /would replace the input/);
    assert.equal(sha256File(one), before);
    assert.equal(statSync(one).mtimeMs, mtime);
    // The same file named twice is verified once; two files of the same name in two folders would collide.
    mkdirSync(join(dir, "copy"), { recursive: true });
    copyFileSync(one, join(dir, "copy", basename(one)));
    const same = runCli(["verify", one, join(dir, "copy", basename(one)), "--report-pdf", join(dir, "dup"), "--revocation", "off"]);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /would both write their report/);
    const seal = runCli(["verify", one, "--report-seal", "--p12", pki.orgSeal.p12, "--revocation", "off"]);
    assert.equal(seal.code, 2);
    assert.match(seal.stderr, /--report-seal signs the PDF report: give --report-pdf too/);
  });
});
