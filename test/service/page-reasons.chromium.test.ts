// The verify page says the report's reasons and warnings by their codes (@kyso/verify codes.ts) in
// the page's language: Vietnamese by default, English when chosen; never the other language's text.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { samples } from "@kyso/certs-test";
import { flatTexts } from "@kyso/verify/texts";
import type { Browser } from "playwright-core";
import { repoRoot, sign } from "../verify/support.js";
import { signInPage, usePageFixture, type Served } from "./support.js";

const VIETNAMESE = /[ăâđêôơưĩũĂÂĐÊÔƠƯĨŨ\u1EA0-\u1EF9]/u;

describe("clerks' page: reasons and warnings in the page's language (headless Chromium)", function () {
  const fixture = usePageFixture("kyso-page-reasons-", "quyet-dinh.pdf");
  let srv: Served;
  let browser: Browser;
  let good: string;
  let bad: string;
  let revoked: string;
  before(async () => {
    ({ srv, browser, good, bad } = fixture);
    revoked = await sign(samples.onePage, join(fixture.dir, "thu-hoi.pdf"), "revoked");
  });

  it("the page gets the texts of the codes from their one source (@kyso/verify/texts), openly and under the page's CSP, and holds none of its own", async function () {
    const res = await fetch(`${srv.url}/i18n/verify-texts.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const texts = (await res.json()) as Record<string, Record<string, string>>;
    assert.deepEqual(texts, { vi: flatTexts("vi"), en: flatTexts("en") });
    assert.equal(texts.vi["r:HASH_MISMATCH"], "Tài liệu đã bị sửa đổi sau khi ký (mã băm của phần được ký không khớp với mã băm đã ký)");
    const app = readFileSync(join(repoRoot, "service", "public", "app.js"), "utf8");
    assert.doesNotMatch(app, /"(r|w|tp|rr|kind):[\w-]+":/, "a code's text in app.js itself");
  });

  it("reason and warning lines are Vietnamese under vi (revocation time in Vietnam time, its reason in words) and English under en", async function () {
    const page = await browser.newPage({ locale: "en-US" });
    await signInPage(page, srv.url, "/");
    await page.setInputFiles("#files", [good, bad, revoked]);
    await page.waitForFunction(() => document.querySelectorAll(".doc[data-indication]").length === 3);
    const lines = async (): Promise<string[]> => page.locator(".reason.detail, .warn").allTextContents();

    const vi = await lines();
    assert.ok(vi.length >= 5, vi.join("\n"));
    for (const l of vi) assert.match(l, VIETNAMESE, `not Vietnamese: ${l}`);
    const all = vi.join("\n");
    assert.match(all, /Tài liệu đã bị sửa đổi sau khi ký \(mã băm/);
    assert.match(all, /đã bị thu hồi lúc \d\d:\d\d \d\d\/\d\d\/\d{4} \(lộ khóa bí mật\), trước thời điểm kiểm tra/);
    assert.match(all, /Chữ ký không gắn dấu thời gian/);
    assert.doesNotMatch(all, /was revoked|keyCompromise|no timestamp|changed after signing/);

    await page.click("#lang-en");
    const en = await lines();
    assert.equal(en.length, vi.length);
    for (const l of en) assert.doesNotMatch(l.replace(/"[^"]*"/g, ""), VIETNAMESE, `Vietnamese in English: ${l}`);
    assert.match(en.join("\n"), /was revoked on \d\d:\d\d \d\d\/\d\d\/\d{4} \(key compromise\), before the validation time/);
    assert.match(en.join("\n"), /The signature has no timestamp: the signing time is only claimed/);
    await page.close();
  });
});
