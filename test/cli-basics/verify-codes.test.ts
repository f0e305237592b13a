/**
 * Reasons and warnings of a verification report by code (issue 13, "One language at a time"; the
 * catalogue test's companion): every code @kyso/verify can emit (its codes.ts) has a text in both
 * CLI catalogues, in what the verify page receives (GET /i18n/verify-texts.json: DETAIL_TEXTS, held
 * to it by test/service/page-reasons.chromium.test.ts) and in the printable report's tables, all from
 * one source (@kyso/verify/texts), with only the code's parameters; `kyso verify` of documents that are tampered, signed by a revoked and by an
 * expired certificate, without timestamp, changed after signing and without revocation data says
 * every reason and warning in Vietnamese under vi_VN and in English with --lang en, while --json
 * keeps the English sentences and adds the codes entry for entry.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { p12Password, pki, samples } from "@kyso/certs-test";
import { PdfName } from "@kyso/pdf";
import { REASON_CODES, TIMESTAMP_PROBLEMS, WARNING_CODES, describeDetail, type FileReport, type ReportDetail } from "@kyso/verify";
import { DETAIL_TEXTS, detailTexts, detailWording } from "@kyso/verify/reports";
import { VERIFY_TEXTS } from "@kyso/verify/texts";
import { en } from "../../cli/src/messages/en.js";
import { vi } from "../../cli/src/messages/vi.js";
import { repoRoot, runKyso } from "../support/cli.js";
import { update } from "../verify/attacks.js";
import { sign } from "../verify/support.js";

/** Letters Vietnamese has and English has not (as in catalogue.test.ts). */
const VIETNAMESE = /[ăâđêôơưĩũĂÂĐÊÔƠƯĨŨ\u1EA0-\u1EF9]/u;
/** Data English output may show in Vietnamese: the test PKI's names (a signer line's value, a quoted certificate name). */
const DATA = /(?<=Signer: )[^[]*|(?<=Organization: ).*|"[^"]*"/g;

const placeholders = (s: string): string[] => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

const EN = { LANG: "vi_VN.UTF-8", KYSO_LANG: "", XDG_CONFIG_HOME: join(tmpdir(), "kyso-no-config") };
const VI = { LANG: "vi_VN.UTF-8", LC_ALL: "", LC_MESSAGES: "", KYSO_LANG: "", XDG_CONFIG_HOME: join(tmpdir(), "kyso-no-config") };

