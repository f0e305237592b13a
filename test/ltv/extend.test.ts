import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pki, p12Password, samples, startTestServers, type TestServers } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { extendPdfFile, ltvSignOptions, signPdfFile } from "@kyso/sign";
import { PdfReader, readDss } from "@kyso/pdf";
import { isKysoError } from "@kyso/core";
import { pdfsig, qpdfCheck } from "../support/judges.js";
import { kyso, opensslTsVerify, revocationTimeOfRevoked, sha256Hex, signatureContents, tmp } from "./helpers.js";

describe("kyso extend: B-LT and B-LTA for documents already signed", () => {
  let servers: TestServers;
  before(async () => {
    servers = await startTestServers();
  });
  after(async () => {
    await servers?.close();
  });

  it("a B-B document signed by poppler becomes B-LTA; pdfsig still finds its signature valid; openssl accepts both document timestamps", async () => {
    const dir = tmp();
    const r = await kyso(["extend", samples.presignedPdfsig, "--level", "B-LTA", "--tsa", servers.tsaUrl, "--out-dir", dir, "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = join(dir, "presigned-pdfsig.pdf");
    const input = readFileSync(samples.presignedPdfsig);
    assert.ok(readFileSync(out).subarray(0, input.length).equals(input), "the input is a byte-identical prefix");
    assert.equal((await qpdfCheck(out)).code, 0);
    const ps = await pdfsig(out, { ocsp: true });
    assert.equal(ps[0].field, "PopplerSignature");
    assert.ok(ps[0].signatureValid && ps[0].certificateTrusted, ps[0].raw);
    const sigs = signatureContents(out);
    // EN 319 142-1 §6.3: B-T needs a document timestamp (poppler's signature has no signature
    // timestamp), B-LTA a further one over the DSS: two, not one as this test used to expect.
    assert.equal(sigs.length, 3, "poppler's signature, the B-T document timestamp and the archive timestamp");
    const bytes = readFileSync(out);
    for (const s of sigs.slice(1)) {
      const [a, b, c, d] = s.byteRange;
      const v = await opensslTsVerify(s.cms, sha256Hex(Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)])));
      assert.equal(v.code, 0, v.stderr + v.stdout);
    }
    const rd = PdfReader.openFile(out);
    const dss = readDss(rd);
    rd.close();
    assert.ok(dss.ocsps.length >= 2, "the signer's and the TSA's OCSP responses");
  });

  it("re-running on a B-LTA document adds a fresh archive timestamp and keeps the earlier ones valid", async () => {
    const dir = tmp();
    const first = join(dir, "first.pdf");
    const second = join(dir, "second.pdf");
    await extendPdfFile(samples.presignedPdfsig, first, { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
    const r = await extendPdfFile(first, second, { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
    assert.equal(r.documentTimestamp, true);
    assert.deepEqual(r.added, ["dss", "archive-timestamp"], "already B-T: no second B-T timestamp, only the renewal");
    const sigs = signatureContents(second);
    assert.equal(sigs.length, 4, "the signature, the B-T timestamp, the first and the renewed archive timestamps");
    const bytes = readFileSync(second);
    for (const s of sigs.slice(1)) {
      const [a, b, c, d] = s.byteRange;
      const v = await opensslTsVerify(s.cms, sha256Hex(Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)])));
      assert.equal(v.code, 0, v.stderr);
    }
    assert.equal((await qpdfCheck(second)).code, 0);
    assert.ok((await pdfsig(second))[0].signatureValid);
  });

  it("a document whose signature does not verify is refused with the reason, and nothing is written", async () => {
    const dir = tmp();
    const broken = join(dir, "broken.pdf");
    const bytes = Buffer.from(readFileSync(samples.presignedPdfsig));
    const at = bytes.indexOf("/MediaBox");
    bytes[at + 1] = "m".charCodeAt(0); // a covered byte
    writeFileSync(broken, bytes);
    const out = join(dir, "broken.ltv.pdf");
    await assert.rejects(extendPdfFile(broken, out, { level: "B-LTA", tsaUrls: [servers.tsaUrl] }), (e: unknown) => isKysoError(e, "EXTEND_SIGNATURE_INVALID") && /message digest differs/.test((e as Error).message));
    assert.equal(existsSync(out), false);
  });

  it("a document without signatures is refused; in a batch the other documents go on (exit 1)", async () => {
    const dir = tmp();
    const r = await kyso(["extend", samples.onePage, samples.presignedPdfsig, "--tsa", servers.tsaUrl, "--out-dir", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no signatures to extend \[EXTEND_NO_SIGNATURES\]/);
    assert.equal(existsSync(join(dir, "one-page.pdf")), false);
    assert.ok(existsSync(join(dir, "presigned-pdfsig.pdf")));
  });

  it("never overwrites an existing output unless --force", async () => {
    const dir = tmp();
    const input = join(dir, "in.pdf");
    copyFileSync(samples.presignedPdfsig, input);
    writeFileSync(join(dir, "in.ltv.pdf"), "keep me");
    const r = await kyso(["extend", input, "--tsa", servers.tsaUrl]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OUTPUT_EXISTS/);
    assert.equal(readFileSync(join(dir, "in.ltv.pdf"), "utf8"), "keep me");
    const f = await kyso(["extend", input, "--tsa", servers.tsaUrl, "--force"]);
    assert.equal(f.code, 0, f.stderr);
    assert.notEqual(readFileSync(join(dir, "in.ltv.pdf"), "utf8"), "keep me");
  });

  it("the TSA down: extend fails naming the server, no output", async () => {
    const dir = tmp();
    const r = await kyso(["extend", samples.presignedPdfsig, "--tsa", "http://127.0.0.1:9/tsa", "--tsa-timeout", "1", "--out-dir", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Time-stamp server http:\/\/127\.0\.0\.1:9\/tsa is unreachable/);
    assert.equal(existsSync(join(dir, "presigned-pdfsig.pdf")), false);
  });

  it("a signer revoked after its signature timestamp: extend adds the 'revoked' OCSP evidence; revoked before: extend refuses", async () => {
    const signer = await Pkcs12Signer.open(pki.revoked.p12, p12Password);
    const revokedAt = revocationTimeOfRevoked();
    const dir = tmp();
    // A TSA whose token says one hour before the revocation: the signature existed while the certificate was good.
    const early = join(dir, "early.pdf");
    await signPdfFile(samples.onePage, early, signer, ltvSignOptions({ level: "B-T", tsaUrls: [`${servers.tsaUrl}?genTime=${new Date(revokedAt.getTime() - 3600_000).toISOString()}`] }));
    await extendPdfFile(early, join(dir, "early.ltv.pdf"), { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
    assert.ok(existsSync(join(dir, "early.ltv.pdf")));
    const late = join(dir, "late.pdf");
    await signPdfFile(samples.onePage, late, signer, ltvSignOptions({ level: "B-T", tsaUrls: [servers.tsaUrl] }));
    await assert.rejects(extendPdfFile(late, join(dir, "late.ltv.pdf"), { level: "B-LTA", tsaUrls: [servers.tsaUrl] }), (e: unknown) => isKysoError(e, "SIGNER_REVOKED"));
    assert.equal(existsSync(join(dir, "late.ltv.pdf")), false);
  });
});
