// The local trust store: add, list, remove under $XDG_DATA_HOME, with the refusals that keep it honest.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isKysoError } from "@kyso/core";
import { pki } from "@kyso/certs-test";
import { caSharingPrefixWith, twoCasSharingPrefix } from "./support/make-ca.js";
import { addToLocalStore, bundledTrust, defaultRole, loadTrustStore, localStoreDir, localTrust, removeFromLocalStore, sha256Hex, trustAnchorsAndIntermediates } from "../src/index.js";

const der = (pemFile: string): Uint8Array => new Uint8Array(new X509Certificate(readFileSync(pemFile)).raw);
const root = der(pki.root);
const intermediate = der(pki.intermediate);
const officer = der(pki.officerRsa.cert);

describe("trust: the local store", function () {
  let xdg: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(function () {
    xdg = mkdtempSync(join(tmpdir(), "kyso-trust-local-"));
    env = { XDG_DATA_HOME: xdg, HOME: "/nonexistent" };
  });
  afterEach(function () {
    rmSync(xdg, { recursive: true, force: true });
  });

  it("lives in $XDG_DATA_HOME/kyso/trust, else ~/.local/share/kyso/trust (a relative XDG_DATA_HOME is ignored, as the spec says)", function () {
    assert.equal(localStoreDir({ env }), join(xdg, "kyso", "trust"));
    assert.equal(localStoreDir({ env: { HOME: "/home/clerk" } }), "/home/clerk/.local/share/kyso/trust");
    assert.equal(localStoreDir({ env: { HOME: "/home/clerk", XDG_DATA_HOME: "data" } }), "/home/clerk/.local/share/kyso/trust");
    assert.equal(localStoreDir({ localDir: "/srv/trust", env }), "/srv/trust");
  });

  it("adds an anchor and an intermediate, lists them after the bundled ones, removes one by a fingerprint prefix", function () {
    assert.equal(defaultRole(root), "anchor");
    assert.equal(defaultRole(intermediate), "intermediate");
    const a = addToLocalStore(root, "anchor", { env });
    const i = addToLocalStore(intermediate, "intermediate", { env });
    assert.equal(a.sha256, sha256Hex(root));
    assert.equal(a.source, "local");
    assert.match(a.subject, /CN=Kyso Test Root CA/);
    // Files named by the fingerprint, nothing else left behind (no temp files of the atomic write).
    assert.deepEqual(readdirSync(join(xdg, "kyso", "trust", "anchors")), [`${a.sha256}.pem`]);
    assert.deepEqual(readdirSync(join(xdg, "kyso", "trust", "intermediates")), [`${i.sha256}.pem`]);
    const all = loadTrustStore({ env });
    assert.equal(all.length, 7);
    assert.deepEqual(all.slice(5).map((e) => [e.sha256, e.role, e.source]), [
      [a.sha256, "anchor", "local"],
      [i.sha256, "intermediate", "local"],
    ]);
    const { anchors, intermediates } = trustAnchorsAndIntermediates(loadTrustStore({ env, includeBundled: false }));
    assert.deepEqual(anchors.map(sha256Hex), [a.sha256]);
    assert.deepEqual(intermediates.map(sha256Hex), [i.sha256]);

    const removed = removeFromLocalStore(i.sha256.slice(0, 10).toUpperCase(), { env });
    assert.equal(removed.sha256, i.sha256);
    assert.deepEqual(localTrust({ env }).map((e) => e.sha256), [a.sha256]);
    assert.throws(() => removeFromLocalStore(i.sha256, { env }), (e) => isKysoError(e, "TRUST_NOT_FOUND"));
  });

  it("moves a certificate added again with the other role, and keeps one copy", function () {
    addToLocalStore(intermediate, "intermediate", { env });
    addToLocalStore(intermediate, "anchor", { env });
    const local = localTrust({ env });
    assert.equal(local.length, 1);
    assert.equal(local[0].role, "anchor");
  });

  it("refuses to remove a bundled certificate (TRUST_BUNDLED) and refuses an ambiguous prefix (TRUST_AMBIGUOUS)", function () {
    const g2 = bundledTrust()[1];
    assert.throws(() => removeFromLocalStore(g2.sha256.slice(0, 8), { env }), (e) => isKysoError(e, "TRUST_BUNDLED"));
    // Two local CAs whose fingerprints share their first 4 hex digits.
    const [x, y] = twoCasSharingPrefix(4);
    const ex = addToLocalStore(x, "anchor", { env });
    const ey = addToLocalStore(y, "anchor", { env });
    assert.equal(ex.sha256.slice(0, 4), ey.sha256.slice(0, 4));
    assert.throws(() => removeFromLocalStore(ex.sha256.slice(0, 4), { env }), (e) => isKysoError(e, "TRUST_AMBIGUOUS"));
    // A local CA sharing 4 digits with a bundled one: that prefix is ambiguous too.
    const z = addToLocalStore(caSharingPrefixWith(bundledTrust().map((b) => b.sha256), 4), "anchor", { env });
    assert.throws(() => removeFromLocalStore(z.sha256.slice(0, 4), { env }), (e) => isKysoError(e, "TRUST_AMBIGUOUS"));
    assert.throws(() => removeFromLocalStore("a", { env }), (e) => isKysoError(e, "USAGE"));
    assert.equal(localTrust({ env }).length, 3, "nothing was removed by the refused calls");
    // One more digit tells them apart.
    let n = 5;
    while (ex.sha256.slice(0, n) === ey.sha256.slice(0, n)) n++;
    assert.equal(removeFromLocalStore(ex.sha256.slice(0, n), { env }).sha256, ex.sha256);
    assert.equal(localTrust({ env }).length, 2);
  });

  it("refuses an end-entity certificate (TRUST_NOT_CA) and bytes that are not a certificate (TRUST_CERT_INVALID)", function () {
    assert.throws(() => addToLocalStore(officer, "intermediate", { env }), (e) => isKysoError(e, "TRUST_NOT_CA"));
    assert.throws(() => addToLocalStore(officer, "anchor", { env }), (e) => isKysoError(e, "TRUST_NOT_CA"));
    const broken = new Uint8Array(root);
    broken[10] ^= 0xff;
    assert.throws(() => addToLocalStore(broken.subarray(0, 100), "anchor", { env }), (e) => isKysoError(e, "TRUST_CERT_INVALID"));
    assert.deepEqual(localTrust({ env }), []);
  });

  it("refuses a store file whose name is not its fingerprint (TRUST_LOCAL_MISMATCH), and ignores files not named by one", function () {
    const dir = join(xdg, "kyso", "trust", "anchors");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "README.txt"), "notes of the administrator\n");
    assert.deepEqual(localTrust({ env }), []);
    writeFileSync(join(dir, `${sha256Hex(intermediate)}.pem`), readFileSync(pki.root));
    assert.throws(() => loadTrustStore({ env }), (e) => isKysoError(e, "TRUST_LOCAL_MISMATCH"));
  });

  it("a local copy of a bundled certificate is listed once, with the bundled role", function () {
    const vnpt = bundledTrust()[4];
    addToLocalStore(vnpt.der, "anchor", { env });
    const all = loadTrustStore({ env });
    const copies = all.filter((e) => e.sha256 === vnpt.sha256);
    assert.equal(copies.length, 1);
    assert.equal(copies[0].source, "bundled");
    assert.equal(copies[0].role, "intermediate");
    // Without the bundled store the local addition stands on its own.
    assert.equal(loadTrustStore({ env, includeBundled: false })[0].role, "anchor");
  });
});
