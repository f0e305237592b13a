// Issue 6 through the built CLI: kyso sign --appearance ... (build first: npx tsc -b cli).
import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pki, p12Password, samples } from "@kyso/certs-test";
import { runKyso } from "../support/cli.js";
import { pdfsig } from "../support/judges.js";
import { pageText } from "./render.js";

const work = mkdtempSync(join(tmpdir(), "kyso-appearance-cli-"));
const env = { KYSO_P12_PASSWORD: p12Password };

describe("kyso sign --appearance (issue 6)", function () {
  this.timeout(120_000);

  it("refuses --appearance organization on a document with no signature: exit code 2 and a clear message", async () => {
    const r = await runKyso(["sign", samples.vietnamese, "--p12", pki.orgSeal.p12, "--appearance", "organization", "--out-dir", join(work, "refused")], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /carries no signature yet/);
    assert.match(r.stderr, /--force/);
  });

  it("personal with --anchor, then organization with --seal-size 36mm: both valid in pdfsig", async () => {
    const a = await runKyso(["sign", samples.vietnamese, "--p12", pki.officerRsa.p12, "--appearance", "personal", "--anchor", "PHÓ CHỦ TỊCH", "--out-dir", join(work, "1")], { env });
    assert.equal(a.code, 0, a.stderr);
    const personal = join(work, "1", "vietnamese.pdf");
    const b = await runKyso(["sign", personal, "--p12", pki.orgSeal.p12, "--appearance", "organization", "--seal-size", "36mm", "--out-dir", join(work, "2")], { env });
    assert.equal(b.code, 0, b.stderr);
    const sealed = join(work, "2", "vietnamese.pdf");
    const sigs = await pdfsig(sealed);
    assert.equal(sigs.length, 2);
    for (const s of sigs) assert.ok(s.signatureValid, s.raw);
    assert.ok((await pageText(sealed, 1)).includes("Ủy ban nhân dân tỉnh Phú Yên"));
  });

  it("copy with --copy-form \"TRÍCH SAO\" on the first page", async () => {
    const r = await runKyso(["sign", samples.hundredPages, "--p12", pki.orgSeal.p12, "--appearance", "copy", "--copy-form", "TRÍCH SAO", "--out-dir", join(work, "copy")], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = join(work, "copy", "hundred-pages.pdf");
    assert.ok((await pageText(out, 1)).includes("TRÍCH SAO"));
    assert.ok(!(await pageText(out, 2)).includes("TRÍCH SAO"));
    assert.ok((await pdfsig(out))[0].signatureValid);
  });

  it("--page -1 with --rect puts a personal signature on the last page", async () => {
    const r = await runKyso(["sign", samples.hundredPages, "--p12", pki.officerRsa.p12, "--appearance", "personal", "--page", "-1", "--rect", "350,80,170,80", "--out-dir", join(work, "last")], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = join(work, "last", "hundred-pages.pdf");
    assert.ok((await pageText(out, 100)).includes("Nguyễn Văn An"));
    assert.ok(!(await pageText(out, 99)).includes("Nguyễn Văn An"));
  });

  it('--title of two lines, as "\\n" in one value or as a repeated flag (issue 13)', async () => {
    for (const [dir, flags] of [
      ["title-n", ["--title", "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH"]],
      ["title-repeated", ["--title", "KT. CHỦ TỊCH", "--title", "PHÓ CHỦ TỊCH"]],
    ] as const) {
      const r = await runKyso(["sign", samples.onePage, "--p12", pki.officerRsa.p12, "--appearance", "personal", "--rect", "330,300,180,110", ...flags, "--out-dir", join(work, dir)], { env });
      assert.equal(r.code, 0, r.stderr);
      const lines = (await pageText(join(work, dir, "one-page.pdf"), 1)).split("\n").map((l) => l.trim());
      const at = lines.indexOf("KT. CHỦ TỊCH");
      assert.ok(at >= 0 && lines[at + 1] === "PHÓ CHỦ TỊCH", `${dir}: two title lines in order:\n${lines.join("\n")}`);
    }
  });

  it("bad flags are usage errors (exit 2): --anchor without --appearance, --rect with three numbers, incoming without --arrival-no", async () => {
    for (const extra of [["--anchor", "X"], ["--appearance", "personal", "--rect", "1,2,3"], ["--appearance", "incoming"]]) {
      const r = await runKyso(["sign", samples.onePage, "--p12", pki.officerRsa.p12, ...extra, "--out-dir", join(work, "bad")], { env });
      assert.equal(r.code, 2, `${extra.join(" ")}: ${r.stderr}`);
    }
  });

  it("an anchor not in the document fails that file with APPEARANCE_ANCHOR_NOT_FOUND", async () => {
    const r = await runKyso(["sign", samples.vietnamese, "--p12", pki.officerRsa.p12, "--appearance", "personal", "--anchor", "TỔNG GIÁM ĐỐC", "--out-dir", join(work, "noanchor")], { env });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /TỔNG GIÁM ĐỐC/);
  });
});
