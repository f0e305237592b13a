import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { signInPage, usePageFixture, type Served } from "../service/support.js";
import { pdfText, sha256File } from "./support.js";

const GREEN = "rgb(30, 142, 62)";

describe("clerks' page: print report button and verdict colours in headless Chromium", function () {
  const fixture = usePageFixture("kyso-reports-page-", "quyết-định.pdf");
  let dir: string;
  let srv: Served;
  let browser: Browser;
  let good: string;
  let bad: string;
  before(() => ({ dir, srv, browser, good, bad } = fixture));

  it("'In báo cáo' posts the file again with Accept: application/pdf and opens the PDF report", async function () {
    const page = await browser.newPage({ locale: "vi-VN" });
    await signInPage(page, srv.url, "/");
    await page.setInputFiles("#files", [good, bad]);
    await page.waitForFunction(() => document.querySelectorAll(".doc[data-indication]").length === 2);
    const doc = page.locator(".doc", { hasText: "quyết-định.pdf" });
    const button = doc.locator("button.print");
    assert.equal(await button.textContent(), "In báo cáo");

    const [response, popup] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/api/v1/verify") && r.request().headers()["accept"] === "application/pdf"),
      page.waitForEvent("popup"),
      button.click(),
    ]);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()["content-type"], "application/pdf");
    await popup.waitForURL(/^blob:/);
    assert.ok(popup.url().startsWith("blob:"), "the report opens in a new tab");
    // What the new tab shows, read back from its own address.
    const body = Buffer.from(await popup.evaluate(async () => Array.from(new Uint8Array(await (await fetch(location.href)).arrayBuffer()))));
    assert.equal(body.subarray(0, 5).toString("latin1"), "%PDF-");
    const out = join(dir, "from-page.pdf");
    writeFileSync(out, body);
    const text = await pdfText(out);
    assert.ok(text.includes(sha256File(good)), "the report is of the file the clerk chose");
    assert.match(text, /BÁO CÁO KIỂM TRA CHỮ KÝ SỐ/);
    await popup.close();
    await page.waitForFunction(() => document.querySelector(".doc[data-printed]") !== null);

    await page.click("#lang-en");
    assert.equal(await button.textContent(), "Print report");
    const [, enPopup] = await Promise.all([page.waitForResponse((r) => r.request().headers()["accept"] === "application/pdf"), page.waitForEvent("popup"), button.click()]);
    await enPopup.waitForURL(/^blob:/);
    const enOut = join(dir, "from-page-en.pdf");
    writeFileSync(enOut, Buffer.from(await enPopup.evaluate(async () => Array.from(new Uint8Array(await (await fetch(location.href)).arrayBuffer())))));
    assert.match(await pdfText(enOut), /DIGITAL SIGNATURE VALIDATION REPORT/);
    await page.close();
  });

  it("shows the revocation result in words and a green badge for TOTAL_PASSED only", async function () {
    const page = await browser.newPage({ locale: "vi-VN" });
    await signInPage(page, srv.url, "/");
    await page.setInputFiles("#files", [good, bad]);
    await page.waitForFunction(() => document.querySelectorAll(".doc[data-indication]").length === 2);
    for (const doc of await page.locator(".doc[data-indication]").all()) {
      const indication = await doc.getAttribute("data-indication");
      const badge = await doc.locator("h2 .verdict").evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.equal(badge === GREEN, indication === "TOTAL_PASSED", `${indication}: badge ${badge}`);
      for (const sig of await doc.locator(".sig").all()) {
        const cls = (await sig.getAttribute("class")) ?? "";
        const colour = await sig.locator(".sig-verdict").evaluate((e) => getComputedStyle(e).color);
        const words = await sig.locator(".sig-verdict").textContent();
        assert.equal(colour === GREEN, words === "HỢP LỆ" && /\bpass\b/.test(cls), `signature verdict ${words}: ${colour}`);
      }
    }
    const text = (await page.locator(".doc", { hasText: "quyết-định.pdf" }).textContent()) ?? "";
    assert.match(text, /Tình trạng thu hồi(chưa bị thu hồi|đã bị thu hồi|không xác định được)/);
    await page.screenshot({ path: join(dir, "page.png"), fullPage: true });
    await page.close();
  });
});
