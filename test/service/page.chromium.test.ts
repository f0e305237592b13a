import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { signInPage, usePageFixture, type Served } from "./support.js";

describe("clerks' page in headless Chromium", function () {
  const fixture = usePageFixture("kyso-page-", "quyet-dinh.pdf");
  let srv: Served;
  let browser: Browser;
  let good: string;
  let bad: string;
  before(() => ({ srv, browser, good, bad } = fixture));

  it("shows a valid and a tampered document with their verdicts, in Vietnamese and English", async function () {
    const page = await browser.newPage({ locale: "vi-VN" });
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(srv.url)) external.push(r.url());
    });
    // Signed out, the page sends the clerk to the Vietnamese sign-in page and back.
    await signInPage(page, srv.url, "/");
    assert.equal(await page.locator("h1").textContent(), "Kiểm tra chữ ký số trên văn bản PDF");
    await page.setInputFiles("#files", [good, bad]);
    await page.waitForFunction(() => document.querySelectorAll(".doc[data-indication]").length === 2);
    const valid = page.locator(".doc", { hasText: "quyet-dinh.pdf" });
    const tampered = page.locator(".doc", { hasText: "bi-sua.pdf" });
    assert.equal(await valid.getAttribute("data-indication"), "TOTAL_PASSED");
    assert.match((await valid.getAttribute("class")) ?? "", /\bpass\b/);
    assert.equal(await valid.locator(".verdict").textContent(), "HỢP LỆ");
    const validText = (await valid.textContent()) ?? "";
    assert.match(validText, /Nguyễn Văn An/);
    assert.match(validText, /Ủy ban nhân dân tỉnh Phú Yên/);
    assert.match(validText, /Toàn bộ văn bản/);
    // Revocation is checked online by default (the test PKI's OCSP responder), and said in words.
    assert.match(validText, /Tình trạng thu hồichưa bị thu hồi \(OCSP, /);
    assert.equal(await tampered.getAttribute("data-indication"), "TOTAL_FAILED");
    assert.match((await tampered.getAttribute("class")) ?? "", /\bfail\b/);
    assert.equal(await tampered.locator(".verdict").textContent(), "KHÔNG HỢP LỆ");
    assert.match((await tampered.textContent()) ?? "", /Văn bản đã bị sửa đổi sau khi ký/);
    // The verdict colours a clerk sees.
    const green = await valid.locator(".verdict").evaluate((e) => getComputedStyle(e).backgroundColor);
    const red = await tampered.locator(".verdict").evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(green, "rgb(30, 142, 62)");
    assert.equal(red, "rgb(217, 48, 37)");

    await page.click("#lang-en");
    assert.equal(await valid.locator(".verdict").textContent(), "VALID");
    assert.equal(await tampered.locator(".verdict").textContent(), "INVALID");
    assert.match((await tampered.textContent()) ?? "", /The document was changed after signing/);
    assert.deepEqual(external, [], "the page works offline (no request leaves the service)");
    await page.close();
  });

  it("opens in Vietnamese for an en-US browser, and remembers the English the user chose", async function () {
    const context = await browser.newContext({ locale: "en-US" });
    try {
      const page = await context.newPage();
      await signInPage(page, srv.url, "/");
      assert.equal(await page.locator("h1").textContent(), "Kiểm tra chữ ký số trên văn bản PDF");
      await page.click("#lang-en");
      await page.reload();
      assert.notEqual(await page.locator("h1").textContent(), "Kiểm tra chữ ký số trên văn bản PDF");
      assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    } finally {
      await context.close();
    }
  });
});
