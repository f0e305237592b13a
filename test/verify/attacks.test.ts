import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { p12Password, pki, samples, serverBase } from "@kyso/certs-test";
import { signPdfFile } from "@kyso/sign";
import { Pkcs12Signer } from "@kyso/signers";
import { httpFetcher, RevocationCache, type FileReport } from "@kyso/verify";
import { addDss, attacks, fillTextField, load, save, withDanglingContent, withTextField } from "./attacks.js";
import { sign, tempDir, verify, verifyBytes } from "./support.js";

function assertFails(r: FileReport, sub?: string, text?: RegExp): void {
  assert.notEqual(r.indication, "TOTAL_PASSED", `expected a failure, got TOTAL_PASSED`);
  if (sub) assert.ok(r.signatures.some((s) => s.subIndication === sub) || r.subIndication === sub, `expected ${sub}, got ${r.subIndication}: ${r.reasons.join("; ")}`);
  if (text) assert.match(r.reasons.join("\n"), text);
  assert.ok(r.reasons.length > 0 && r.reasons.every((x) => x.length > 10), "a reason a clerk can read");
}

describe("verify: must not be fooled", function () {
  const dir = tempDir();
  let signed: Buffer;
  let certifiedP2: Buffer;
  let certifiedP3: Buffer;

  before(async function () {
    signed = load(await sign(samples.onePage, join(dir, "signed.pdf")));
    certifiedP2 = load(await sign(samples.onePage, join(dir, "cert-p2.pdf"), "officerRsa", { certify: 2 }));
    certifiedP3 = load(await sign(samples.onePage, join(dir, "cert-p3.pdf"), "officerRsa", { certify: 3 }));
  });

  it("the untouched signed documents pass (baseline)", async function () {
    for (const b of [signed, certifiedP2, certifiedP3]) assert.equal((await verifyBytes(b)).indication, "TOTAL_PASSED");
  });

  describe("universal signature forgery", function () {
    for (const name of ["usfNoByteRange", "usfNullByteRange", "usfDegenerateByteRange", "usfEmptyContents"] as const) {
      it(name, async function () {
        const r = await verifyBytes(attacks[name](signed));
        assertFails(r, "FORMAT_FAILURE");
        assert.equal(r.indication, "TOTAL_FAILED");
      });
    }
  });

  describe("incremental saving attacks", function () {
    it("page content replaced in a later revision", async function () {
      const r = await verifyBytes(attacks.isaPageContent(signed));
      assertFails(r, "DISALLOWED_MODIFICATION", /page object \d+: \/Contents changed/);
      assert.equal(r.signatures[0].integrity, true, "the signed revision itself is intact");
      assert.equal(r.signatures[0].coverage, "ENTIRE_REVISION");
    });
    it("content appended without cross-reference data", async function () {
      assertFails(await verifyBytes(attacks.isaNoXref(signed)), "DISALLOWED_MODIFICATION", /bytes after the last revision/);
    });
    it("content changed and the signature field hidden", async function () {
      const r = await verifyBytes(attacks.isaHiddenField(signed));
      assertFails(r, "DISALLOWED_MODIFICATION");
      assert.equal(r.signatures.length, 1, "the hidden signature is still found");
      assert.match(r.signatures[0].field, /no field/);
    });
    it("uncovered bytes appended after the signed revision", async function () {
      assertFails(await verifyBytes(attacks.appendedGarbage(signed)), "DISALLOWED_MODIFICATION");
    });
  });

  it("signature wrapping: byte range moved with an object in the gap", async function () {
    assertFails(await verifyBytes(attacks.signatureWrapping(signed)), "FORMAT_FAILURE", /gap|wrapping|damaged/);
  });

  describe("shadow attacks", function () {
    it("hide: content the signed page referred to appears later", async function () {
      const base = withDanglingContent(load(samples.onePage));
      const src = save(join(dir, "dangling.pdf"), base.bytes);
      const s = load(await sign(src, join(dir, "dangling-signed.pdf")));
      assert.equal((await verifyBytes(s)).indication, "TOTAL_PASSED");
      const r = await verifyBytes(attacks.shadowHide(s, base.num));
      assertFails(r, "DISALLOWED_MODIFICATION", /absent in the signed revision/);
    });
    it("replace: an object of the signed revision is replaced", async function () {
      assertFails(await verifyBytes(attacks.shadowReplace(signed)), "DISALLOWED_MODIFICATION");
    });
    it("hide-and-replace: the page tree is swapped", async function () {
      assertFails(await verifyBytes(attacks.shadowHideAndReplace(signed)), "DISALLOWED_MODIFICATION", /catalog: \/Pages/);
    });
  });

  describe("certification attacks", function () {
    it("evil annotation after certification P=2", async function () {
      assertFails(await verifyBytes(attacks.evilAnnotation(certifiedP2)), "DISALLOWED_MODIFICATION", /FreeText/);
    });
    it("evil annotation (FreeText overlay) even with P=3", async function () {
      assertFails(await verifyBytes(attacks.evilAnnotation(certifiedP3)), "DISALLOWED_MODIFICATION");
    });
    it("a sticky note with P=3 is allowed", async function () {
      const r = await verifyBytes(attacks.evilAnnotation(certifiedP3, "Text"));
      assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
      assert.equal(r.signatures[0].modifications.level, "annotation");
    });
    it("after an approval signature a note annotation is allowed, one that draws over the page (FreeText) is not", async function () {
      const note = await verifyBytes(attacks.evilAnnotation(signed, "Text"));
      assert.equal(note.indication, "TOTAL_PASSED", note.reasons.join("; "));
      assert.equal(note.signatures[0].modifications.level, "annotation");
      assertFails(await verifyBytes(attacks.evilAnnotation(signed, "FreeText")), "DISALLOWED_MODIFICATION");
    });
    it("sneaky signature: a visible unsigned signature widget after P=2", async function () {
      assertFails(await verifyBytes(attacks.sneakySignature(certifiedP2)), "DISALLOWED_MODIFICATION", /unsigned signature field/);
    });
    it("a new signature after P=1 fails, after P=2 passes", async function () {
      const p1 = await sign(samples.onePage, join(dir, "cert-p1.pdf"), "officerRsa", { certify: 1 });
      const p1Bytes = load(p1);
      const sneaky = attacks.sneakySignature(p1Bytes);
      assertFails(await verifyBytes(sneaky), "DISALLOWED_MODIFICATION");
      const p2then = await sign(save(join(dir, "p2.pdf"), certifiedP2), join(dir, "p2-then.pdf"), "orgSeal");
      const r = await verify(p2then);
      assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
      assert.equal(r.signatures[0].modifications.permission, 2);
      assert.equal(r.signatures[0].modifications.certification, true);
    });
  });

  it("a CMS made with a key other than the certificate's", async function () {
    const a = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const b = await Pkcs12Signer.open(pki.orgSeal.p12, p12Password);
    const liar = { certificate: a.certificate, chain: a.chain, keyAlgorithm: a.keyAlgorithm, sign: b.sign.bind(b), maxSignatureLength: () => b.maxSignatureLength() };
    await signPdfFile(samples.onePage, join(dir, "wrong-key.pdf"), liar, { overwrite: true } as never);
    const r = await verify(join(dir, "wrong-key.pdf"));
    assertFails(r, "SIG_CRYPTO_FAILURE");
    assert.equal(r.indication, "TOTAL_FAILED");
    assert.equal(r.signatures[0].integrity, true);
  });

  it("expired signer", async function () {
    const r = await verify(await sign(samples.onePage, join(dir, "expired.pdf"), "expired"));
    assertFails(r, "EXPIRED");
  });

  it("untrusted root", async function () {
    const r = await verify(join(dir, "signed.pdf"), { trustAnchors: [new Uint8Array(readFileSync(pki.intermediate))].slice(0, 0) });
    assertFails(r, "NO_CERTIFICATE_CHAIN_FOUND");
    assert.equal(r.indication, "INDETERMINATE");
  });

  describe("revocation", function () {
    let server: Server;
    let base: string;
    before(async function () {
      // A CRL server on a free port; the fetcher maps the certificates' URL base onto it.
      server = createServer((req, res) => {
        if (req.url === "/crl/intermediate.crl") res.end(readFileSync(pki.intermediateCrl));
        else if (req.url === "/crl/root.crl") res.end(readFileSync(pki.rootCrl));
        else res.writeHead(404).end();
      });
      await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((ok) => server.close(() => ok())));
    const fetcher = () => {
      const http = httpFetcher(3000);
      return (url: string) => http(url.replace(serverBase, base));
    };

    it("online: a revoked signer fails with REVOKED, a good one passes", async function () {
      const revoked = await sign(samples.onePage, join(dir, "revoked.pdf"), "revoked");
      const r = await verify(revoked, { revocation: "online", fetcher: fetcher(), cache: new RevocationCache() });
      assertFails(r, "REVOKED", /revoked/);
      assert.equal(r.signatures[0].revocation.status, "revoked");
      assert.equal(r.signatures[0].revocation.reason, "keyCompromise");
      const good = await verify(join(dir, "signed.pdf"), { revocation: "online", fetcher: fetcher(), cache: new RevocationCache() });
      assert.equal(good.indication, "TOTAL_PASSED");
      assert.equal(good.signatures[0].revocation.status, "good");
      assert.equal(good.signatures[0].revocation.mode, "online");
    });
    it("online with no reachable server is INDETERMINATE, never a silent pass", async function () {
      // The certificates' OCSP and CRL URLs (port 18731, where another test may run the servers) are
      // mapped onto a port that was just closed: unreachable whatever else runs on this machine.
      const probe = createServer();
      await new Promise<void>((ok) => probe.listen(0, "127.0.0.1", ok));
      const dead = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
      await new Promise<void>((ok) => probe.close(() => ok()));
      const http = httpFetcher(500);
      const r = await verify(join(dir, "signed.pdf"), { revocation: "online", fetcher: (url, req) => http(url.replace(serverBase, dead), req), cache: new RevocationCache() });
      assert.equal(r.indication, "INDETERMINATE");
      assert.equal(r.signatures[0].subIndication, "TRY_LATER");
      assert.equal(r.signatures[0].revocation.status, "unknown");
      assert.match(r.signatures[0].revocation.message, /OCSP .*; CRL /);
    });
    it("embedded: a CRL in the DSS shows the revoked signer; DSS-extended good documents pass only with the whole path's status", async function () {
      const crl = new Uint8Array(readFileSync(pki.intermediateCrl));
      const rootCrl = new Uint8Array(readFileSync(pki.rootCrl));
      const revoked = load(join(dir, "revoked.pdf"));
      const r = await verifyBytes(addDss(revoked, [], [crl]), { revocation: "embedded" });
      assertFails(r, "REVOKED");
      assert.equal(r.signatures[0].revocation.origin, "dss");
      // The signer's status alone is not enough: the intermediate's (the root's CRL) is missing.
      const partial = await verifyBytes(addDss(signed, [], [crl]), { revocation: "embedded" });
      assert.equal(partial.indication, "INDETERMINATE", partial.reasons.join("; "));
      assert.equal(partial.subIndication, "TRY_LATER");
      assert.equal(partial.signatures[0].revocation.status, "good");
      assert.equal(partial.signatures[0].revocation.path?.[1]?.status, "no-information");
      const good = await verifyBytes(addDss(signed, [], [crl, rootCrl]), { revocation: "embedded" });
      assert.equal(good.indication, "TOTAL_PASSED", good.reasons.join("; "));
      assert.equal(good.signatures[0].revocation.status, "good");
      assert.deepEqual(good.signatures[0].revocation.path?.map((p) => p.origin), ["dss", "dss"]);
      assert.equal(good.signatures[0].modifications.level, "dss");
    });
    it("--revocation off says it did not check, and never passes", async function () {
      const r = await verify(join(dir, "signed.pdf"), { revocation: "off" });
      assert.equal(r.signatures[0].revocation.status, "not-checked");
      assert.equal(r.indication, "INDETERMINATE");
      assert.equal(r.subIndication, "TRY_LATER");
      assert.ok(r.signatures[0].reasons.some((w) => /not checked/.test(w)));
    });
    it("embedded with nothing embedded is INDETERMINATE, never a pass", async function () {
      const r = await verify(join(dir, "signed.pdf"), { revocation: "embedded" });
      assert.equal(r.indication, "INDETERMINATE");
      assert.equal(r.signatures[0].subIndication, "TRY_LATER");
      assert.equal(r.signatures[0].revocation.status, "no-information");
    });
  });

  describe("legitimate later revisions pass", function () {
    it("form filling after signing", async function () {
      const src = save(join(dir, "form.pdf"), withTextField(load(samples.onePage)));
      const s = load(await sign(src, join(dir, "form-signed.pdf")));
      const r = await verifyBytes(fillTextField(s, "Nguyen Van An"));
      assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
      assert.equal(r.signatures[0].modifications.level, "form-fill");
    });
    it("form filling after certification P=1 fails", async function () {
      const src = save(join(dir, "form1.pdf"), withTextField(load(samples.onePage)));
      const s = load(await sign(src, join(dir, "form1-signed.pdf"), "officerRsa", { certify: 1 }));
      assertFails(await verifyBytes(fillTextField(s, "x")), "DISALLOWED_MODIFICATION");
    });
    it("three signatures on a hundred-page document, the last by the organization", async function () {
      const a = await sign(samples.hundredPages, join(dir, "h1.pdf"), "officerRsa");
      const b = await sign(a, join(dir, "h2.pdf"), "officerEc");
      const c = await sign(b, join(dir, "h3.pdf"), "orgSeal");
      const r = await verify(c);
      assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
      assert.deepEqual(r.signatures.map((s) => s.coverage), ["ENTIRE_REVISION", "ENTIRE_REVISION", "ENTIRE_FILE"]);
      assert.equal(r.revisions, 4);
    });
  });
});
