// The bundled Vietnam trust store: pins, manifest and openssl agree; a changed file is refused.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isKysoError } from "@kyso/core";
import { BUNDLED_PINS, bundledDataDir, bundledTrust, loadTrustStore, trustAnchorsAndIntermediates } from "../src/index.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const manifestPath = join(repoRoot, "..", "shared", "trust", "vn", "MANIFEST.md");
const dataDir = bundledDataDir();

/** The manifest's table: file -> { role, sha256 }. */
function manifestTable(): Map<string, { role: string; sha256: string }> {
  const out = new Map<string, { role: string; sha256: string }>();
  for (const line of readFileSync(manifestPath, "utf8").split("\n")) {
    const m = /^\|\s*`([^`]+\.pem)`\s*\|\s*([^|]+?)\s*\|[^|]*\|[^|]*\|\s*`([0-9a-f]{64})`\s*\|/.exec(line);
    if (m) out.set(m[1], { role: m[2], sha256: m[3] });
  }
  return out;
}

function opensslSha256(file: string): string {
  const out = execFileSync("openssl", ["x509", "-in", file, "-noout", "-fingerprint", "-sha256"], { encoding: "utf8" });
  return /Fingerprint=([0-9A-F:]+)/i.exec(out)![1].replace(/:/g, "").toLowerCase();
}

describe("trust: the bundled Vietnam certificates", function () {
  it("pins the five files of the manifest with the manifest's SHA-256, and openssl computes the same", function () {
    const table = manifestTable();
    assert.equal(table.size, 5, `the manifest's table has ${table.size} rows`);
    assert.deepEqual([...table.keys()].sort(), BUNDLED_PINS.map((p) => p.file).sort());
    for (const pin of BUNDLED_PINS) {
      const row = table.get(pin.file)!;
      assert.equal(pin.sha256, row.sha256, `${pin.file}: pin differs from the manifest`);
      assert.equal(pin.role === "anchor", row.role.startsWith("root"), `${pin.file}: role ${pin.role} vs manifest "${row.role}"`);
      assert.equal(opensslSha256(join(dataDir, pin.file)), row.sha256, `${pin.file}: openssl fingerprint`);
      // The package's copy is the shared file, byte for byte.
      assert.deepEqual(readFileSync(join(dataDir, pin.file)), readFileSync(join(repoRoot, "..", "shared", "trust", "vn", pin.file)));
    }
  });

  it("loads three anchors and two intermediates, with subjects, validity and lower-case hex fingerprints", function () {
    const entries = bundledTrust();
    assert.equal(entries.length, 5);
    const byFile = new Map(BUNDLED_PINS.map((p, k) => [p.file, entries[k]]));
    const g2 = byFile.get("vgca-rootca-g2.pem")!;
    assert.equal(g2.subject, "C=VN, O=Ban Cơ yếu Chính phủ, CN=RootCA chuyên dùng Chính phủ G2");
    assert.equal(g2.role, "anchor");
    assert.equal(g2.source, "bundled");
    assert.equal(g2.notBefore.toISOString(), "2018-08-22T07:36:39.000Z");
    assert.equal(g2.notAfter.toISOString(), "2048-08-14T07:36:39.000Z");
    const vnpt = byFile.get("vnpt-ca-sha2.pem")!;
    assert.equal(vnpt.role, "intermediate");
    assert.equal(vnpt.issuer, "C=VN, O=Ministry of Information and Communications, OU=National Centre of Digital Signature Authentication, CN=Vietnam National Root CA");
    for (const e of entries) assert.match(e.sha256, /^[0-9a-f]{64}$/);
    const { anchors, intermediates } = trustAnchorsAndIntermediates(entries);
    assert.equal(anchors.length, 3);
    assert.equal(intermediates.length, 2);
    assert.deepEqual(new Uint8Array(anchors[1]), new Uint8Array(g2.der));
  });

  it("openssl verify says OK for both intermediates under their roots", function () {
    const pairs = [
      ["vgca-rootca-g2.pem", "vgca-ca-co-quan-nha-nuoc-g2.pem"],
      ["vietnam-national-root-ca.pem", "vnpt-ca-sha2.pem"],
    ];
    for (const [root, inter] of pairs) {
      const out = execFileSync("openssl", ["verify", "-CAfile", join(dataDir, root), join(dataDir, inter)], { encoding: "utf8" });
      assert.match(out, /: OK\s*$/, `${inter} under ${root}`);
    }
    // And not under the other hierarchy's root.
    assert.throws(() => execFileSync("openssl", ["verify", "-CAfile", join(dataDir, "vgca-rootca-g2.pem"), join(dataDir, "vnpt-ca-sha2.pem")], { stdio: "pipe" }));
  });

  it("refuses a bundled file whose fingerprint is not its pin (TRUST_PIN_MISMATCH), and a missing one", function () {
    const dir = mkdtempSync(join(tmpdir(), "kyso-trust-pin-"));
    try {
      cpSync(dataDir, dir, { recursive: true });
      // Swap two roots' contents: both are valid certificates, neither is what its name pins.
      writeFileSync(join(dir, "vgca-rootca-g1.pem"), readFileSync(join(dataDir, "vgca-rootca-g2.pem")));
      assert.throws(() => bundledTrust(dir), (e) => isKysoError(e, "TRUST_PIN_MISMATCH") && /vgca-rootca-g1\.pem/.test(e.message));
      rmSync(join(dir, "vgca-rootca-g1.pem"));
      assert.throws(() => bundledTrust(dir), (e) => isKysoError(e, "TRUST_BUNDLED_MISSING"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds its data relative to the module, from src/ and from the built dist/", async function () {
    assert.equal(dataDir, join(repoRoot, "packages", "trust", "data", "vn") + "/");
    const built = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof import("../src/index.js");
    assert.equal(built.bundledDataDir(), dataDir);
    assert.equal(built.bundledTrust().length, 5);
    const pkg = JSON.parse(readFileSync(join(repoRoot, "packages", "trust", "package.json"), "utf8")) as { files: string[] };
    assert.ok(pkg.files.includes("data") && pkg.files.includes("dist"), "package.json files ships data/ beside dist/");
    assert.ok(existsSync(join(dataDir, "SOURCES.md")));
  });

  it("loadTrustStore without bundled certificates and with an empty local store is empty", function () {
    const dir = mkdtempSync(join(tmpdir(), "kyso-trust-empty-"));
    try {
      assert.deepEqual(loadTrustStore({ includeBundled: false, env: { XDG_DATA_HOME: dir } }), []);
      assert.equal(loadTrustStore({ env: { XDG_DATA_HOME: dir } }).length, 5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
