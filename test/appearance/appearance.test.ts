// Issue 6 acceptance: visible signatures per Decree 30/2020/NĐ-CP. Every output is judged by
// poppler: pdfsig (all signatures valid), pdftotext (the exact Vietnamese text on the right page)
// and pdftoppm (colours inside the box, nothing changed outside it, golden images).
// Regenerate the golden images: KYSO_UPDATE_GOLDEN=1 node_modules/.bin/mocha --no-config --node-option import=tsx --timeout 120000 test/appearance/appearance.test.ts
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pki, p12Password, samples } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { signPdfFile } from "@kyso/sign";
import { fixedClock, isKysoError, type RawSigner } from "@kyso/core";
import { IncrementalWriter, PdfArray, PdfReader, pageInfo } from "@kyso/pdf";
import { DisplayedPage, appearanceHook, earlierSignatures, type AppearanceOptions, type Box } from "@kyso/appearance";
import { isPrefix, pdfsig, tool } from "../support/judges.js";
import { changedInside, changedOutside, compareGolden, countIn, crop, isBlue, isDark, isRed, pageText, pixelBox, renderPage, type Raster } from "./render.js";

const work = mkdtempSync(join(tmpdir(), "kyso-appearance-"));
// 09:30:00 in Vietnam (UTC+7); the appearances show it, so golden images need it frozen.
const clock = fixedClock(new Date("2025-01-15T02:30:00Z"));
const ISO = "2025-01-15T09:30:00+07:00";
let officer: RawSigner;
let seal: RawSigner;

async function sign(input: string, name: string, signer: RawSigner, o: AppearanceOptions): Promise<string> {
  const output = join(work, `${name}.pdf`);
  await signPdfFile(input, output, signer, { clock, appearance: appearanceHook(o) });
  return output;
}

/** The newest signature's box, in displayed coordinates of its page. */
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

async function allValid(file: string, count: number): Promise<void> {
  const sigs = await pdfsig(file);
  assert.equal(sigs.length, count, `pdfsig sees ${sigs.length} signatures`);
  for (const s of sigs) assert.ok(s.signatureValid, `pdfsig: ${s.field} not valid:\n${s.raw}`);
  assert.ok(sigs[count - 1].totalDocument, "the newest signature covers the whole document");
}

/** Renders before and after; checks that only the box changed and returns the new render. */
async function onlyBoxChanged(before: string, after: string, page: number, box: Box, height: number): Promise<Raster> {
  const a = await renderPage(before, page);
  const b = await renderPage(after, page);
  const px = pixelBox(box, height);
  assert.equal(changedOutside(a, b, px), 0, "nothing may be drawn outside the signature box");
  assert.ok(changedInside(a, b, px) > 50, "the appearance draws something inside its box");
  return b;
}

function golden(name: string, img: Raster, box: Box, height: number): void {
  const r = compareGolden(name, crop(img, pixelBox(box, height)));
  assert.ok(r.differing <= r.total * 0.01, `${name}: ${r.differing} of ${r.total} pixels differ from test/appearance/golden/${name}.png (KYSO_UPDATE_GOLDEN=1 regenerates it)`);
}

