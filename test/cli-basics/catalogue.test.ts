/**
 * The catalogue test (issue 13, "One language at a time"): the CLI's two message catalogues have
 * the same keys with the same placeholders, the English one says nothing in Vietnamese, and real
 * commands speak one language at a time: help of every command, `kyso verify` of a signed and a
 * tampered document, `kyso sign` errors (missing file, wrong PIN, encrypted input) — English with
 * `--lang en`, Vietnamese with LANG=vi_VN.UTF-8. The service's pages have their own en/vi
 * dictionaries (service/public/*.js), held to the same rules.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { p12Password, pki, pkcs11Lib, samples, spawnAgent, token } from "@kyso/certs-test";
import { en } from "../../cli/src/messages/en.js";
import { vi } from "../../cli/src/messages/vi.js";
import { kysoBin, repoRoot, runKyso, type RunResult } from "../support/cli.js";
import { tokenCopy } from "../bulk/helpers.js";

/** Letters Vietnamese has and English (or Latin-1) has not: ă â đ ê ô ơ ư, ĩ ũ and the tone-marked vowels (NFC). */
const VIETNAMESE = /[ăâđêôơưĩũĂÂĐÊÔƠƯĨŨ\u1EA0-\u1EF9]/u;

/**
 * Vietnamese DATA that English output may show: the test PKI's names (certificate subjects), the
 * place and unit names of help examples, and the legal texts printed on documents (signer titles,
 * copy forms, document codes) that a user types as they are. Compared word by word, so that a
 * wrapped help line is judged the same; any other Vietnamese word in English output fails.
 */
const DATA_WORDS = new Set(
  [
    "Nguyễn Văn An Chuyên viên",

    "Ủy ban nhân dân tỉnh Phú Yên UBND Tỉnh Sở Tư pháp Huyện Tuy Hoà Hòa",
    "Trần Thị Bình",
    "KT. CHỦ TỊCH PHÓ 123/QĐ-UBND QĐ-UBND SAO LỤC TRÍCH Phê duyệt",
    // The legal code of a decree, cited in English texts as it is written (Decree 30/2020/NĐ-CP).
    "NĐ-CP",
  ]
    .join(" ")
    .split(/\s+/)
    .map(bare),
);

function bare(word: string): string {
  return word.normalize("NFC").replace(/^[^\p{L}\d]+|[^\p{L}\d]+$/gu, "");
}

