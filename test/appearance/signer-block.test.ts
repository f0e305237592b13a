// Issue 13, "appearances that respect the page": the default personal placement finds the signer
// block (title, blank space, printed name) and signs in the blank space only; stamps keep 10 mm off
// every page edge; the title may have several lines. Judged by poppler: pdftoppm renders the page
// before and after signing, pdftotext reads the text, pdfsig checks the signature.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pki, p12Password, samples } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { signPdfFile } from "@kyso/sign";
import { fixedClock, type RawSigner } from "@kyso/core";
import { PdfReader, pageInfo } from "@kyso/pdf";
import { DisplayedPage, appearanceHook, earlierSignatures, findSignerBlock, isTitleLine, type AppearanceOptions, type Box } from "@kyso/appearance";
import { pdfsig } from "../support/judges.js";
import { changedOutside, countIn, isBlue, isRed, pageText, pixelBox, renderPage, type Raster } from "./render.js";

const work = mkdtempSync(join(tmpdir(), "kyso-signer-block-"));
const clock = fixedClock(new Date("2025-01-15T02:30:00Z"));
const MARGIN = (10 * 72) / 25.4;
let officer: RawSigner;
let seal: RawSigner;

async function sign(input: string, name: string, signer: RawSigner, o: AppearanceOptions): Promise<string> {
  const output = join(work, `${name}.pdf`);
  await signPdfFile(input, output, signer, { clock, appearance: appearanceHook(o) });
  const sigs = await pdfsig(output);
  assert.ok(sigs.length > 0 && sigs.every((s) => s.signatureValid), `pdfsig: ${sigs.map((s) => s.raw).join("\n")}`);
  return output;
}

function lastBox(file: string): { pageIndex: number; box: Box; page: DisplayedPage } {
  const reader = PdfReader.fromBytes(readFileSync(file));
  try {
    const sig = earlierSignatures(reader).pop();
    assert.ok(sig?.rect && sig.pageIndex !== undefined, "the newest signature has a visible widget");
    const page = new DisplayedPage(pageInfo(reader, sig.pageIndex));
    return { pageIndex: sig.pageIndex, box: page.boxFor(sig.rect), page };
  } finally {
    reader.close();
  }
}

const count = (text: string, s: string): number => text.split(s).length - 1;

/** Every pixel that was ink on the unsigned page is unchanged: the appearance paints only where the page was blank. */
function inkUntouched(before: Raster, after: Raster): void {
  let ink = 0;
  let touched = 0;
  for (let i = 0; i < before.width * before.height; i++) {
    const o = 4 * i;
    // Ink, anti-aliased edges included: anything visibly darker than white paper.
    if (before.data[o] + before.data[o + 1] + before.data[o + 2] >= 600) continue;
    ink++;
    const d = Math.abs(before.data[o] - after.data[o]) + Math.abs(before.data[o + 1] - after.data[o + 1]) + Math.abs(before.data[o + 2] - after.data[o + 2]);
    if (d > 30) touched++;
  }
  assert.ok(ink > 5000, `the page has text (${ink} inked pixels)`);
  assert.equal(touched, 0, `${touched} pixels of the page's text were painted over`);
}

