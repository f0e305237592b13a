// `kyso trust` as a clerk's machine and a province's administrator run it: the real CLI process,
// a temporary $XDG_DATA_HOME, the test PKI's PKCS#12 files and the SoftHSM demo token.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { p12Password, pki, token } from "@kyso/certs-test";
import { runKyso } from "../support/cli.js";

const sha = (pemFile: string): string => createHash("sha256").update(new X509Certificate(readFileSync(pemFile)).raw).digest("hex");
const G2_ROOT = "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8";

interface ListedEntry {
  sha256: string;
  role: string;
  source: string;
  subject: string;
  notBefore: string;
  notAfter: string;
}

function xmlsecVerifies(file: string, certPem: string): boolean {
  const r = spawnSync("xmlsec1", ["--verify", "--pubkey-cert-pem", certPem, "--enabled-key-data", "key-name", file], { encoding: "utf8" });
  return r.status === 0;
}

describe("kyso trust", function () {
  let work: string;
  /** The province administrator's machine and a clerk's machine: two data homes. */
  let admin: NodeJS.ProcessEnv;
  let clerk: NodeJS.ProcessEnv;
  before(function () {
    work = mkdtempSync(join(tmpdir(), "kyso-trust-cli-"));
    admin = { XDG_DATA_HOME: join(work, "admin") };
    clerk = { XDG_DATA_HOME: join(work, "clerk") };
  });
  after(function () {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("list: the five bundled certificates with subject, validity, role, source and SHA-256", async function () {
    const r = await runKyso(["trust", "list", "--json"], { env: admin });
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as ListedEntry[];
    assert.equal(list.length, 5);
    const g2 = list.find((e) => e.sha256 === G2_ROOT)!;
    assert.deepEqual([g2.role, g2.source, g2.subject, g2.notBefore, g2.notAfter], [
      "anchor", "bundled", "C=VN, O=Ban Cơ yếu Chính phủ, CN=RootCA chuyên dùng Chính phủ G2", "2018-08-22T07:36:39.000Z", "2048-08-14T07:36:39.000Z",
    ]);
    assert.deepEqual(list.map((e) => e.role).sort(), ["anchor", "anchor", "anchor", "intermediate", "intermediate"]);
    const text = await runKyso(["trust", "list"], { env: admin });
    assert.equal(text.code, 0);
    assert.match(text.stdout, new RegExp(`${G2_ROOT}\\s+anchor\\s+bundled\\s+2018-08-22 – 2048-08-14`));
    assert.match(text.stdout, /CN=CA phục vụ các cơ quan Nhà nước G2/);
    const none = await runKyso(["trust", "list", "--json", "--no-default-trust"], { env: admin });
    assert.deepEqual(JSON.parse(none.stdout), []);
  });

  it("add, show, list, remove round trip in $XDG_DATA_HOME; the default role follows self-signature", async function () {
    const root = await runKyso(["trust", "add", pki.root], { env: admin });
    assert.equal(root.code, 0, root.stderr);
    assert.match(root.stdout, new RegExp(`added\\s+anchor\\s+${sha(pki.root)}`));
    // The intermediate as DER, to show DER files are read too.
    const derFile = join(work, "intermediate.der");
    writeFileSync(derFile, new X509Certificate(readFileSync(pki.intermediate)).raw);
    const inter = await runKyso(["trust", "add", derFile], { env: admin });
    assert.equal(inter.code, 0, inter.stderr);
    assert.match(inter.stdout, new RegExp(`added\\s+intermediate\\s+${sha(pki.intermediate)}`));
    assert.ok(existsSync(join(work, "admin", "kyso", "trust", "anchors", `${sha(pki.root)}.pem`)));
    assert.ok(existsSync(join(work, "admin", "kyso", "trust", "intermediates", `${sha(pki.intermediate)}.pem`)));

    const local = JSON.parse((await runKyso(["trust", "list", "--json", "--no-default-trust"], { env: admin })).stdout) as ListedEntry[];
    assert.deepEqual(local.map((e) => [e.sha256, e.role, e.source]), [
      [sha(pki.root), "anchor", "local"],
      [sha(pki.intermediate), "intermediate", "local"],
    ]);
    assert.equal((JSON.parse((await runKyso(["trust", "list", "--json"], { env: admin })).stdout) as ListedEntry[]).length, 7);

    const show = await runKyso(["trust", "show", sha(pki.intermediate).slice(0, 12), "--json"], { env: admin });
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.stdout) as ListedEntry & { pem: string; inStore: boolean };
    assert.equal(shown.role, "intermediate");
    assert.equal(shown.inStore, true);
    assert.match(shown.pem, /^-----BEGIN CERTIFICATE-----/);
    const showFile = await runKyso(["trust", "show", pki.officerRsa.cert], { env: admin });
    assert.equal(showFile.code, 0, showFile.stderr);
    assert.match(showFile.stdout, /not in the trust store/);
    assert.match(showFile.stdout, new RegExp(`SHA-256:\\s+${sha(pki.officerRsa.cert)}`));

    // An intermediate forced to be an anchor moves; removing it leaves the root.
    const forced = await runKyso(["trust", "add", pki.intermediate, "--role", "anchor"], { env: admin });
    assert.equal(forced.code, 0, forced.stderr);
    const rm = await runKyso(["trust", "remove", sha(pki.intermediate).slice(0, 8)], { env: admin });
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /removed\s+anchor/);
    const after = JSON.parse((await runKyso(["trust", "list", "--json", "--no-default-trust"], { env: admin })).stdout) as ListedEntry[];
    assert.deepEqual(after.map((e) => e.sha256), [sha(pki.root)]);
    // Put the intermediate back for the list exported below.
    assert.equal((await runKyso(["trust", "add", pki.intermediate], { env: admin })).code, 0);
  });

  it("refusals exit 1 (bundled removal, unknown prefix, end-entity certificate), usage errors exit 2", async function () {
    const bundled = await runKyso(["trust", "remove", G2_ROOT.slice(0, 8)], { env: admin });
    assert.equal(bundled.code, 1);
    assert.match(bundled.stderr, /TRUST_BUNDLED/);
    const unknown = await runKyso(["trust", "remove", "0000000000"], { env: admin });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /TRUST_NOT_FOUND/);
    const leaf = await runKyso(["trust", "add", pki.officerRsa.cert], { env: admin });
    assert.equal(leaf.code, 1);
    assert.match(leaf.stderr, /TRUST_NOT_CA/);
    assert.equal((await runKyso(["trust", "remove"], { env: admin })).code, 2);
    assert.equal((await runKyso(["trust", "export"], { env: admin })).code, 2);
    assert.equal((await runKyso(["trust", "frobnicate"], { env: admin })).code, 2);
    assert.equal((await runKyso(["trust", "add", pki.root, "--role", "boss"], { env: admin })).code, 2);
  });

  it("export --p12 writes a TS 119 612 list that xmlsec1 verifies; import with that certificate fills a clerk's store", async function () {
    const tsl = join(work, "bac-ninh.xml");
    const exp = await runKyso(["trust", "export", "--tsl", tsl, "--p12", pki.orgSeal.p12, "--scheme-operator", "Sở TT&TT Bắc Ninh", "--sequence", "3"], {
      env: { ...admin, KYSO_P12_PASSWORD: p12Password },
    });
    assert.equal(exp.code, 0, exp.stderr);
    const xml = readFileSync(tsl, "utf8");
    assert.match(xml, /<tsl:TSLSequenceNumber>3<\/tsl:TSLSequenceNumber>/);
    assert.match(xml, /Sở TT&amp;TT Bắc Ninh/);
    assert.equal((xml.match(/<tsl:TSPService>/g) ?? []).length, 7);
    assert.ok(xmlsecVerifies(tsl, pki.orgSeal.cert), "xmlsec1 verifies the exported list");
    assert.ok(!readdirSync(work).some((f) => f.endsWith(".tmp")), "no temp file left by the atomic write");
    // No overwrite without --force.
    const again = await runKyso(["trust", "export", "--tsl", tsl, "--p12", pki.orgSeal.p12], { env: { ...admin, KYSO_P12_PASSWORD: p12Password } });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /OUTPUT_EXISTS/);

    const wrong = await runKyso(["trust", "import", "--tsl", tsl, "--tsl-signer", pki.officerRsa.cert], { env: clerk });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /TSL_SIGNATURE_INVALID/);
    assert.equal(existsSync(join(work, "clerk", "kyso", "trust")), false, "a refused list adds nothing");

    const ok = await runKyso(["trust", "import", "--tsl", tsl, "--tsl-signer", pki.orgSeal.cert, "--json"], { env: clerk });
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { added: ListedEntry[]; alreadyBundled: number; list: { sequenceNumber: number; operator: string } };
    assert.equal(report.alreadyBundled, 5);
    assert.equal(report.list.sequenceNumber, 3);
    assert.equal(report.list.operator, "Sở TT&TT Bắc Ninh");
    assert.deepEqual(report.added.map((e) => [e.sha256, e.role]), [
      [sha(pki.root), "anchor"],
      [sha(pki.intermediate), "intermediate"],
    ]);
    const clerkStore = JSON.parse((await runKyso(["trust", "list", "--json", "--no-default-trust"], { env: clerk })).stdout) as ListedEntry[];
    assert.deepEqual(clerkStore.map((e) => [e.sha256, e.role, e.source]), [
      [sha(pki.root), "anchor", "local"],
      [sha(pki.intermediate), "intermediate", "local"],
    ]);
  });

  it("import refuses a list with one certificate byte changed (exit 1), as xmlsec1 does", async function () {
    const tsl = join(work, "bac-ninh.xml");
    const xml = readFileSync(tsl, "utf8");
    let k = -1;
    const tampered = xml.replace(/<tsl:X509Certificate>([^<]+)<\/tsl:X509Certificate>/g, (whole, b64: string) => {
      if (++k !== 5) return whole; // the test root, not yet in a fresh clerk's store
      const bytes = Buffer.from(b64, "base64");
      bytes[bytes.length - 30] ^= 0x80;
      return `<tsl:X509Certificate>${bytes.toString("base64")}</tsl:X509Certificate>`;
    });
    assert.notEqual(tampered, xml);
    const file = join(work, "tampered.xml");
    writeFileSync(file, tampered);
    assert.ok(!xmlsecVerifies(file, pki.orgSeal.cert), "xmlsec1 refuses the tampered list");
    const fresh = { XDG_DATA_HOME: join(work, "clerk2") };
    const r = await runKyso(["trust", "import", "--tsl", file, "--tsl-signer", pki.orgSeal.cert], { env: fresh });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TSL_SIGNATURE_INVALID/);
    assert.equal(existsSync(join(work, "clerk2", "kyso", "trust")), false);
  });

  it("export signed on the SoftHSM token (ECDSA key, PIN from KYSO_PIN) imports with the token certificate", async function () {
    const tsl = join(work, "token.xml");
    const exp = await runKyso(["trust", "export", "--tsl", tsl, "--token-label", token.label, "--key-label", token.keys.officerEc.label], {
      env: { ...admin, KYSO_PIN: token.userPin },
    });
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(readFileSync(tsl, "utf8"), /ecdsa-sha256/);
    assert.ok(xmlsecVerifies(tsl, pki.officerEc.cert), "xmlsec1 verifies the token-signed list");
    const fresh = { XDG_DATA_HOME: join(work, "clerk3") };
    const ok = await runKyso(["trust", "import", "--tsl", tsl, "--tsl-signer", pki.officerEc.cert], { env: fresh });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`added\\s+anchor\\s+${sha(pki.root)}`));
    const wrongPin = await runKyso(["trust", "export", "--tsl", join(work, "x.xml"), "--token-label", token.label, "--key-label", token.keys.officerEc.label], {
      env: { ...admin, KYSO_PIN: "000000" },
    });
    assert.equal(wrongPin.code, 2);
    assert.equal(existsSync(join(work, "x.xml")), false);
  });
});