describe("verify's reasons and warnings by code, in one language at a time", function () {
  it("every code of @kyso/verify has a text in both CLI catalogues, the verify page and the printable report, using only its parameters", function () {
    const page = DETAIL_TEXTS;
    const missing: string[] = [];
    const check = (code: string, params: readonly string[], texts: Record<string, string | undefined>): void => {
      const allowed = new Set([...params, ...(code === "SIGNATURE_NOT_VALID" ? ["cause"] : [])]);
      for (const [where, text] of Object.entries(texts)) {
        if (text === undefined) missing.push(`${where}: ${code}`);
        else for (const p of placeholders(text)) if (!allowed.has(p)) missing.push(`${where}: ${code} uses {${p}}, not a parameter`);
      }
      const en0 = texts["cli en"];
      for (const [where, text] of Object.entries(texts))
        if (text !== undefined && en0 !== undefined && placeholders(text).join() !== placeholders(en0).join()) missing.push(`${where}: ${code} placeholders differ from en`);
    };
    const cat = (c: Record<string, string>, k: string): string | undefined => (Object.prototype.hasOwnProperty.call(c, k) ? c[k] : undefined);
    const tp = (lang: "en" | "vi", code: string): string | undefined => {
      const word = detailWording(lang).word("problems", code);
      return word === code ? undefined : word;
    };
    for (const [code, params] of Object.entries(REASON_CODES))
      check(code, params, {
        "cli en": cat(en, `verify.reason.${code}`), "cli vi": cat(vi, `verify.reason.${code}`),
        "page en": page.en[`r:${code}`], "page vi": page.vi[`r:${code}`], "report en": detailWording("en").template(code, "reason"), "report vi": detailWording("vi").template(code, "reason"),
      });
    for (const [code, params] of Object.entries(WARNING_CODES))
      check(code, params, {
        "cli en": cat(en, `verify.warning.${code}`), "cli vi": cat(vi, `verify.warning.${code}`),
        "page en": page.en[`w:${code}`], "page vi": page.vi[`w:${code}`], "report en": detailWording("en").template(code, "warning"), "report vi": detailWording("vi").template(code, "warning"),
      });
    for (const code of TIMESTAMP_PROBLEMS)
      check(code, [], {
        "cli en": cat(en, `verify.tsProblem.${code}`), "cli vi": cat(vi, `verify.tsProblem.${code}`),
        "page en": page.en[`tp:${code}`], "page vi": page.vi[`tp:${code}`], "report en": tp("en", code), "report vi": tp("vi", code),
      });
    assert.deepEqual(missing, []);
    // One source: the CLI's catalogues and the page say what @kyso/verify/texts says (no entry of their own).
    for (const lang of ["en", "vi"] as const) {
      const cli: Record<string, string> = lang === "en" ? en : vi;
      for (const [table, prefix, pagePrefix] of [["reason", "verify.reason.", "r:"], ["warning", "verify.warning.", "w:"], ["tsProblem", "verify.tsProblem.", "tp:"], ["kind", "verify.term.kind.", "kind:"]] as const)
        for (const [code, text] of Object.entries(VERIFY_TEXTS[lang][table])) {
          assert.equal(cli[`${prefix}${code}`], text, `cli ${lang} ${prefix}${code}`);
          assert.equal(page[lang][`${pagePrefix}${code}`], text, `page ${lang} ${pagePrefix}${code}`);
        }
    }
    assert.ok(Object.keys(REASON_CODES).length >= 50 && Object.keys(WARNING_CODES).length >= 15);
    // The check itself: a code without text is caught.
    assert.equal(cat(en, "verify.reason.NO_SUCH_CODE"), undefined);
  });

  it("the checks name their codes from codes.ts (no reason or warning pushed as bare text)", function () {
    const src = ["byte-range", "cms-check", "revocation-check", "timestamps", "modification-check", "verdict", "verify", "pool"]
      .map((f) => readFileSync(join(repoRoot, "packages", "verify", "src", `${f}.ts`), "utf8"))
      .join("\n");
    const aia = readFileSync(join(repoRoot, "packages", "cms", "src", "aia.ts"), "utf8");
    assert.doesNotMatch(src, /\b(warnings|reasons)\.push\((?!message\)|d\.message\)|f\[2\]\)|w\.message\))/, "a reason or warning pushed without its code");
    assert.doesNotMatch(src, /fail\.push\(\[[^\]]*"\]\)|fail\.push\(\[[^\]]*`\]\)/, "a verdict candidate without its detail");
    const used = new Set([...`${src}\n${aia}`.matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]));
    const unused = [...Object.keys(REASON_CODES), ...Object.keys(WARNING_CODES)].filter((c) => !used.has(c));
    assert.deepEqual(unused, [], "codes listed in codes.ts that no check emits");
  });

  it("describeDetail: templates with parameters, optional parts, times in Vietnam time, English when the template is missing", function () {
    const d: ReportDetail = {
      code: "SIGNER_REVOKED_BEFORE_VALIDATION_TIME",
      params: { subject: "Nguyễn Văn An", revocationTime: "2026-12-01T13:07:00.000Z", revocationReason: "" },
      message: "The signer's certificate was revoked on 2026-12-01T13:07:00.000Z, before the validation time",
    };
    const wording = { template: (c: string) => (c === d.code ? vi[`verify.reason.${d.code}` as keyof typeof vi] : undefined), time: (iso: string) => `T(${iso})`, word: (_: string, v: string) => `W(${v})` };
    assert.equal(describeDetail(d, "reason", wording), 'Chứng thư số của người ký "Nguyễn Văn An" đã bị thu hồi lúc T(2026-12-01T13:07:00.000Z), trước thời điểm kiểm tra');
    assert.equal(describeDetail({ ...d, params: { ...d.params, revocationReason: "keyCompromise" } }, "reason", wording), 'Chứng thư số của người ký "Nguyễn Văn An" đã bị thu hồi lúc T(2026-12-01T13:07:00.000Z) (W(keyCompromise)), trước thời điểm kiểm tra');
    assert.equal(describeDetail({ ...d, code: "NO_TIMESTAMP" }, "warning", wording), d.message);
    // The printable report's words: Vietnam time, the RFC 5280 reason in words.
    const [text] = detailTexts("vi", [d.message], [{ ...d, params: { ...d.params, revocationReason: "keyCompromise" } }], "reason");
    assert.equal(text, 'Chứng thư số của người ký "Nguyễn Văn An" đã bị thu hồi lúc 20:07:00 01/12/2026 (+07:00) (lộ khóa bí mật), trước thời điểm kiểm tra');
    // An entry another layer added without a code stays as it is.
    assert.deepEqual(detailTexts("vi", ["something else"], [d], "reason"), ["something else"]);
  });

  describe("kyso verify of documents with many different reasons and warnings", function () {
    const dir = mkdtempSync(join(tmpdir(), "kyso-verify-codes-"));
    const files: string[] = [];
    let good: string;
    before(async function () {
      good = await sign(samples.onePage, join(dir, "good.pdf"));
      const bytes = readFileSync(good);
      const at = bytes.indexOf("/MediaBox");
      bytes[at + 1] = bytes[at + 1] ^ 0x20;
      const tampered = join(dir, "tampered.pdf");
      writeFileSync(tampered, bytes);
      const revoked = await sign(samples.onePage, join(dir, "revoked.pdf"), "revoked");
      const expired = await sign(samples.onePage, join(dir, "expired.pdf"), "expired");
      const changed = join(dir, "changed.pdf");
      writeFileSync(changed, update(readFileSync(good), (w, r) => w.set(r.catalogRef, r.catalog().clone().set("PageMode", PdfName.of("FullScreen")))));
      const unsigned = join(dir, "unsigned.pdf");
      copyFileSync(samples.onePage, unsigned);
      files.push(good, tampered, revoked, expired, changed, unsigned);
    });

    /** Reason lines ("    - ...", a file's own reason) and warning lines of the human output. */
    function reasonAndWarningLines(out: string, warningLabel: string): string[] {
      return out.split("\n").filter((l) => /^ {4}- /.test(l) || l.startsWith(`    ${warningLabel}: `) || /^ {2}(?!SHA-256 |Signature \d|Chữ ký \d)\S/.test(l));
    }

    it("--json: the English sentences as before, with codes and parameters entry for entry", async function () {
      const r = await runKyso(["verify", ...files, "--trust", pki.root, "--json", "--lang", "en"], { env: EN });
      assert.equal(r.code, 1, r.stderr);
      const reports = JSON.parse(r.stdout) as FileReport[];
      const codes = new Set<string>();
      for (const f of reports) {
        assert.deepEqual(f.reasonDetails?.map((d) => d.message), f.reasons, f.file);
        for (const s of f.signatures) {
          assert.deepEqual(s.reasonDetails?.map((d) => d.message), s.reasons, `${f.file} reasons`);
          assert.deepEqual(s.warningDetails?.map((d) => d.message), s.warnings, `${f.file} warnings`);
          for (const d of [...(s.reasonDetails ?? []), ...(s.warningDetails ?? [])]) codes.add(d.code);
        }
        for (const d of f.reasonDetails ?? []) codes.add(d.code);
      }
      for (const c of ["HASH_MISMATCH", "SIGNER_REVOKED_BEFORE_VALIDATION_TIME", "SIGNER_EXPIRED", "NO_TIMESTAMP", "DISALLOWED_MODIFICATION_APPROVAL", "SIGNATURE_VALID", "SIGNATURE_NOT_VALID", "NO_SIGNATURE"])
        assert.ok(codes.has(c), `${c} in ${[...codes].join(" ")}`);
      // Unchanged English sentences (consumers match on them).
      assert.match(reports[1].signatures[0].reasons[0], /^The document was changed after signing \(the digest/);
      assert.match(reports[2].signatures[0].reasons[0], /^The signer's certificate was revoked on \d{4}-\d\d-\d\dT[\d:.]+Z \(keyCompromise\), before the validation time$/);
      const revokedDetail = reports[2].signatures[0].reasonDetails![0];
      assert.equal(revokedDetail.params.revocationReason, "keyCompromise");
      assert.match(String(revokedDetail.params.revocationTime), /^\d{4}-\d\d-\d\dT/);
    });

    it("LANG=vi_VN.UTF-8: every reason and warning line is Vietnamese, none is the library's English; --lang en: no Vietnamese", async function () {
      const json = JSON.parse((await runKyso(["verify", ...files, "--trust", pki.root, "--json", "--lang", "en"], { env: EN })).stdout) as FileReport[];
      const english = json.flatMap((f) => [...f.reasons, ...f.signatures.flatMap((s) => [...s.reasons, ...s.warnings])]);

      const vir = await runKyso(["verify", ...files, "--trust", pki.root], { env: VI });
      assert.equal(vir.code, 1, vir.stderr);
      const viLines = reasonAndWarningLines(vir.stdout, "Cảnh báo");
      assert.ok(viLines.length >= 8, vir.stdout);
      for (const line of viLines) assert.match(line, VIETNAMESE, `not Vietnamese: ${line}`);
      for (const e of english) assert.ok(!vir.stdout.includes(e), `the English sentence "${e}" in Vietnamese output:\n${vir.stdout}`);
      assert.match(vir.stdout, /Tài liệu đã bị sửa đổi sau khi ký/);
      assert.match(vir.stdout, /đã bị thu hồi lúc \d\d:\d\d:\d\d \d\d\/\d\d\/\d{4} \(\+07:00\) \(lộ khóa bí mật\), trước thời điểm kiểm tra/);
      assert.match(vir.stdout, /đã hết hạn tại thời điểm ký \(hết hạn lúc \d\d:\d\d:\d\d \d\d\/\d\d\/\d{4} \(\+07:00\)\)/);
      assert.match(vir.stdout, /Cảnh báo: Chữ ký không gắn dấu thời gian/);
      assert.match(vir.stdout, /Tài liệu bị thay đổi sau chữ ký này theo cách không được phép: 1 thay đổi/);
      assert.match(vir.stdout, /Tài liệu không có chữ ký số/);
      assert.doesNotMatch(vir.stdout, /\b(was revoked|had expired|no timestamp|changed after|form-fill|keyCompromise)\b/);

      const enr = await runKyso(["verify", ...files, "--trust", pki.root, "--lang", "en"], { env: EN });
      assert.equal(enr.code, 1, enr.stderr);
      const enLines = reasonAndWarningLines(enr.stdout, "Warnings");
      assert.ok(enLines.length >= 8, enr.stdout);
      const stray = enr.stdout.replace(DATA, "").split("\n").filter((l) => VIETNAMESE.test(l));
      assert.deepEqual(stray, [], "Vietnamese in English output");
      assert.match(enr.stdout, /was revoked on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00 \(key compromise\), before the validation time/);
      assert.match(enr.stdout, /Warnings: The signature has no timestamp: the signing time is only claimed/);
    });

    it("offline (--revocation embedded): the unknown status is said in the language, naming the certificates", async function () {
      const vir = await runKyso(["verify", good, "--trust", pki.root, "--revocation", "embedded"], { env: VI });
      assert.equal(vir.code, 1, vir.stderr);
      assert.match(vir.stdout, /- Chưa xác định được tình trạng thu hồi của .+: chữ ký và tài liệu không kèm thông tin thu hồi/);
      const enr = await runKyso(["verify", good, "--trust", pki.root, "--revocation", "embedded", "--lang", "en"], { env: EN });
      assert.match(enr.stdout, /- The revocation status of .+ is not known: the signature and the document carry no revocation information/);
    });
  });
});
