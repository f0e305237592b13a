import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { pki } from "@kyso/certs-test";
import { tempDir } from "../verify/support.js";
import { serve, signInPage, type Served } from "../service/support.js";
import { makePackages, post } from "./support.js";

describe("clerks' inbox page in headless Chromium", function () {
  const dir = tempDir("kyso-inbox-page-");
  let srv: Served;
  let browser: Browser;

  before(async function () {
    const p = await makePackages(dir);
    srv = await serve(["--trust", pki.root, "--db", `sqlite:${join(dir, "kyso.db")}`, "--audit-log", join(dir, "audit.jsonl")]);
    assert.equal((await post(srv, p.good)).status, 201);
    assert.equal((await post(srv, p.tampered)).status, 201);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it("shows the received packages newest first, marks the tampered one, and opens its findings (vi, en, offline)", async function () {
    const page = await browser.newPage({ locale: "vi-VN" });
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(srv.url)) external.push(r.url());
    });
    // The clerk signs in on the way (the sign-in page brings her back to /inbox).
    await signInPage(page, srv.url, "/inbox");
    assert.equal(await page.locator("h1").textContent(), "Văn bản đến qua trục liên thông");
    await page.waitForFunction(() => document.querySelectorAll("#inbox tr.item").length === 2);
    const rows = page.locator("#inbox tr.item");
    // Newest first: the tampered package from the Sở Tư pháp arrived second.
    const first = rows.nth(0);
    const second = rows.nth(1);
    assert.equal(await first.getAttribute("data-indication"), "TOTAL_FAILED");
    assert.match((await first.getAttribute("class")) ?? "", /\bfail\b/);
    assert.equal(await first.locator(".sender").textContent(), "Sở Tư pháp tỉnh Phú Yên");
    assert.equal(await first.locator(".number").textContent(), "215/VPCP-TTĐT");
    assert.equal(await first.locator(".subject").textContent(), "V/v kiểm tra công tác văn thư");
    assert.equal(await first.locator(".natt").textContent(), "2");
    assert.equal(await first.locator(".verdict").textContent(), "KHÔNG HỢP LỆ");
    assert.equal(await second.getAttribute("data-indication"), "TOTAL_PASSED");
    assert.equal(await second.locator(".verdict").textContent(), "HỢP LỆ");
    assert.equal(await second.locator(".sender").textContent(), "Ủy ban nhân dân tỉnh Phú Yên");
    assert.match((await second.textContent()) ?? "", /2015\/09\/30/);
    const red = await first.locator(".verdict").evaluate((e) => getComputedStyle(e).backgroundColor);
    const green = await second.locator(".verdict").evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(red, "rgb(217, 48, 37)");
    assert.equal(green, "rgb(30, 142, 62)");

    // The detail of the tampered package: the XML signature holds, bi-sua.pdf does not.
    await first.click();
    const detail = page.locator("#detail");
    await detail.locator(".att.file").first().waitFor();
    assert.equal(await detail.getAttribute("data-indication"), "TOTAL_FAILED");
    assert.equal(await detail.locator(".att.xml").getAttribute("data-indication"), "TOTAL_PASSED");
    const badFile = detail.locator('.att.file[data-name="bi-sua.pdf"]');
    assert.equal(await badFile.getAttribute("data-indication"), "TOTAL_FAILED");
    assert.match((await badFile.textContent()) ?? "", /Văn bản đã bị sửa đổi sau khi ký/);
    assert.match((await badFile.textContent()) ?? "", /Nguyễn Văn An/);
    assert.equal(await detail.locator('.att.file[data-name="quyet-dinh.pdf"]').getAttribute("data-indication"), "TOTAL_PASSED");
    const href = await badFile.locator("a.download").getAttribute("href");
    const download = await page.evaluate(async (h) => (await fetch(h!)).status, href);
    assert.equal(download, 200);

    // The clerk returns it with a reason; the row shows the new status.
    await detail.locator("#return input[name=reason]").fill("Tệp bi-sua.pdf bị sửa sau khi ký");
    await detail.locator("#return button").click();
    await page.waitForFunction(() => document.querySelector("#inbox tr.item .status")?.textContent === "Đã trả lại");
    assert.match((await detail.locator(".events").textContent()) ?? "", /Tệp bi-sua\.pdf bị sửa sau khi ký/);

    // Filters: by verdict, by sender.
    await page.selectOption("#f-indication", "TOTAL_PASSED");
    await page.waitForFunction(() => document.querySelectorAll("#inbox tr.item").length === 1);
    assert.equal(await rows.nth(0).getAttribute("data-indication"), "TOTAL_PASSED");
    await page.selectOption("#f-indication", "");
    await page.fill("#f-sender", "Tư pháp");
    await page.click("#filters button[type=submit]");
    await page.waitForFunction(() => document.querySelectorAll("#inbox tr.item").length === 1 && document.querySelector("#inbox tr.item")?.getAttribute("data-indication") === "TOTAL_FAILED");

    await page.click("#lang-en");
    assert.equal(await page.locator("h1").textContent(), "Documents received through the axis");
    assert.equal(await rows.nth(0).locator(".verdict").textContent(), "INVALID");
    assert.equal(await rows.nth(0).locator(".status").textContent(), "Returned");
    assert.match((await badFile.textContent()) ?? "", /The document was changed after signing/);
    assert.deepEqual(external, [], "the page works offline (no request leaves the service)");
    await page.close();
  });
});
