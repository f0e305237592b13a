import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pki, p12Password, samples, serverBase, startTestServers, type TestServers } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { ltvSignOptions, signPdfFile } from "@kyso/sign";
import { PdfReader, readDss } from "@kyso/pdf";
import { isKysoError } from "@kyso/core";
import { pdfsig, qpdfCheck, tool } from "../support/judges.js";
import { kyso, opensslTsVerify, sha256Hex, signatureAndTimestamp, signatureContents, tmp } from "./helpers.js";

/** The /Type /DocTimeStamp dictionaries qpdf sees (an independent parser). */
async function qpdfObjects(file: string): Promise<Record<string, unknown>> {
  const r = await tool("qpdf", ["--json=1", "--json-key=objects", file]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { objects: Record<string, unknown> }).objects;
}

describe("PAdES B-LT and B-LTA signing: DSS and document timestamp", () => {
  let servers: TestServers;
  before(async () => {
    servers = await startTestServers();
  });
  after(async () => {
    await servers?.close();
  });

  it("B-LT: a DSS with the chains, an OCSP response openssl accepts and the root's CRL; qpdf and pdfsig accept the file", async () => {
    const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const out = join(tmp(), "blt.pdf");
    await signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-LT", tsaUrls: [servers.tsaUrl] }));
    assert.equal((await qpdfCheck(out)).code, 0);
    const [p] = await pdfsig(out);
    assert.ok(p.signatureValid && p.certificateTrusted, p.raw);
    assert.equal(p.totalDocument, false, "the DSS update follows the signature");
    const r = PdfReader.openFile(out);
    const dss = readDss(r);
    r.close();
    assert.ok(dss.certs.length >= 4, "signer, intermediate, root, TSA (and the OCSP responder)");
    assert.ok(dss.ocsps.length >= 2, "signer and TSA statuses by OCSP");
    assert.ok(dss.crls.length >= 1, "the intermediate's status by the root's CRL");
    const dir = tmp();
    for (const [i, o] of dss.ocsps.entries()) {
      const f = join(dir, `ocsp${i}.der`);
      writeFileSync(f, o);
      const v = await tool("openssl", ["ocsp", "-respin", f, "-CAfile", pki.root, "-verify_other", pki.intermediate, "-resp_text"]);
      assert.match(v.stderr + v.stdout, /Response verify OK/);
      assert.match(v.stdout, /Cert Status: good/);
    }
  });

  it("B-LTA: a /DocTimeStamp after the DSS whose token openssl accepts over the covered bytes; pdfsig keeps the signature valid", async () => {
    const signer = await Pkcs12Signer.open(pki.officerEc.p12, p12Password);
    const out = join(tmp(), "blta.pdf");
    await signPdfFile(samples.objstm, out, signer, ltvSignOptions({ level: "B-LTA", tsaUrls: [servers.tsaUrl] }));
    assert.equal((await qpdfCheck(out)).code, 0);
    const sigs = signatureContents(out);
    assert.equal(sigs.length, 2);
    const objs = JSON.stringify(await qpdfObjects(out));
    assert.match(objs, /"\/Type":\s*"\/DocTimeStamp"/);
    assert.match(objs, /"\/SubFilter":\s*"\/ETSI.RFC3161"/);
    assert.match(objs, /"\/DSS":/);
    // The document timestamp's token over its byte ranges.
    const { readFileSync } = await import("node:fs");
    const bytes = readFileSync(out);
    const [a, b, c, d] = sigs[1].byteRange;
    assert.equal(c + d, bytes.length, "the document timestamp covers the end of the file");
    const covered = Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);
    const v = await opensslTsVerify(sigs[1].cms, sha256Hex(covered));
    assert.equal(v.code, 0, v.stderr + v.stdout);
    // The signature's own timestamp still verifies too.
    const { signatureValue, token } = signatureAndTimestamp(sigs[0].cms);
    assert.equal((await opensslTsVerify(token!, sha256Hex(signatureValue))).code, 0);
    const ps = await pdfsig(out);
    assert.ok(ps[0].signatureValid, ps[0].raw);
  });

  it("a revoked signer: signing at B-LT stops with SIGNER_REVOKED and writes nothing", async () => {
    const signer = await Pkcs12Signer.open(pki.revoked.p12, p12Password);
    const out = join(tmp(), "revoked.pdf");
    await assert.rejects(
      signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-LT", tsaUrls: [servers.tsaUrl] })),
      (e: unknown) => isKysoError(e, "SIGNER_REVOKED") && /Phạm Văn Dũng.*revoked on/.test((e as Error).message),
    );
    assert.equal(existsSync(out), false);
  });

  it("the OCSP responder down and no CRL reachable: a clear error naming the servers, no output", async () => {
    const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const out = join(tmp(), "noocsp.pdf");
    // A fetch that refuses every non-TSA request, as if the OCSP and CRL servers were down.
    const fetchOnlyTsa = (async (url: string, init: RequestInit) => {
      if (!url.includes("/tsa")) throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
      return fetch(url, init);
    }) as never;
    await assert.rejects(
      signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-LT", tsaUrls: [servers.tsaUrl], network: { fetch: fetchOnlyTsa, retries: 0 } })),
      (e: unknown) => isKysoError(e, "CRL_UNREACHABLE") && new RegExp(`OCSP responder ${serverBase.replace(/[.]/g, "\\.")}/ocsp is unreachable`).test((e as Error).message),
    );
    assert.equal(existsSync(out), false);
  });

  it("the OCSP responder slow beyond the timeout: the CRL distribution point is used instead", async () => {
    const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const out = join(tmp(), "crl-fallback.pdf");
    // The real servers; OCSP requests are sent to the responder's slow mode.
    const slowOcsp = ((url: string, init: RequestInit) => fetch(url.replace(/\/ocsp$/, "/ocsp/slow"), init)) as never;
    await signPdfFile(samples.onePage, out, signer, ltvSignOptions({ level: "B-LT", tsaUrls: [servers.tsaUrl], network: { fetch: slowOcsp, timeoutMs: 500, retries: 0 } }));
    const r = PdfReader.openFile(out);
    const dss = readDss(r);
    r.close();
    assert.equal(dss.ocsps.length, 0);
    assert.equal(dss.crls.length, 2, "the intermediate's CRL (signer, TSA) and the root's (intermediate)");
    assert.ok((await pdfsig(out))[0].signatureValid);
  });

  it("kyso sign --level B-LTA through the batch engine; pdfsig with its OCSP check against our responder", async () => {
    const dir = tmp();
    const r = await kyso(["sign", samples.onePage, samples.hundredPages, "--p12", pki.orgSeal.p12, "--level", "B-LTA", "--tsa", servers.tsaUrl, "--out-dir", dir]);
    assert.equal(r.code, 0, r.stderr);
    for (const f of ["one-page.pdf", "hundred-pages.pdf"]) {
      const file = join(dir, f);
      assert.equal(signatureContents(file).length, 2);
      assert.equal((await qpdfCheck(file)).code, 0);
      const [p] = await pdfsig(file, { ocsp: true });
      assert.ok(p.signatureValid && p.certificateTrusted, p.raw);
    }
  });
});