/** The words of `text` with Vietnamese letters that are not known data. */
function vietnameseWords(text: string): string[] {
  return text
    .normalize("NFC")
    .split(/[\s"'(),:;[\]{}<>=]+/)
    .flatMap((w) => w.split("/"))
    .map(bare)
    .filter((w) => VIETNAMESE.test(w) && !DATA_WORDS.has(w) && !DATA_WORDS.has(w.replace(/^.*\//, "")));
}

/**
 * The `const T = { vi: {...}, en: {...} }` of a page script, evaluated; a text that is a function
 * of arguments (inbox.js) is called with its parameters' names, so that both are compared as text.
 */
function pageDictionary(file: string): Record<"en" | "vi", Record<string, string>> {
  const src = readFileSync(file, "utf8");
  const start = src.indexOf("const T = {");
  assert.ok(start >= 0, `${file} has a const T dictionary`);
  const end = src.indexOf("\n};", start);
  const T = new Function(`return ${src.slice(start + "const T = ".length, end + 2)}`)() as Record<"en" | "vi", Record<string, unknown>>;
  const asText = (d: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === "function" ? String(v(...Array.from({ length: v.length }, (_, i) => `{p${i}}`))) : String(v)]));
  return { en: asText(T.en), vi: asText(T.vi) };
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}|%s/g)].map((m) => m[0]).sort();

function checkCatalogues(name: string, enCat: Record<string, string>, viCat: Record<string, string>): void {
  const enKeys = Object.keys(enCat).sort();
  const viKeys = Object.keys(viCat).sort();
  assert.deepEqual(enKeys.filter((k) => !(k in viCat)), [], `${name}: keys missing in vi`);
  assert.deepEqual(viKeys.filter((k) => !(k in enCat)), [], `${name}: keys missing in en`);
  for (const k of enKeys) assert.deepEqual(placeholders(viCat[k]), placeholders(enCat[k]), `${name}: placeholders of ${k}`);
  const bad = enKeys.filter((k) => vietnameseWords(enCat[k]).length > 0).map((k) => `${k}: ${vietnameseWords(enCat[k]).join(" ")}`);
  assert.deepEqual(bad, [], `${name}: Vietnamese in English texts`);
}

const EN = { LANG: "vi_VN.UTF-8", KYSO_LANG: "" };
const VI = { LANG: "vi_VN.UTF-8", LC_ALL: "", LC_MESSAGES: "", KYSO_LANG: "" };
const noConfig = { XDG_CONFIG_HOME: join(tmpdir(), "kyso-no-config") };

function assertEnglish(r: RunResult, what: string): void {
  const words = vietnameseWords(`${r.stdout}\n${r.stderr}`);
  assert.deepEqual(words, [], `${what}: Vietnamese words in English output:\n${r.stdout}${r.stderr}`);
}

/** The command names listed by `kyso --help`. */
function commandsOf(help: string): string[] {
  return [...help.matchAll(/^ {2}kyso ([a-z-]+)/gm)].map((m) => m[1]);
}

describe("the message catalogue: one language at a time", function () {
  it("en and vi have the same keys and placeholders; no English text holds a Vietnamese word", function () {
    checkCatalogues("cli", en, vi);
    // The check itself: a Vietnamese fragment in an English text is caught, known data is not.
    assert.deepEqual(vietnameseWords('no signature timestamp (Chữ ký không gắn dấu thời gian)'), ["Chữ", "không", "gắn", "dấu", "thời"]);
    assert.deepEqual(vietnameseWords('Signer: Nguyễn Văn An, e.g. "KT. CHỦ TỊCH"'), []);
  });

  it("every key of en.ts is used in cli/src (a literal key, or a key built from a prefix such as `registry.status.${code}`)", function () {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts") && !/messages\/(en|vi)\.ts$/.test(p)) files.push(p);
      }
    };
    walk(join(repoRoot, "cli", "src"));
    const src = files.map((f) => readFileSync(f, "utf8")).join("\n");
    // Keys built at run time: `prefix${...}` in the source (`registry.status.${code}`, `reason${code}`); yargs.* go to yargs.updateStrings whole.
    const prefixes = ["yargs.", ...[...src.matchAll(/`([A-Za-z0-9_.-]{4,})\$\{/g)].map((m) => m[1])];

    const used = (k: string): boolean => [`"${k}"`, `'${k}'`, `\`${k}\``].some((q) => src.includes(q)) || prefixes.some((p) => k.startsWith(p));
    assert.deepEqual(Object.keys(en).filter((k) => !used(k)), [], "keys of en.ts used nowhere in cli/src");
  });

  it("the service pages' dictionaries (service/public/*.js): same keys, no Vietnamese in English", function () {
    for (const page of ["app.js", "inbox.js", "login.js"]) {
      const dict = pageDictionary(join(repoRoot, "service", "public", page));
      checkCatalogues(`service/public/${page}`, dict.en, dict.vi);
    }
  });

  describe("help of every command", function () {
    let commands: string[] = [];
    before(async function () {
      const r = await runKyso(["--help", "--lang", "en"], { env: { ...EN, ...noConfig } });
      assert.equal(r.code, 0, r.stderr);
      commands = commandsOf(r.stdout);
      assert.ok(commands.length >= 15 && commands.includes("sign") && commands.includes("doctor"), commands.join(" "));
    });

    it("--lang en: English throughout, even under a Vietnamese locale", async function () {
      for (const args of [["--help"], ...commands.map((c) => [c, "--help"])]) {
        const r = await runKyso([...args, "--lang", "en"], { env: { ...EN, ...noConfig } });
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stdout, /^Options:$/m, args.join(" "));
        assertEnglish(r, `kyso ${args.join(" ")} --lang en`);
      }
    });

    it("LANG=vi_VN.UTF-8: Vietnamese headings and texts, none of yargs' English", async function () {
      for (const args of [["--help"], ...commands.map((c) => [c, "--help"])]) {
        const r = await runKyso(args, { env: { ...VI, ...noConfig } });
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stdout, /^Tùy chọn:$/m, args.join(" "));
        assert.doesNotMatch(r.stdout, /^(Options|Commands|Positionals|Examples):$|\[(boolean|string|required|default:)/m, args.join(" "));
        assert.match(r.stdout, /Hiện hướng dẫn/);
      }
      // kyso --help and kyso sign --help: every description line is Vietnamese.
      for (const args of [["--help"], ["sign", "--help"]]) {
        const r = await runKyso(args, { env: { ...VI, ...noConfig } });
        const described = r.stdout.split("\n").filter((l) => /^ {2}(kyso [a-z-]+ |-|\s+--)/.test(l) && /\s{2,}\S/.test(l.trim()));
        for (const line of described) assert.match(line, VIETNAMESE, `not Vietnamese in kyso ${args.join(" ")}: ${line}`);
      }
    });

    it("yargs' own errors follow the language", async function () {
      const vi = await runKyso(["sign"], { env: { ...VI, ...noConfig } });
      assert.equal(vi.code, 2);
      assert.match(vi.stderr, /Thiếu đối số: có 0, cần ít nhất 1/);
      const en = await runKyso(["sign", "--lang", "en"], { env: { ...VI, ...noConfig } });
      assert.equal(en.code, 2);
      assert.match(en.stderr, /Not enough non-option arguments: got 0, need at least 1/);
      assertEnglish(en, "kyso sign --lang en");
    });
  });

  describe("the CLI's own errors and the usage texts of the registry, trust, accounts, audit and config commands", function () {
    const work = mkdtempSync(join(tmpdir(), "kyso-catalogue-err-"));
    const env = { ...noConfig, XDG_DATA_HOME: work, KYSO_DB: "", KYSO_ACTOR: "catalogue-test", KYSO_P12_PASSWORD: p12Password };
    /** The same command under vi_VN (no flag) and with --lang en. */
    const both = async (args: string[]): Promise<{ vi: RunResult; en: RunResult }> => ({
      vi: await runKyso(args, { cwd: work, env: { ...VI, ...env } }),
      en: await runKyso([...args, "--lang", "en"], { cwd: work, env: { ...EN, ...env } }),
    });
    /** The `kyso: ...` lines of stderr: the error as the person reads it. */
    const errorLines = (r: RunResult): string => r.stderr.split("\n").filter((l) => l.startsWith("kyso: ")).join("\n");

    it("USAGE errors of kyso sign (a bad --rect, a bad --appearance value) in the language of the run, same exit code", async function () {
      const input = join(work, "doc.pdf");
      copyFileSync(samples.onePage, input);
      const rect = await both(["sign", input, "--p12", pki.officerRsa.p12, "--appearance", "personal", "--rect", "1,2"]);
      assert.equal(rect.en.code, 2, rect.en.stderr);
      assert.equal(rect.vi.code, 2, rect.vi.stderr);
      assert.match(errorLines(rect.en), /^kyso: --rect takes 4 numbers, e\.g\. --rect 360,80,180,100 \(got "1,2"\)$/);
      assertEnglish(rect.en, "kyso sign --rect 1,2 --lang en");
      assert.match(errorLines(rect.vi), /^kyso: --rect nhận 4 số, ví dụ --rect 360,80,180,100 \(nhận được "1,2"\)$/);
      assert.doesNotMatch(rect.vi.stderr, /takes|numbers|got/);
      const ap = await both(["sign", input, "--p12", pki.officerRsa.p12, "--appearance", "stamp"]);
      assert.equal(ap.en.code, 2, ap.en.stderr);
      assert.equal(ap.vi.code, 2, ap.vi.stderr);
      assert.match(ap.en.stderr, /Invalid values:\n\s+Argument: appearance, Given: "stamp", Choices: "personal"/);
      assertEnglish(ap.en, "kyso sign --appearance stamp --lang en");
      assert.match(ap.vi.stderr, /Tham số: appearance, đã cho: "stamp", chọn một trong: "personal"/);
      assert.doesNotMatch(ap.vi.stderr, /Invalid values|Argument|Given|Choices/);
      // Placement flags without a visible signature: a USAGE error the CLI itself throws.
      const page = await both(["sign", input, "--p12", pki.officerRsa.p12, "--page", "2"]);
      assert.equal(page.vi.code, 2, page.vi.stderr);
      assert.match(errorLines(page.en), /--page needs a visible signature: add --appearance /);
      assert.match(errorLines(page.vi), /--page cần chữ ký hiển thị: thêm --appearance /);
    });

    it("the config file's schema errors name the key and the file in the language of the run (CONFIG_INVALID, exit 2)", async function () {
      const file = join(work, "config.json");
      writeFileSync(file, JSON.stringify({ tokenLable: "VGCA-01", lang: 3 }));
      const r = await both(["config", "show", "--config", file]);
      assert.equal(r.en.code, 2, r.en.stderr);
      assert.equal(r.vi.code, 2, r.vi.stderr);
      assert.match(r.en.stderr, new RegExp(`^kyso: The config file ${file} is not valid:\n  unknown key "tokenLable" \\(did you mean "tokenLabel"\\?\\)\n  "lang" must be one of "vi", "en" \\(got 3\\)\n`));
      assertEnglish(r.en, "kyso config show --lang en");
      assert.match(r.vi.stderr, new RegExp(`^kyso: Tệp cấu hình ${file} không hợp lệ:\n  khóa không xác định "tokenLable" \\(có phải ý bạn là "tokenLabel"\\?\\)\n  "lang" phải là một trong "vi", "en" \\(nhận được 3\\)\n`));
      assert.doesNotMatch(r.vi.stderr, /unknown key|did you mean|must be|is not valid|listed in/);
      const json = await runKyso(["config", "show", "--config", file, "--json"], { cwd: work, env: { ...VI, ...env } });
      assert.equal(json.code, 2, "the same code with --json");
    });

    it("kyso trust add of a missing file: the refusal in the language of the run, without Node's English cause (exit 1)", async function () {
      const missing = join(work, "missing.pem");
      const r = await both(["trust", "add", missing]);
      assert.equal(r.en.code, 1, r.en.stderr);
      assert.equal(r.vi.code, 1, r.vi.stderr);
      assert.match(errorLines(r.en), new RegExp(`^kyso: ${missing}: cannot read the file \\(ENOENT\\).* \\[FILE_UNREADABLE\\]$`));
      assertEnglish(r.en, "kyso trust add missing --lang en");
      assert.equal(errorLines(r.vi), `kyso: ${missing}: không đọc được tệp (ENOENT) [FILE_UNREADABLE]`);
      // A USAGE error of the same command: the number of positional arguments.
      const list = await both(["trust", "list", "extra"]);
      assert.equal(list.vi.code, 2, list.vi.stderr);
      assert.equal(errorLines(list.en), "kyso: kyso trust list takes no positional arguments");
      assert.equal(errorLines(list.vi), "kyso: kyso trust list không nhận đối số vị trí nào");
    });

    it("kyso certs import that imports nothing: the rejected row and the summary in the language of the run (exit 1)", async function () {
      const db = join(work, "registry.db");
      writeFileSync(join(work, "certs.csv"), `holder,unit,type,file\n,PY,personal,${pki.officerRsa.cert}\n`);
      const r = await both(["certs", "import", "--csv", "certs.csv", "--db", db]);
      assert.equal(r.en.code, 1, r.en.stderr);
      assert.equal(r.vi.code, 1, r.vi.stderr);
      assert.equal(errorLines(r.en), "kyso: certs.csv: line 2: no holder\nkyso: nothing imported: 1 rejected (fix them, or use --skip-invalid to import the rest)");
      assertEnglish(r.en, "kyso certs import --lang en");
      assert.equal(errorLines(r.vi), "kyso: certs.csv: dòng 2: thiếu người sở hữu (holder)\nkyso: không nhập gì: 1 bị từ chối (hãy sửa, hoặc dùng --skip-invalid để nhập phần còn lại)");
      // --json keeps the machine's words: the source is "line 2" in either language.
      const json = await runKyso(["certs", "import", "--csv", "certs.csv", "--db", db, "--json"], { cwd: work, env: { ...VI, ...env } });
      assert.equal(json.code, 1, json.stderr);
      assert.equal((JSON.parse(json.stdout) as { rejected: { source: string; code: string }[] }).rejected[0].source, "line 2");
    });

    it("--help of units, certs, tokens, trust, users, api-keys, audit and config: the usage text in Vietnamese under vi_VN, none of the English one", async function () {
      const usageKeys = ["units", "certs", "tokens", "trust", "users", "api-keys", "audit", "config"] as const;
      for (const cmd of usageKeys) {
        const key = `${cmd}.usage` as keyof typeof en;
        // The lines of the English usage that are not also Vietnamese ones (the command synopses
        // that are the same in both are data): none may appear in the Vietnamese help.
        const viLines = new Set(vi[key].split("\n").map((l) => l.trim()));
        const english = en[key]
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l !== "" && !viLines.has(l) && !l.includes("{"));
        assert.ok(english.length >= 2, `${key}: an English usage to compare`);
        const r = await runKyso([cmd, "--help"], { env: { ...VI, ...noConfig } });
        assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
        const flat = r.stdout.replace(/\s+/g, " ");
        for (const line of english) assert.ok(!flat.includes(line.replace(/\s+/g, " ")), `kyso ${cmd} --help under vi_VN shows the English usage line: ${line}`);
        assert.match(r.stdout, new RegExp(`^kyso ${cmd} <thao tác>`), `kyso ${cmd} --help: the Vietnamese usage`);
        const enHelp = await runKyso([cmd, "--help", "--lang", "en"], { env: { ...EN, ...noConfig } });
        assert.match(enHelp.stdout, new RegExp(`^kyso ${cmd} <action>`), `kyso ${cmd} --help --lang en: the English usage`);
        assertEnglish(enHelp, `kyso ${cmd} --help --lang en`);
      }
    });
  });

  describe("kyso doctor and the registry's words (statuses, reasons, history)", function () {
    const work = mkdtempSync(join(tmpdir(), "kyso-catalogue-reg-"));
    const db = join(work, "registry.db");
    const env = { ...noConfig, XDG_DATA_HOME: work, KYSO_DB: "", KYSO_ACTOR: "catalogue-test" };
    const kyso = (args: string[], lang: "en" | "vi"): Promise<RunResult> =>
      runKyso([...args, "--db", db, ...(lang === "en" ? ["--lang", "en"] : [])], { cwd: work, env: { ...(lang === "en" ? EN : VI), ...env } });
    before(async function () {
      writeFileSync(join(work, "units.csv"), "code,name,level,parent\nPY,Tỉnh Phú Yên,province,\n");
      for (const args of [
        ["units", "import", "--csv", "units.csv"],
        ["certs", "import", pki.officerRsa.cert, "--holder", "Nguyễn Văn An", "--unit", "PY", "--type", "personal", "--token-serial", "TK-1"],
        ["tokens", "add", "TK-2"],
      ]) {
        const r = await kyso(args, "en");
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      }
      const list = JSON.parse((await kyso(["certs", "list", "--json"], "en")).stdout) as { serial: string }[];
      const r = await kyso(["certs", "revoke", list[0].serial, "--reason", "keyCompromise"], "en");
      assert.equal(r.code, 0, r.stderr);
    });

    it("kyso doctor: English with --lang en, Vietnamese under vi_VN (titles, findings, fixes, summary)", async function () {
      const args = ["doctor", "--check-url", "http://127.0.0.1:1/", "--timeout", "1000"];
      const en = await runKyso([...args, "--db", db, "--lang", "en"], { env: { ...EN, ...env } });
      assert.equal(en.code, 1, en.stderr);
      assert.match(en.stdout, /^OK {3}Trust store: /m);
      assert.match(en.stdout, /^FAIL Revocation servers: .*unreachable/m);
      assert.match(en.stdout, /checks need attention\.\n$/);
      assertEnglish(en, "kyso doctor --lang en");
      const vi = await runKyso([...args, "--db", db], { env: { ...VI, ...env } });
      assert.equal(vi.code, 1, vi.stderr);
      assert.match(vi.stdout, /^OK {3}Kho tin cậy: /m);
      assert.match(vi.stdout, /^LỖI {2}Máy chủ thu hồi: .*không kết nối được/m);
      assert.match(vi.stdout, /^ {5}cách sửa: /m);
      assert.match(vi.stdout, /mục cần xử lý\.\n$/);
      assert.doesNotMatch(vi.stdout, /Trust store|Revocation servers|unreachable|fix:|need attention|anchors/);
    });

    it("kyso certs list / show and tokens list: statuses and reasons in the language, never the codes", async function () {
      const serial = (JSON.parse((await kyso(["certs", "list", "--json"], "en")).stdout) as { serial: string }[])[0].serial;
      const enOut: string[] = [];
      const viOut: string[] = [];
      for (const args of [["certs", "list"], ["certs", "show", serial], ["tokens", "list"]]) {
        const en = await kyso(args, "en");
        assert.equal(en.code, 0, en.stderr);
        assertEnglish(en, `kyso ${args.join(" ")} --lang en`);
        enOut.push(en.stdout);
        const vi = await kyso(args, "vi");
        assert.equal(vi.code, 0, vi.stderr);
        viOut.push(vi.stdout);
      }
      const en = enOut.join("\n");
      const vi = viOut.join("\n");
      assert.match(en, /revoked/);
      assert.match(en, /key compromise/);
      assert.match(en, /in stock/);
      assert.match(en, /History:/);
      assert.match(vi, /đã thu hồi/);
      assert.match(vi, /lộ khóa bí mật/);
      assert.match(vi, /trong kho/);
      assert.match(vi, /Lịch sử:/);
      assert.doesNotMatch(vi, /\b(revoked|keyCompromise|key compromise|in_stock|in stock|History|Status|Holder)\b/);
    });
  });

  describe("verify and sign", function () {

    const dir = mkdtempSync(join(tmpdir(), "kyso-catalogue-"));
    const p12env = { KYSO_P12_PASSWORD: p12Password, ...noConfig };
    let signed: string;
    let tampered: string;
    before(async function () {
      const input = join(dir, "doc.pdf");
      copyFileSync(samples.onePage, input);
      const r = await runKyso(["sign", input, "--p12", pki.officerRsa.p12, "--lang", "en"], { env: { ...EN, ...p12env } });
      assert.equal(r.code, 0, r.stderr);
      assertEnglish(r, "kyso sign --lang en");
      signed = join(dir, "doc.signed.pdf");
      const bytes = readFileSync(signed);
      const at = bytes.indexOf("/MediaBox");
      bytes[at + 1] = bytes[at + 1] ^ 0x20;
      tampered = join(dir, "tampered.pdf");
      writeFileSync(tampered, bytes);
    });

    it("kyso verify of a signed and a tampered document: English with --lang en, Vietnamese under vi_VN", async function () {
      const en = await runKyso(["verify", signed, tampered, "--trust", pki.root, "--lang", "en"], { env: { ...EN, ...noConfig } });
      assert.equal(en.code, 1, en.stderr);
      assert.match(en.stdout, /VALID/);
      assert.match(en.stdout, /INVALID/);
      assertEnglish(en, "kyso verify --lang en");
      const vi = await runKyso(["verify", signed, tampered, "--trust", pki.root], { env: { ...VI, ...noConfig } });
      assert.equal(vi.code, 1, vi.stderr);
      assert.match(vi.stdout, /HỢP LỆ/);
      assert.match(vi.stdout, /KHÔNG HỢP LỆ/);
      assert.doesNotMatch(vi.stdout, /\b(VALID|INVALID|Signer|Coverage)\b/);
    });

    it("kyso sign of a missing file and an encrypted one: English with --lang en, Vietnamese under vi_VN", async function () {
      const missing = join(dir, "missing.pdf");
      const en = await runKyso(["sign", missing, "--p12", pki.officerRsa.p12, "--lang", "en"], { env: { ...EN, ...p12env } });
      assert.equal(en.code, 2, en.stderr);
      assert.match(en.stderr, /file not found/);
      assertEnglish(en, "kyso sign missing --lang en");
      const vi = await runKyso(["sign", missing, "--p12", pki.officerRsa.p12], { env: { ...VI, ...p12env } });
      assert.equal(vi.code, 2, vi.stderr);
      assert.match(vi.stderr, /không tìm thấy tệp/);

      const encEn = await runKyso(["sign", samples.encrypted, "--p12", pki.officerRsa.p12, "--out-dir", join(dir, "enc-en"), "--lang", "en"], { env: { ...EN, ...p12env } });
      assert.equal(encEn.code, 1, encEn.stderr);
      assert.match(encEn.stderr, /encrypted/);
      assertEnglish(encEn, "kyso sign encrypted --lang en");
      const encVi = await runKyso(["sign", samples.encrypted, "--p12", pki.officerRsa.p12, "--out-dir", join(dir, "enc-vi")], { env: { ...VI, ...p12env } });
      assert.equal(encVi.code, 1, encVi.stderr);
      assert.match(encVi.stderr, /Tài liệu đã được mã hóa/);
      assert.doesNotMatch(encVi.stderr, /The document is encrypted/);
    });

    it("kyso sign with a wrong PIN: English with --lang en, Vietnamese under vi_VN (a private token copy)", async function () {
      const { dir: tokDir, conf } = tokenCopy();
      const input = join(tokDir, "in.pdf");
      copyFileSync(samples.onePage, input);
      const pinFile = join(tokDir, "pin.txt");
      writeFileSync(pinFile, "999999\n");
      const args = ["sign", input, "--pkcs11-lib", pkcs11Lib(), "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--pin-file", pinFile];
      const env = { SOFTHSM2_CONF: conf, ...noConfig };
      const en = await runKyso([...args, "--lang", "en"], { env: { ...EN, ...env } });
      assert.equal(en.code, 2, en.stderr);
      assert.match(en.stderr, /Wrong PIN for token "KYSO-DEMO"/);
      assertEnglish(en, "kyso sign wrong PIN --lang en");
      const vi = await runKyso(args, { env: { ...VI, ...env } });
      assert.equal(vi.code, 2, vi.stderr);
      assert.match(vi.stderr, /Sai mã PIN của token "KYSO-DEMO"/);
      assert.ok(!`${en.stderr}${vi.stderr}`.includes("999999"), "the PIN is never echoed");
    });
  });

  describe("ordinary output and the libraries' refusals: users, trust, units (vi and en)", function () {
    const work = mkdtempSync(join(tmpdir(), "kyso-catalogue-out-"));
    const env = { ...noConfig, XDG_DATA_HOME: work, KYSO_DB: "", KYSO_ACTOR: "catalogue-test", KYSO_PASSWORD: "correct horse battery" };
    const run = (args: string[], lang: "en" | "vi", extra: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
      runKyso([...args, ...(lang === "en" ? ["--lang", "en"] : [])], { cwd: work, env: { ...(lang === "en" ? EN : VI), ...env, ...extra } });

    it("kyso users add / list on a SQLite database: the line, the table's headings, states and times in the language; the password policy of @kyso/accounts too", async function () {
      const db = join(work, "accounts.db");
      const addEn = await run(["users", "add", "lan", "--role", "clerk", "--db", db], "en");
      assert.equal(addEn.code, 0, addEn.stderr);
      assert.equal(addEn.stdout, "added user lan (clerk)\n");
      const addVi = await run(["users", "add", "binh", "--role", "auditor", "--db", db], "vi");
      assert.equal(addVi.code, 0, addVi.stderr);
      assert.equal(addVi.stdout, "đã thêm người dùng binh (kiểm tra)\n");
      const listEn = await run(["users", "list", "--db", db], "en");
      assert.match(listEn.stdout, /^NAME +ROLE +STATE +CREATED$/m);
      assert.match(listEn.stdout, /^lan +clerk +active +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+07:00$/m);
      assertEnglish(listEn, "kyso users list --lang en");
      const listVi = await run(["users", "list", "--db", db], "vi");
      assert.equal(listVi.code, 0, listVi.stderr);
      assert.match(listVi.stdout, /^TÊN +VAI TRÒ +TRẠNG THÁI +NGÀY TẠO$/m);
      assert.match(listVi.stdout, /^lan +văn thư +đang hoạt động +\d{2}:\d{2}:\d{2} \d{2}\/\d{2}\/\d{4} \(\+07:00\)$/m);
      assert.doesNotMatch(listVi.stdout, /\b(NAME|ROLE|STATE|CREATED|active|clerk)\b/);
      // PASSWORD_POLICY, thrown by @kyso/accounts with its facts: said from the catalogue under vi.
      const shortEn = await run(["users", "add", "an", "--role", "clerk", "--db", db], "en", { KYSO_PASSWORD: "short" });
      assert.equal(shortEn.code, 1, shortEn.stderr);
      assert.equal(shortEn.stderr, "kyso: The password must have at least 8 characters\n");
      const shortVi = await run(["users", "add", "an", "--role", "clerk", "--db", db], "vi", { KYSO_PASSWORD: "short" });
      assert.equal(shortVi.code, 1, shortVi.stderr);
      assert.equal(shortVi.stderr, "kyso: Mật khẩu phải có ít nhất 8 ký tự\n");
      const twice = await run(["users", "add", "lan", "--role", "clerk", "--db", db], "vi");
      assert.equal(twice.code, 1, twice.stderr);
      assert.equal(twice.stderr, "kyso: Đã có người dùng tên lan\n");
    });

    it("kyso trust list, and trust add of a leaf certificate (TRUST_NOT_CA from @kyso/trust): English with --lang en, Vietnamese under vi_VN", async function () {
      const en = await run(["trust", "list"], "en");
      assert.equal(en.code, 0, en.stderr);
      assert.match(en.stderr, /^\d+ certificates: \d+ trust anchors, \d+ intermediates\n$/);
      assert.match(en.stdout, /^[0-9a-f]{64} {2}anchor {7}bundled \d{4}-\d{2}-\d{2} – /m);
      // The bundled certificates' subjects are Vietnamese data (Ban Cơ yếu Chính phủ); the rest of each line is not.
      const ours = en.stdout.split("\n").filter((l) => /^[0-9a-f]{64}/.test(l)).join("\n");
      assert.deepEqual(vietnameseWords(`${ours}\n${en.stderr}`), [], en.stdout);
      const vi = await run(["trust", "list"], "vi");
      assert.equal(vi.code, 0, vi.stderr);
      assert.match(vi.stderr, /^\d+ chứng thư: \d+ điểm tin cậy gốc, \d+ CA trung gian\n$/);
      assert.match(vi.stdout, /^[0-9a-f]{64} {2}gốc {10}đi kèm {2}\d{2}\/\d{2}\/\d{4} – /m);
      assert.doesNotMatch(`${vi.stdout}${vi.stderr}`, /\b(anchor|bundled|intermediates|certificates)\b/);
      const leaf = await run(["trust", "add", pki.officerRsa.cert], "en");
      assert.equal(leaf.code, 1, leaf.stderr);
      assert.match(leaf.stderr, /^kyso: .*CN=Nguyễn Văn An is not a CA certificate \(no basicConstraints cA\); it cannot be a trust anchor or an intermediate \[TRUST_NOT_CA\]\n$/);
      const leafVi = await run(["trust", "add", pki.officerRsa.cert], "vi");
      assert.equal(leafVi.code, 1, leafVi.stderr);
      assert.match(leafVi.stderr, /^kyso: .*CN=Nguyễn Văn An không phải chứng thư CA \(không có basicConstraints cA\); không thể dùng làm điểm tin cậy gốc hay CA trung gian \[TRUST_NOT_CA\]\n$/);
    });

    it("kyso units add and import: the line in the language; the registry's refusals (unknown parent, no name, unknown level, CSV syntax) by code, vi and en", async function () {
      const db = join(work, "registry.db");
      const en = await run(["units", "add", "PY", "--name", "Tỉnh Phú Yên", "--level", "province", "--db", db], "en");
      assert.equal(en.code, 0, en.stderr);
      assert.equal(en.stdout, "added unit PY (province): Tỉnh Phú Yên\n");
      assertEnglish(en, "kyso units add --lang en");
      const vi = await run(["units", "add", "TH", "--name", "Huyện Tuy Hoà", "--level", "district", "--parent", "PY", "--db", db], "vi");
      assert.equal(vi.code, 0, vi.stderr);
      assert.equal(vi.stdout, "đã thêm đơn vị TH (cấp huyện, thuộc PY): Huyện Tuy Hoà\n");
      const orphanEn = await run(["units", "add", "X1", "--name", "X", "--level", "commune", "--parent", "NOPE", "--db", db], "en");
      assert.equal(orphanEn.code, 1, orphanEn.stderr);
      assert.equal(orphanEn.stderr, "kyso: Nothing imported: 1 unit rejected\n  kyso units add: unit X1: unknown parent unit NOPE\n");
      const orphanVi = await run(["units", "add", "X1", "--name", "X", "--level", "commune", "--parent", "NOPE", "--db", db], "vi");
      assert.equal(orphanVi.code, 1, orphanVi.stderr);
      assert.equal(orphanVi.stderr, "kyso: Không nhập gì: 1 đơn vị bị từ chối\n  kyso units add: đơn vị X1: không có đơn vị cấp trên NOPE\n");
      writeFileSync(join(work, "units.csv"), "code,name,level,parent\nA1,,commune,PY\nA2,Xã B,town,PY\n");
      const csvEn = await run(["units", "import", "--csv", "units.csv", "--db", db], "en");
      assert.equal(csvEn.code, 1, csvEn.stderr);
      assert.match(csvEn.stderr, /line 2: unit A1 has no name\n.*line 3: unknown level "town"/s);
      assertEnglish(csvEn, "kyso units import --lang en");
      const csvVi = await run(["units", "import", "--csv", "units.csv", "--db", db], "vi");
      assert.equal(csvVi.code, 1, csvVi.stderr);
      assert.match(csvVi.stderr, /^kyso: Không nhập gì: 2 đơn vị bị từ chối\n {2}units\.csv: dòng 2: đơn vị A1 chưa có tên\n {2}units\.csv: dòng 3: cấp "town" không xác định/);
      assert.doesNotMatch(csvVi.stderr, /Nothing|rejected|line|unknown|has no name/);
      writeFileSync(join(work, "broken.csv"), 'code,name,level\n"A1,x\n');
      const syntaxEn = await run(["units", "import", "--csv", "broken.csv", "--db", db], "en");
      assert.equal(syntaxEn.stderr, "kyso: line 2: unterminated quoted field\n");
      const syntaxVi = await run(["units", "import", "--csv", "broken.csv", "--db", db], "vi");
      assert.equal(syntaxVi.code, 1, syntaxVi.stderr);
      assert.equal(syntaxVi.stderr, "kyso: dòng 2: trường trong ngoặc kép chưa được đóng\n");
      // A refusal of the registry's own checks (UNKNOWN_UNIT, a Rejection with its facts) in kyso certs import.
      writeFileSync(join(work, "certs.csv"), `holder,unit,type,file\nAn,NOPE,personal,${pki.officerRsa.cert}\n`);
      const certsEn = await run(["certs", "import", "--csv", "certs.csv", "--db", db], "en");
      assert.equal(certsEn.code, 1, certsEn.stderr);
      assert.match(certsEn.stderr, /^kyso: certs\.csv: line 2: unknown unit NOPE$/m);
      const certsVi = await run(["certs", "import", "--csv", "certs.csv", "--db", db], "vi");
      assert.equal(certsVi.code, 1, certsVi.stderr);
      assert.match(certsVi.stderr, /^kyso: certs\.csv: dòng 2: không có đơn vị NOPE trong sổ đăng ký$/m);
    });
  });
  describe("times in either language, and the rest of the output (tokens, token, agent, csc, trust export, audit, layout refusals)", function () {
    const work = mkdtempSync(join(tmpdir(), "kyso-catalogue-rest-"));
    const env = { ...noConfig, XDG_DATA_HOME: work, KYSO_DB: "", KYSO_ACTOR: "catalogue-test", KYSO_PASSWORD: "correct horse battery", KYSO_P12_PASSWORD: p12Password };
    const run = (args: string[], lang: "en" | "vi", extra: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
      runKyso([...args, ...(lang === "en" ? ["--lang", "en"] : [])], { cwd: work, env: { ...(lang === "en" ? EN : VI), ...env, ...extra } });
    /** A catalogue text as a pattern: its {placeholders} match anything. */
    const pattern = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{\w+\\?\}/g, ".*")}$`);
    const EN_TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+07:00/;
    const VI_TIME = /\d{2}:\d{2}:\d{2} \d{2}\/\d{2}\/\d{4} \(\+07:00\)/;

    it("kyso users list and api-keys list: Vietnam time in the language's format (or the configured zone), ISO 8601 with --json", async function () {
      const db = join(work, "accounts.db");
      assert.equal((await run(["users", "add", "lan", "--role", "clerk", "--db", db], "en")).code, 0);
      assert.equal((await run(["api-keys", "create", "axis", "--scope", "inbox:write", "--db", db], "en")).code, 0);
      const users = await run(["users", "list", "--db", db], "en");
      assert.match(users.stdout, new RegExp(`^lan +clerk +active +${EN_TIME.source}$`, "m"));
      assert.doesNotMatch(users.stdout, /\d{4}-\d{2}-\d{2}T|Z$/m);
      const keys = await run(["api-keys", "list", "--db", db], "en");
      assert.equal(keys.code, 0, keys.stderr);
      assert.match(keys.stdout, new RegExp(`^axis .*${EN_TIME.source}`, "m"));
      assert.doesNotMatch(keys.stdout, /\d{4}-\d{2}-\d{2}T/);
      assertEnglish(keys, "kyso api-keys list --lang en");
      const keysVi = await run(["api-keys", "list", "--db", db], "vi");
      assert.match(keysVi.stdout, new RegExp(`^axis .*${VI_TIME.source}`, "m"));
      // The zone of the config (KYSO_TIMEZONE): the same time at +01:00.
      const paris = await run(["users", "list", "--db", db], "en", { KYSO_TIMEZONE: "+01:00" });
      assert.match(paris.stdout, /^lan +clerk +active +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+01:00$/m);
      const json = JSON.parse((await run(["users", "list", "--db", db, "--json"], "vi")).stdout) as { createdAt: string }[];
      assert.match(json[0].createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
    });

    it("kyso tokens list on a registry: the table's headings in the language", async function () {
      const db = join(work, "registry.db");
      assert.equal((await run(["tokens", "add", "TK-9", "--db", db], "en")).code, 0);
      const en = await run(["tokens", "list", "--db", db], "en");
      assert.match(en.stdout, /^SERIAL +STATUS +HOLDER +UNIT +MODEL\nTK-9 +in stock/);
      assertEnglish(en, "kyso tokens list --lang en");
      const vi = await run(["tokens", "list", "--db", db], "vi");
      assert.match(vi.stdout, /^SỐ HIỆU +TRẠNG THÁI +NGƯỜI GIỮ +ĐƠN VỊ +LOẠI\nTK-9 +trong kho/);
      // An unknown revocation reason (a USAGE error of @kyso/registry with its facts).
      const reasonEn = await run(["certs", "revoke", "1234", "--reason", "stolen", "--db", db], "en");
      assert.equal(reasonEn.code, 2, reasonEn.stderr);
      assert.match(reasonEn.stderr, /^kyso: Unknown revocation reason "stolen"; one of: unspecified, keyCompromise, /);
      const reasonVi = await run(["certs", "revoke", "1234", "--reason", "stolen", "--db", db], "vi");
      assert.equal(reasonVi.code, 2, reasonVi.stderr);
      assert.match(reasonVi.stderr, /^kyso: Lý do thu hồi "stolen" không xác định; chọn một trong: unspecified, keyCompromise, /);
    });

    it("kyso token list and token certs with the demo token: the PIN's state and the validity in the language", async function () {
      const args = ["--pkcs11-lib", pkcs11Lib()];
      const en = await run(["token", "list", ...args], "en");
      assert.equal(en.code, 0, en.stderr);
      assert.match(en.stdout, new RegExp(`"${token.label}" serial .*; PIN: (no warning flags set|a wrong PIN has been entered before \\(count low\\)|one try left before the token locks|the PIN is LOCKED)$`, "m"));
      assertEnglish(en, "kyso token list --lang en");
      const vi = await run(["token", "list", ...args], "vi");
      assert.equal(vi.code, 0, vi.stderr);
      assert.match(vi.stdout, new RegExp(`"${token.label}" số sê-ri .*; PIN: (không có cảnh báo|trước đó đã có lần nhập sai mã PIN|chỉ còn một lần thử trước khi token bị khóa|mã PIN ĐÃ BỊ KHÓA)$`, "m"));
      assert.doesNotMatch(vi.stdout, /no warning|count low|LOCKED|one try/);
      const certsEn = await run(["token", "certs", "--token-label", token.label, ...args], "en");
      assert.equal(certsEn.code, 0, certsEn.stderr);
      assert.match(certsEn.stdout, new RegExp(`^  valid: +${EN_TIME.source} \\.\\. ${EN_TIME.source}$`, "m"));
      const certsVi = await run(["token", "certs", "--token-label", token.label, ...args], "vi");
      assert.equal(certsVi.code, 0, certsVi.stderr);
      assert.match(certsVi.stdout, new RegExp(`^  hiệu lực: ${VI_TIME.source} \\.\\. ${VI_TIME.source}$`, "m"));
      assert.doesNotMatch(`${certsEn.stdout}${certsVi.stdout}`, /\d{4}-\d{2}-\d{2}T\d{2}/);
    });

    it("kyso agent status: each line a text of the run's catalogue", async function () {
      const statusTexts = (cat: Record<string, string>): RegExp[] => Object.entries(cat).filter(([k]) => /^agent\.status\.(?!describe|opt)/.test(k)).map(([, v]) => pattern(v));
      for (const [lang, cat] of [["en", en], ["vi", vi]] as const) {
        const r = await run(["agent", "status"], lang);
        const lines = r.stdout.split("\n").filter(Boolean);
        assert.ok(lines.length > 0, r.stderr);
        for (const line of lines) assert.ok(statusTexts(cat).some((re) => re.test(line)), `kyso agent status (${lang}): not a text of the catalogue: ${line}`);
        if (lang === "en") assertEnglish(r, "kyso agent status --lang en");
        else assert.match(r.stdout, VIETNAMESE);
      }
    });

    it("kyso agent's console log (from @kyso/agent's events): the listening line and a refused handshake in the language, the URL in both", async function () {
      for (const lang of ["en", "vi"] as const) {
        const home = join(work, `agent-log-${lang}`);
        const agentEnv: NodeJS.ProcessEnv = { ...process.env, ...(lang === "en" ? EN : VI), ...env, XDG_CONFIG_HOME: join(home, "config"), XDG_CACHE_HOME: join(home, "cache"), KYSO_PKCS11_LIB: pkcs11Lib(), DISPLAY: "", WAYLAND_DISPLAY: "" };
        delete agentEnv.KYSO_PIN;
        delete agentEnv.KYSO_AGENT_ALLOW_ORIGINS;
        // certs-test's driver reads the port from the first line holding ws://127.0.0.1:PORT, whatever the language.
        const agent = await spawnAgent({ kysoBin, args: ["--no-tls", "--port", "0", "--allow-origin", "https://example.test", "--prompt", "page", ...(lang === "en" ? ["--lang", "en"] : [])], env: agentEnv });
        try {
          const first = agent.stderr().split("\n")[0];
          assert.ok(first.startsWith("kyso agent: ") && first.includes(` ${agent.url} `), `${lang}: the first line names ${agent.url}: ${first}`);
          assert.ok(pattern(`kyso agent: ${(lang === "en" ? en : vi)["agent.log.listening"]}`).test(first), `${lang}: the catalogue's listening line: ${first}`);
          assert.ok(first.includes("https://example.test") && first.includes(`${agent.httpUrl}/confirm`), first);
          if (lang === "en") assert.deepEqual(vietnameseWords(first), [], first);
          else assert.match(first, VIETNAMESE);

          // A page of another site: 403 before any upgrade, and one line saying so.
          const status = await new Promise<number>((resolve, reject) => {
            const ws = new WebSocket(agent.url, { origin: "https://evil.test" });
            ws.on("unexpected-response", (_req, res) => {
              resolve(res.statusCode ?? 0);
              res.resume();
              ws.terminate();
            });
            ws.on("open", () => reject(new Error("the agent accepted a page of another site")));
            ws.on("error", () => undefined);
          });
          assert.equal(status, 403);
          while (!agent.stderr().includes("https://evil.test")) await new Promise((r) => setTimeout(r, 20));
          const refused = agent.stderr().split("\n").find((l) => l.includes("https://evil.test")) ?? "";
          if (lang === "en") {
            assert.equal(refused, "kyso agent: refused WebSocket handshake from origin https://evil.test");
            assertEnglish({ code: 0, signal: null, stdout: "", stderr: agent.stderr() }, "kyso agent --lang en");
          } else {
            assert.equal(refused, "kyso agent: đã từ chối kết nối WebSocket từ trang https://evil.test");
            assert.doesNotMatch(agent.stderr(), /listening on|refused|allowed origins/);
          }
        } finally {
          assert.equal(await agent.stop(), 0, agent.stderr());
        }
      }
    });

    it("kyso csc credentials against the CSC test server: headings and times in the language", async function () {
      const url = process.env.KYSO_TEST_CSC_URL;
      assert.ok(url, "the root hook starts the CSC test server");
      const args = ["csc", "credentials", "--csc", url, "--csc-client-id", "kyso-test"];
      const en = await run(args, "en", { KYSO_CSC_CLIENT_SECRET: "kyso-test-secret" });
      assert.equal(en.code, 0, en.stderr);
      assert.match(en.stdout, /^ID +Holder +Key +Valid until/);
      assert.match(en.stdout, /officer-rsa +Nguyễn Văn An +RSA 2048 +\d{4}-\d{2}-\d{2} \d{2}:\d{2} \+07:00 /);
      assertEnglish(en, "kyso csc credentials --lang en");
      const vi = await run(args, "vi", { KYSO_CSC_CLIENT_SECRET: "kyso-test-secret" });
      assert.equal(vi.code, 0, vi.stderr);
      assert.match(vi.stdout, /officer-rsa +Nguyễn Văn An +RSA 2048 +\d{2}:\d{2} \d{2}\/\d{2}\/\d{4} \(\+07:00\) /);
      assert.doesNotMatch(vi.stdout, /Holder|Valid until/);
    });

    it("kyso trust export: the signer described in the language", async function () {
      const args = ["trust", "export", "--p12", pki.orgSeal.p12, "--no-default-trust"];
      assert.equal((await run(["trust", "add", pki.root], "en")).code, 0);
      const en = await run([...args, "--tsl", "en.xml"], "en");
      assert.equal(en.code, 0, en.stderr);
      assert.match(en.stdout, /^wrote .*en\.xml: 1 certificates, signed with PKCS#12 .*org-seal\.p12$/m);
      const vi = await run([...args, "--tsl", "vi.xml"], "vi");
      assert.equal(vi.code, 0, vi.stderr);
      assert.match(vi.stdout, /^đã ghi .*vi\.xml: 1 chứng thư, ký bằng tệp PKCS#12 .*org-seal\.p12$/m);
    });

    it("kyso audit verify of a changed row: the break in the language (AUDIT_BREAK from @kyso/audit's facts)", async function () {
      const { openDatabase, sql } = await import("@kyso/db");
      const { AUDIT_MIGRATIONS, AuditTrail } = await import("@kyso/audit");
      const file = join(work, "audit.db");
      const db = await openDatabase(`sqlite:${file}`, { migrations: [AUDIT_MIGRATIONS] });
      try {
        const trail = new AuditTrail(db);
        for (let i = 1; i <= 3; i++) await trail.append({ actor: { kind: "user", name: "lan", role: "clerk" }, action: "inbox.register", target: String(i), source: "10.1.2.3", outcome: "ok", status: 200, details: {} });
        await db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
        await db.run(sql`UPDATE audit SET target = ${"9"} WHERE id = 2`);
      } finally {
        await db.close();
      }
      const en = await run(["audit", "verify", "--db", `sqlite:${file}`], "en");
      assert.equal(en.code, 1, en.stderr);
      assert.match(en.stdout, /^audit chain BROKEN at row 2: row 2 was changed after it was written \(its content no longer gives its hash\)$/m);
      assertEnglish(en, "kyso audit verify --lang en");
      const vi = await run(["audit", "verify", "--db", `sqlite:${file}`], "vi");
      assert.equal(vi.code, 1, vi.stderr);
      assert.match(vi.stdout, /: dòng 2 đã bị sửa sau khi ghi \(nội dung của nó không còn cho ra mã băm đã lưu\)$/m);
      assert.doesNotMatch(vi.stdout, /was changed|written/);
    });

    it("kyso sign with a page the document does not have, an anchor it does not hold, a box too small: the refusal in the language", async function () {
      const input = join(work, "doc.pdf");
      copyFileSync(samples.onePage, input);
      const base = ["sign", input, "--p12", pki.officerRsa.p12, "--trust", pki.root, "--appearance", "personal"];
      const cases: [string[], RegExp, RegExp][] = [
        [["--page", "99"], /Page 99 does not exist \(the document has 1 page\) \[APPEARANCE_NO_PAGE\]/, /Không có trang 99 \(tài liệu có 1 trang\) \[APPEARANCE_NO_PAGE\]/],
        [["--anchor", "XYZZY"], /The text "XYZZY" was not found in the document \[APPEARANCE_ANCHOR_NOT_FOUND\]/, /Không tìm thấy đoạn chữ "XYZZY" trong tài liệu \[APPEARANCE_ANCHOR_NOT_FOUND\]/],
        [["--rect", "100,100,40,20"], /The box \(40 x 20 pt\) is too small for a personal signature \[USAGE\]/, /Khung \(40 x 20 pt\) quá nhỏ cho chữ ký cá nhân \[USAGE\]/],
      ];
      for (const [flags, enText, viText] of cases) {
        const en = await run([...base, ...flags], "en");
        assert.equal(en.code, 1, en.stderr);
        assert.match(en.stderr, enText);
        assertEnglish(en, `kyso sign ${flags.join(" ")} --lang en`);
        const vi = await run([...base, ...flags], "vi");
        assert.equal(vi.code, 1, vi.stderr);
        assert.match(vi.stderr, viText);
        assert.doesNotMatch(vi.stderr, /does not exist|was not found|too small/);
      }
    });
  });
});
