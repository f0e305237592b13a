import { strict as assert } from "node:assert";
import { isKysoError } from "@kyso/core";
import { DisplayedPage } from "../src/geometry.js";
import { isoVietnamTime, vietnamDateAndTime } from "../src/time.js";
import { SubsetFont, loadSerifFont } from "../src/font.js";
import { decodePng, encodePng } from "../src/image.js";
import { demoSealImage, demoSignatureImage } from "../src/demo-images.js";

describe("@kyso/appearance units", () => {
  it("displayed <-> user space round-trips for every rotation and a non-zero CropBox origin", () => {
    for (const rotate of [0, 90, 180, 270]) {
      const page = new DisplayedPage({ cropBox: [100, 200, 695, 1042], rotate });
      assert.deepEqual([page.width, page.height], rotate % 180 ? [842, 595] : [595, 842]);
      for (const [u, v] of [[0, 0], [10, 20], [page.width, page.height]]) {
        const [x, y] = page.toUser(u, v);
        assert.ok(x >= 100 && x <= 695 && y >= 200 && y <= 1042, `inside the CropBox (${rotate})`);
        assert.deepEqual(page.toDisplayed(x, y).map((n) => Math.round(n * 1e6) / 1e6), [u, v]);
      }
      const box = { x: 30, y: 40, w: 120, h: 50 };
      const back = page.boxFor(page.rectFor(box));
      for (const k of ["x", "y", "w", "h"] as const) assert.ok(Math.abs(back[k] - box[k]) < 1e-6);
    }
    // /Rotate 90 shows the user space's bottom-left corner at the top left.
    assert.deepEqual(new DisplayedPage({ cropBox: [0, 0, 595, 842], rotate: 90 }).toDisplayed(0, 0), [0, 595]);
  });

  it("signing time in Vietnam time, ISO 8601 with +07:00, across midnight UTC", () => {
    assert.equal(isoVietnamTime(new Date("2024-12-31T20:05:09Z")), "2025-01-01T03:05:09+07:00");
    assert.deepEqual(vietnamDateAndTime(new Date("2024-12-31T20:05:09Z")), { date: "01/01/2025", time: "03:05" });
  });

  it("Liberation Serif: every Vietnamese letter has a glyph, NFD input is composed", () => {
    const font = new SubsetFont(loadSerifFont());
    const text = "Ủy ban nhân dân tỉnh Phú Yên – Nguyễn Thị Hường – ĂÂĐÊÔƠƯ ăâđêôơư ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ";
    assert.ok(font.width(text, 10) > 100);
    assert.equal(font.encode("Hường".normalize("NFD")), font.encode("Hường"));
    assert.throws(() => font.encode("漢"), (e) => isKysoError(e, "APPEARANCE_GLYPH_MISSING"));
  });

  it("a missing font is a clear error naming the package to install", () => {
    assert.throws(() => loadSerifFont("/nonexistent/font.ttf"), (e) => isKysoError(e, "APPEARANCE_FONT_MISSING") && /fonts-liberation2/.test((e as Error).message));
  });

  it("demo images: blue signature and red seal with transparent backgrounds survive a PNG round trip", () => {
    for (const [img, channel] of [[demoSignatureImage(), 2], [demoSealImage(), 0]] as const) {
      const back = decodePng(encodePng(img));
      assert.deepEqual([back.width, back.height], [img.width, img.height]);
      let opaque = 0;
      let clear = 0;
      for (let i = 0; i < back.width * back.height; i++) {
        if (back.data[4 * i + 3] === 255) {
          opaque++;
          assert.ok(back.data[4 * i + channel] > 150, "ink colour");
        } else if (back.data[4 * i + 3] === 0) clear++;
      }
      assert.ok(opaque > 500 && clear > back.width * back.height * 0.5, `${opaque} opaque, ${clear} clear`);
    }
    assert.throws(() => decodePng(new Uint8Array([1, 2, 3])), (e) => isKysoError(e, "APPEARANCE_IMAGE_INVALID"));
  });
});
