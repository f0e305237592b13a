// Acceptance 1 (and the browser part of 2) of issue 14: the demo document system on HTTPS signs
// through the agent in headless Chromium, the officer's confirmation and PIN given on the agent's
// own /confirm page in a second tab. Chromium trusts the test root (for the site) and the agent's
// local CA (for wss://) through the NSS database of a temporary HOME: no certificate errors ignored.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { certificatesFromPemOrDer } from "@kyso/core";
import { agentTlsPaths, issueLocalCa, pkcs11SignerFactory, startAgent, writeLocalCa, type RunningAgent } from "@kyso/agent";
import { pki, pkcs11Lib, samples, startDocsys, token, type RunningDocsys } from "@kyso/certs-test";
import { pdfsig, qpdfCheck } from "../support/judges.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function certutil(args: string[]): void {
  const r = spawnSync("certutil", args, { encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
}

function pdftotext(file: string): string {
  const r = spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/**
 * The officer at the confirmation tab: approves every pairing and signing card that appears and
 * types the PIN into the agent's PIN card, until `done()`; counts what was asked.
 */
async function officer(confirm: Page, done: () => Promise<boolean>, pin: string): Promise<{ pairings: number; confirmations: string[]; pins: number }> {
  const seen = { pairings: 0, confirmations: [] as string[], pins: 0 };
  for (let i = 0; i < 600 && !(await done()); i++) {
    await confirm.reload();
    const card = confirm.locator("section.card").first();
    if ((await card.count()) === 0) {
      await confirm.waitForTimeout(100);
      continue;
    }
    const kind = await card.getAttribute("data-kind");
    if (kind === "pin") {
      await card.locator('input[name="pin"][type="password"]').fill(pin);
      await card.locator('[data-action="pin-submit"]').click();
      seen.pins++;
    } else {
      if (kind === "pair") seen.pairings++;
      else seen.confirmations.push([(await card.locator(".origin").textContent()) ?? "", ...(await card.locator("td.doc-name").allTextContents()), ...(await card.locator("td.doc-kind").allTextContents())].join("\n"));
      await card.locator('[data-action="approve"]').click();
    }
  }
  return seen;
}

describe("demo document system → kyso agent → SoftHSM, in headless Chromium (acceptance 1, 2)", function () {
  const dir = mkdtempSync(join(tmpdir(), "kyso-agent-docsys-"));
  const home = join(dir, "home");
  let site: RunningDocsys;
  let batchSite: RunningDocsys;
  let stranger: RunningDocsys;
  let agent: RunningAgent;
  let browser: Browser;
  let context: BrowserContext;
  let logins = 0;

  before(async function () {
    // The agent's TLS as `kyso agent install` makes it, and a HOME whose NSS database trusts the
    // local CA and the test root (the demo site's certificate comes from the test intermediate).
    const tls = agentTlsPaths(join(home, ".config"));
    await writeLocalCa(tls, issueLocalCa({ owner: "test@kyso", now: new Date() }));
    const nssdb = join(home, ".pki", "nssdb");
    mkdirSync(nssdb, { recursive: true });
    certutil(["-N", "-d", `sql:${nssdb}`, "--empty-password"]);
    certutil(["-A", "-d", `sql:${nssdb}`, "-t", "C,,", "-n", "Kyso Agent Local CA", "-i", tls.ca]);
    certutil(["-A", "-d", `sql:${nssdb}`, "-t", "C,,", "-n", "Kyso Test Root CA", "-i", pki.root]);

    site = await startDocsys();
    const twenty = Array.from({ length: 20 }, (_, i) => ({ id: `cv-${String(i + 1).padStart(2, "0")}`, title: `Công văn số ${i + 1}`, file: samples.onePage }));
    batchSite = await startDocsys({ documents: twenty });
    stranger = await startDocsys();
    agent = await startAgent({
      port: 0,
      tls: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
      allowedOrigins: [site.url, batchSite.url],
      downloadCa: [readFileSync(pki.root)],
      pairingStore: join(dir, "paired.json"),
      auditLog: join(dir, "audit.jsonl"),
      signerFactory: pkcs11SignerFactory({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, onLogin: () => logins++ }),
      certificateCheck: {
        trustAnchors: certificatesFromPemOrDer(readFileSync(pki.root)),
        intermediates: certificatesFromPemOrDer(readFileSync(pki.intermediate)),
        revocation: "off",
      },
    });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", env: { ...process.env, HOME: home }, args: CHROMIUM_ARGS });
    context = await browser.newContext({ locale: "vi-VN" });
  });

  /** The site's page, connected to the agent, and the agent's confirmation tab beside it. */
  async function openPages(on: RunningDocsys): Promise<{ page: Page; confirm: Page }> {
    const page = await context.newPage();
    await page.goto(`${on.url}/?agent=${encodeURIComponent(agent.url)}`);
    const confirm = await context.newPage();
    await confirm.goto(`${agent.httpUrl}/confirm`);
    return { page, confirm };
  }

  /** 'Ký số' of `kind` on one document of `site`, the officer approving in the confirmation tab until the row has its answer. */
  async function signRow(docId: string, kind: string): Promise<{ page: Page; confirm: Page; row: Locator; seen: Awaited<ReturnType<typeof officer>> }> {
    const { page, confirm } = await openPages(site);
    const row = page.locator(`tr.doc[data-id="${docId}"]`);
    await row.locator("select.kind").selectOption(kind);
    await row.locator("button.sign").click();
    const seen = await officer(confirm, async () => (await row.getAttribute("data-state")) !== "waiting", token.userPin);
    return { page, confirm, row, seen };
  }

  after(async function () {
    await browser?.close();
    await agent?.close();
    await Promise.all([site?.close(), batchSite?.close(), stranger?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a batch of 20 documents: one confirmation listing all of them, one PIN, 20 valid uploads", async function () {
    const { page, confirm } = await openPages(batchSite);
    await page.click("#sign-all");
    const result = page.locator("#batch-result");
    const seen = await officer(confirm, async () => (await result.getAttribute("data-state")) !== "waiting", token.userPin);
    assert.equal(await result.getAttribute("data-state"), "ok", (await result.textContent()) ?? "");
    assert.equal(seen.pairings, 1, "the first call of a new origin is paired once");
    assert.equal(seen.confirmations.length, 1, "one confirmation for the batch");
    assert.equal(seen.pins, 1, "one PIN for the batch");
    assert.equal(logins, 1, "one C_Login");
    assert.match(seen.confirmations[0], /^Công văn số 1$/m);
    assert.match(seen.confirmations[0], /^Công văn số 20$/m);
    assert.equal(seen.confirmations[0].split("\n").filter((l) => l.startsWith("Công văn số")).length, 20);
    assert.ok(seen.confirmations[0].includes(batchSite.url), "the site asking is shown");
    assert.equal(batchSite.uploads.length, 20);
    assert.ok(batchSite.uploads.every((u) => u.authorized), "uploads carry the page's JWTToken");
    assert.equal(await page.locator('tr.doc[data-state="ok"]').count(), 20);
    for (const u of [batchSite.uploads[0], batchSite.uploads[19]]) {
      const sigs = await pdfsig(u.path);
      assert.equal(sigs.length, 1);
      assert.equal(sigs[0].signatureValid, true, JSON.stringify(sigs[0]));
      assert.equal((await qpdfCheck(u.path)).code, 0);
    }
    await page.close();
    await confirm.close();
  });

  it("'Ký số' on one document: confirmation shown in the agent's tab, signed with the personal appearance, uploaded and linked", async function () {
    const { page, confirm, row, seen } = await signRow("cong-van-01", "SignApproved");
    assert.equal(await row.getAttribute("data-state"), "ok", (await row.locator(".message").textContent()) ?? "");
    assert.equal(await row.locator(".status").textContent(), "0");
    assert.equal(seen.confirmations.length, 1);
    assert.match(seen.confirmations[0], /Công văn về việc kiểm tra công tác văn thư/);
    assert.match(seen.confirmations[0], /Chữ ký cá nhân/);
    assert.equal(seen.pins, 0, "the token session of the batch is still logged in");
    assert.equal(logins, 1);
    const href = await row.locator("a.signed").getAttribute("href");
    assert.ok(href?.startsWith(`${site.url}/signed/`), String(href));
    const upload = site.uploads.find((u) => u.docId === "cong-van-01")!;
    const sigs = await pdfsig(upload.path);
    assert.equal(sigs.length, 1);
    assert.equal(sigs[0].signatureValid, true, JSON.stringify(sigs[0]));
    assert.match(pdftotext(upload.path), /Nguyễn Văn An/, "the personal appearance carries the signer's name");
    // The link the page shows serves the signed file.
    const served = await page.evaluate(async (h) => (await fetch(h)).status, href);
    assert.equal(served, 200);
    await page.close();
    await confirm.close();
  });

  it("SignIssued on an unsigned document: a non-zero Status with a clear message, nothing uploaded", async function () {
    const { page, confirm, row } = await signRow("quyet-dinh-123", "SignIssued");
    assert.equal(await row.getAttribute("data-state"), "error");
    assert.equal(await row.locator(".status").textContent(), "11");
    assert.match((await row.locator(".message").textContent()) ?? "", /signature|chữ ký/i);
    assert.equal(site.uploads.filter((u) => u.docId === "quyet-dinh-123").length, 0);
    await page.close();
    await confirm.close();
  });

  it("the same page from an origin that is not allowed is refused at the handshake (acceptance 2)", async function () {
    const page = await context.newPage();
    await page.goto(`${stranger.url}/?agent=${encodeURIComponent(agent.url)}`);
    const row = page.locator('tr.doc[data-id="cong-van-01"]');
    await row.locator("button.sign").click();
    await page.waitForFunction(() => document.querySelector('tr.doc[data-id="cong-van-01"]')?.getAttribute("data-state") === "error");
    assert.equal(await page.locator("#connection").getAttribute("data-state"), "refused");
    assert.match((await row.locator(".message").textContent()) ?? "", /Không kết nối được tới agent ký số/);
    assert.equal(stranger.uploads.length, 0);
    const audit = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      audit.some((e) => e.origin === stranger.url && e.outcome === "refused" && e.operation === "connect"),
      "the refusal is in the audit log",
    );
    await page.close();
  });
});