describe("visible signatures (issue 6, Decree 30/2020)", function () {
  this.timeout(120_000);
  let personal: string;

  before(async () => {
    officer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    seal = await Pkcs12Signer.open(pki.orgSeal.p12, p12Password);
  });

  it("personal: the blue signature image under the anchor title, the signer's name from the certificate", async () => {
    personal = await sign(samples.vietnamese, "personal", officer, { kind: "personal", anchor: "PHÓ CHỦ TỊCH" });
    assert.ok(isPrefix(samples.vietnamese, personal));
    await allValid(personal, 1);
    const { pageIndex, box, page } = lastBox(personal);
    assert.equal(pageIndex, 0);
    const before = (await pageText(samples.vietnamese, 1)).split("Nguyễn Văn An").length;
    assert.equal((await pageText(personal, 1)).split("Nguyễn Văn An").length, before + 1, "pdftotext finds the signer's name once more");
    const img = await onlyBoxChanged(samples.vietnamese, personal, 1, box, page.height);
    assert.ok(countIn(img, pixelBox(box, page.height), isBlue) > 300, "blue signature pixels in the box");
    assert.equal(countIn(img, pixelBox(box, page.height), isRed), 0, "no seal on a personal signature");
    golden("personal", img, box, page.height);
  });

  it("organization after personal: the red seal over the left third of the signature; both signatures valid", async () => {
    const sealed = await sign(personal, "organization", seal, { kind: "organization" });
    assert.ok(isPrefix(personal, sealed));
    await allValid(sealed, 2);
    const reader = PdfReader.fromBytes(readFileSync(sealed));
    const [first, second] = earlierSignatures(reader);
    const page = new DisplayedPage(pageInfo(reader, 0));
    reader.close();
    const p = page.boxFor(first.rect!);
    const s = page.boxFor(second.rect!);
    // The seal (the top square of the box) ends one third into the personal box.
    assert.ok(Math.abs(s.x + s.w - (p.x + p.w / 3)) < 0.5, `seal right edge ${s.x + s.w} at a third of the personal box ${p.x + p.w / 3}`);
    assert.ok(s.x < p.x + p.w / 3 && s.x + s.w > p.x, "the seal overlaps the personal box");
    const sealTop = s.y + s.h;
    assert.ok(sealTop > p.y && s.y < p.y + p.h, "the seal overlaps the personal box vertically");
    assert.ok(Math.abs(s.w - (36 * 72) / 25.4) < 0.01, "the seal is 36 mm wide");
    const text = await pageText(sealed, 1);
    assert.ok(text.includes("Ủy ban nhân dân tỉnh Phú Yên"), "the organization's name");
    assert.ok(text.includes(ISO), `the signing time as ISO 8601 with +07:00 in:\n${text}`);
    const img = await onlyBoxChanged(personal, sealed, 1, s, page.height);
    const sealSquare = pixelBox({ x: s.x, y: s.y + s.h - s.w, w: s.w, h: s.w }, page.height);
    assert.ok(countIn(img, sealSquare, isRed) > 1000, "red seal pixels where the seal is");
    // The overlap keeps some of the blue signature visible through and beside the seal.
    assert.ok(countIn(img, pixelBox(p, page.height), isBlue) > 100, "the signature is still visible");
    golden("organization", img, s, page.height);
  });

  it("organization on a document with no signature is refused (APPEARANCE_NO_EARLIER_SIGNATURE), --force overrides", async () => {
    await assert.rejects(sign(samples.vietnamese, "org-first", seal, { kind: "organization" }), (e) => isKysoError(e, "APPEARANCE_NO_EARLIER_SIGNATURE"));
    const warnings: string[] = [];
    const forced = await sign(samples.vietnamese, "org-forced", seal, { kind: "organization", force: true, onWarning: (w) => warnings.push(w) });
    await allValid(forced, 1);
    assert.equal(warnings.length, 1);
  });

  it("incoming: the arrival stamp ĐẾN with the arrival number, date and time", async () => {
    const out = await sign(samples.vietnamese, "incoming", seal, { kind: "incoming", arrivalNo: "1250" });
    await allValid(out, 1);
    const { pageIndex, box, page } = lastBox(out);
    assert.equal(pageIndex, 0);
    const text = await pageText(out, 1);
    for (const s of ["ĐẾN Số: 1250", "Ngày: 15/01/2025 Giờ: 09:30", "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN"]) assert.ok(text.includes(s), `"${s}" in:\n${text}`);
    const img = await onlyBoxChanged(samples.vietnamese, out, 1, box, page.height);
    assert.ok(countIn(img, pixelBox(box, page.height), isRed) > 300, "red stamp pixels");
    golden("incoming", img, box, page.height);
  });

  it("attachment: top right of page 1, no image, the main document's number and the time, black serif 10 pt", async () => {
    const out = await sign(samples.hundredPages, "attachment", seal, { kind: "attachment", docCode: "123/QĐ-UBND" });
    await allValid(out, 1);
    const { pageIndex, box, page } = lastBox(out);
    assert.equal(pageIndex, 0);
    assert.ok(box.x > page.width / 2 && box.y > page.height * 0.85, "in the top right corner");
    const text = await pageText(out, 1);
    assert.ok(text.includes("Kèm theo văn bản số 123/QĐ-UBND"), text);
    assert.ok(text.includes(ISO), text);
    const img = await onlyBoxChanged(samples.hundredPages, out, 1, box, page.height);
    const px = pixelBox(box, page.height);
    assert.ok(countIn(img, px, isDark) > 100, "black text");
    assert.equal(countIn(img, px, isRed) + countIn(img, px, isBlue), 0, "no image, no colour");
    golden("attachment", img, box, page.height);
  });

  for (const form of ["SAO Y", "SAO LỤC", "TRÍCH SAO"] as const) {
    it(`copy (${form}): top right of page 1, the copy form, the copying organization and the time`, async () => {
      const out = await sign(samples.onePage, `copy-${form}`, seal, { kind: "copy", copyForm: form });
      await allValid(out, 1);
      const { box, page } = lastBox(out);
      const text = await pageText(out, 1);
      for (const s of [form, "Ủy ban nhân dân tỉnh Phú Yên", ISO]) assert.ok(text.includes(s), `"${s}" in:\n${text}`);
      const img = await onlyBoxChanged(samples.onePage, out, 1, box, page.height);
      assert.ok(countIn(img, pixelBox(box, page.height), isDark) > 100, "black text");
      if (form === "SAO LỤC") golden("copy", img, box, page.height);
    });
  }

  it("a rotated page (/Rotate 90): the box is where --rect says on the page as shown, and upright", async () => {
    const rotated = join(work, "rotated-90.pdf");
    const q = await tool("qpdf", ["--rotate=+90:1", samples.onePage, rotated]);
    assert.ok(q.code === 0 || q.code === 3, q.stderr);
    const box = { x: 500, y: 60, w: 200, h: 100 };
    const out = await sign(rotated, "rotated-personal", officer, { kind: "personal", page: 1, rect: box, name: "Nguyễn Thị Hường" });
    await allValid(out, 1);
    const found = lastBox(out);
    assert.ok(Math.abs(found.page.width - 842) < 0.5, "shown in landscape");
    for (const k of ["x", "y", "w", "h"] as const) assert.ok(Math.abs(found.box[k] - box[k]) < 0.01, `${k}: ${found.box[k]} vs ${box[k]}`);
    assert.ok((await pageText(out, 1)).includes("Nguyễn Thị Hường"));
    const img = await onlyBoxChanged(rotated, out, 1, box, 595);
    assert.equal(img.width, 842);
    // Upright: the name is in the bottom strip of the box, the blue image above it.
    const strip = (y: number, h: number) => pixelBox({ x: box.x, y, w: box.w, h }, 595);
    assert.ok(countIn(img, strip(box.y, 13), isDark) > 30, "the name at the bottom of the box");
    assert.equal(countIn(img, strip(box.y, 13), isBlue), 0, "no signature ink over the name");
    assert.ok(countIn(img, strip(box.y + 20, box.h - 20), isBlue) > 200, "the signature image above the name");
    golden("rotated-90-personal", img, box, 595);
  });

  it("a page whose MediaBox does not start at 0,0: the copy block stays in the top right corner", async () => {
    // The fixture: one-page.pdf with an update moving its MediaBox origin to (100, 200).
    const shifted = join(work, "mediabox-origin.pdf");
    const src = readFileSync(samples.onePage);
    const reader = PdfReader.fromBytes(src);
    const w = new IncrementalWriter(reader);
    const p = pageInfo(reader, 0);
    w.set(p.ref, p.dict.clone().set("MediaBox", new PdfArray([100, 200, 695, 1042])));
    writeFileSync(shifted, Buffer.concat([src, w.build().bytes]));
    reader.close();
    const out = await sign(shifted, "mediabox-copy", seal, { kind: "copy", copyForm: "SAO Y" });
    await allValid(out, 1);
    const { box, page } = lastBox(out);
    // Top right, 10 mm (28.35 pt) from the top and right edges of the page as shown.
    assert.ok(box.x > page.width / 2 && Math.abs(page.height - (box.y + box.h) - (10 * 72) / 25.4) < 0.01, `top right: ${JSON.stringify(box)}`);
    const r = PdfReader.fromBytes(readFileSync(out));
    const rect = earlierSignatures(r).pop()!.rect!;
    r.close();
    assert.ok(rect[0] > 100 + 297 && rect[3] <= 1042 - 28.3 && rect[3] > 1000, `/Rect in user space: ${rect}`);
    const img = await onlyBoxChanged(shifted, out, 1, box, page.height);
    assert.ok(countIn(img, pixelBox(box, page.height), isDark) > 100);
    assert.ok((await pageText(out, 1)).includes("SAO Y"));
  });

  it("an anchor that is not in the document is a clear error", async () => {
    await assert.rejects(sign(samples.vietnamese, "no-anchor", officer, { kind: "personal", anchor: "TỔNG GIÁM ĐỐC" }), (e) => isKysoError(e, "APPEARANCE_ANCHOR_NOT_FOUND") && /TỔNG GIÁM ĐỐC/.test((e as Error).message));
  });

  it("with --rect and --seal-size the seal keeps its real size; a seal larger than the box is refused", async () => {
    const box = { x: 300, y: 100, w: 150, h: 150 };
    const out = await sign(personal, "org-rect", seal, { kind: "organization", rect: box, sealSize: (30 * 72) / 25.4 });
    await allValid(out, 2);
    const img = await onlyBoxChanged(personal, out, 1, box, 842);
    const red = countIn(img, pixelBox(box, 842), isRed);
    assert.ok(red > 500, "red seal pixels");
    await assert.rejects(sign(personal, "org-too-big", seal, { kind: "organization", rect: { x: 300, y: 100, w: 60, h: 60 }, sealSize: 102 }), (e) => isKysoError(e, "USAGE"));
  });
});