describe("appearances that respect the page (issue 13)", function () {
  this.timeout(120_000);

  before(async () => {
    officer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    seal = await Pkcs12Signer.open(pki.orgSeal.p12, p12Password);
  });

  it("title lines are recognised; body text is not", () => {
    for (const t of ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN", "TL. BỘ TRƯỞNG", "CHỦ TỊCH"]) assert.ok(isTitleLine(t), t);
    for (const t of ["Nguyễn Văn An", "QUYẾT ĐỊNH:", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Theo đề nghị của Giám đốc Sở", "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN"]) assert.ok(!isTitleLine(t), t);
    const line = (text: string, y: number, x = 370) => ({ text, box: { x, y, w: 100, h: 20 } });
    const block = findSignerBlock([line("CHỦ TỊCH ỦY BAN NHÂN DÂN", 600), line("KT. CHỦ TỊCH", 250), line("PHÓ CHỦ TỊCH", 230), line("Nơi nhận:", 250, 72), line("Nguyen Van An", 126)], "Nguyễn Văn An");
    assert.equal(block?.title.text, "PHÓ CHỦ TỊCH", "the lowest title line");
    assert.equal(block?.below?.text, "Nguyen Van An");
    assert.ok(block?.nameMatches, "the printed name matches without regard to case or diacritics");
  });

  it("personal by default on the Vietnamese sample: between title and printed name, no text pixel changed, the name not repeated", async () => {
    const out = await sign(samples.vietnamese, "personal-default", officer, { kind: "personal" });
    const { pageIndex, box, page } = lastBox(out);
    assert.equal(pageIndex, 0);
    const before = await renderPage(samples.vietnamese, 1);
    const after = await renderPage(out, 1);
    inkUntouched(before, after);
    assert.equal(changedOutside(before, after, pixelBox(box, page.height)), 0, "nothing drawn outside the box");
    assert.ok(countIn(after, pixelBox(box, page.height), isBlue) > 300, "the blue signature image is drawn");
    // Between "PHÓ CHỦ TỊCH" (its baseline at y ≈ 234) and "Nguyễn Văn An" (its top at y ≈ 141).
    assert.ok(box.y > 141 && box.y + box.h < 234, `the box between title and name: ${JSON.stringify(box)}`);
    assert.ok(box.x < 420 && box.x + box.w > 420, "centred under the title");
    const text = await pageText(out, 1);
    assert.equal(count(text, "Nguyễn Văn An"), count(await pageText(samples.vietnamese, 1), "Nguyễn Văn An"), "pdftotext finds the printed name once, not a second copy");
  });

  it("without a signer block on the page the personal signature keeps its place with the name (one-page sample)", async () => {
    const out = await sign(samples.onePage, "personal-noblock", officer, { kind: "personal", name: "Trần Thị Bình" });
    const { box, page } = lastBox(out);
    assert.ok(box.x > page.width / 2 && box.y < page.height / 3, `lower right: ${JSON.stringify(box)}`);
    assert.equal(count(await pageText(out, 1), "Trần Thị Bình"), 1);
  });

  it("a title of two lines: both lines drawn above the image", async () => {
    const rect = { x: 330, y: 300, w: 180, h: 110 };
    const out = await sign(samples.onePage, "personal-title2", officer, { kind: "personal", rect, title: "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", name: "Lê Văn Cường" });
    const lines = (await pageText(out, 1)).split("\n").map((l) => l.trim());
    const a = lines.indexOf("KT. GIÁM ĐỐC");
    assert.ok(a >= 0 && lines[a + 1] === "PHÓ GIÁM ĐỐC", `two title lines, in order:\n${lines.join("\n")}`);
    const img = await renderPage(out, 1);
    const strip = (y: number, h: number) => pixelBox({ x: rect.x, y, w: rect.w, h }, 842);
    assert.equal(countIn(img, strip(rect.y + rect.h - 26, 26), isBlue), 0, "no signature ink over the two title lines");
    assert.ok(countIn(img, strip(rect.y + 14, rect.h - 40), isBlue) > 200, "the image between title and name");
  });

  it("incoming by default on the Vietnamese sample: in the blank space under the number and code, no text pixel changed", async () => {
    const out = await sign(samples.vietnamese, "incoming-blank", seal, { kind: "incoming", arrivalNo: "1250" });
    const { box, page } = lastBox(out);
    const before = await renderPage(samples.vietnamese, 1);
    const after = await renderPage(out, 1);
    inkUntouched(before, after);
    assert.ok(countIn(after, pixelBox(box, page.height), isRed) > 300, "the red stamp is drawn");
    // pdftotext -bbox: "Số: 123/QĐ-UBND" ends at y = 747.2 (x 98..202), "Về việc ..." starts at y = 694.5.
    assert.ok(box.y + box.h < 747.2 && box.y > 694.5 && box.x < 98, `under the number and code: ${JSON.stringify(box)}`);
  });

  const stamps: [string, AppearanceOptions, string][] = [
    ["incoming", { kind: "incoming", arrivalNo: "7" }, samples.vietnamese],
    ["attachment", { kind: "attachment", docCode: "123/QĐ-UBND" }, samples.onePage],
    ["copy", { kind: "copy", copyForm: "SAO Y" }, samples.onePage],
  ];
  for (const [name, o, input] of stamps) {
    it(`${name}: at least 10 mm from every page edge`, async () => {
      const out = await sign(input, `margin-${name}`, seal, o);
      const { box, page } = lastBox(out);
      for (const [edge, d] of [
        ["left", box.x],
        ["bottom", box.y],
        ["right", page.width - box.x - box.w],
        ["top", page.height - box.y - box.h],
      ] as const)
        assert.ok(d >= MARGIN - 0.001, `${edge} edge ${d.toFixed(2)} pt away (< 28.35)`);
    });
  }

  it("organization placed near a page edge is moved inside the 10 mm margin", async () => {
    const personal = await sign(samples.onePage, "edge-personal", officer, { kind: "personal", rect: { x: 0, y: 0, w: 170, h: 80 } });
    const out = await sign(personal, "edge-org", seal, { kind: "organization" });
    const { box } = lastBox(out);
    assert.ok(box.x >= MARGIN - 0.001 && box.y >= MARGIN - 0.001, `seal box ${JSON.stringify(box)}`);
  });
});
