/**
 * Issue 15 acceptance, "the level options working as for tokens": `kyso sign --csc` at B-LT and
 * B-LTA (sign-cli.test.ts covers B-T). A batch through the CSC test server, one group per
 * multisign; each output judged by qpdf --check, pdfsig and openssl cms (the signature), openssl ts
 * (the B-LTA document timestamp after the DSS), the DSS read back, and Kyso's verifier gives the level with
 * the servers still up.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, pki, ready, startCscServer, startTestServers, type CscServer, type TestServers } from "@kyso/certs-test";
import { certificatesFromPemOrDer } from "@kyso/core";
import { PdfReader, readDss } from "@kyso/pdf";
import { verifyPdf } from "@kyso/verify";
import { documentCopies as documents, runCli, tempDir } from "../bulk/helpers.js";
import { opensslTsVerify } from "../ltv/helpers.js";
import { opensslCmsVerify, pdfsig, qpdfCheck, scanSignatures } from "../support/judges.js";

const env = { KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET, KYSO_CSC_PIN: CSC_PIN, KYSO_CSC_OTP: CSC_OTP };

describe("kyso sign --csc at B-LT and B-LTA", function () {
  let server: CscServer;
  let pkiServers: TestServers;
  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer({ multisign: 2 });
    pkiServers = await startTestServers();
  });
  after(async function () {
    await server?.close();
    await pkiServers?.close();
  });
  beforeEach(() => server.reset());

  for (const [level, credential] of [["B-LT", "officer-rsa"], ["B-LTA", "officer-ec"]] as const) {
    it(`${level} with ${credential}: 3 files in ceil(3 / 2) groups; DSS${level === "B-LTA" ? " and document timestamp" : ""}; qpdf, pdfsig, openssl cms`, async function () {
      const work = tempDir(`csc-${level}`);
      const inputs = documents(join(work, "in"), 3);
      const r = await runCli(["sign", "in", "--out-dir", "out", "--csc", server.url, "--csc-credential", credential, "--csc-client-id", CSC_CLIENT_ID, "--level", level, "--tsa", pkiServers.tsaUrl], { cwd: work, env });
      assert.equal(r.status, 0, r.stderr);
      const s = server.stats();
      assert.deepEqual([s.calls["credentials/authorize"], s.calls["signatures/signHash"], s.hashesSigned], [2, 2, 3]);
      const anchors = certificatesFromPemOrDer(readFileSync(pki.root));
      for (const input of inputs) {
        const out = input.replace(`${work}/in`, `${work}/out`);
        assert.equal((await qpdfCheck(out)).code, 0, `qpdf --check ${out}`);
        const sigs = await pdfsig(out);
        assert.equal(sigs.length, level === "B-LTA" ? 2 : 1, sigs.map((x) => x.raw).join("\n"));
        assert.ok(sigs[0].signatureValid && sigs[0].certificateTrusted, sigs[0].raw);
        assert.equal(sigs[0].totalDocument, false, "the DSS update follows the signature");
        if (level === "B-LTA") {
          // pdfsig lists the document timestamp (it does not check RFC 3161 tokens): openssl ts does, over its byte ranges.
          assert.ok(sigs[1].totalDocument && /Kyso Test TSA/.test(sigs[1].raw), sigs[1].raw);
          const bytes = readFileSync(out);
          const [a, b, c, d] = scanSignatures(out)[1].byteRange;
          assert.equal(c + d, bytes.length, "the document timestamp covers the end of the file");
          const covered = Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);
          const ts = await opensslTsVerify(scanSignatures(out)[1].cms, createHash("sha256").update(covered).digest("hex"));
          assert.equal(ts.code, 0, ts.stderr + ts.stdout);
        }
        assert.equal((await opensslCmsVerify(out, 0)).code, 0, `openssl cms ${out}`);
        const reader = PdfReader.openFile(out);
        const dss = readDss(reader);
        reader.close();
        assert.ok(dss.certs.length >= 3 && dss.ocsps.length >= 1, "chains and revocation data in the DSS");
        const v = await verifyPdf({ path: out }, { trustAnchors: anchors });
        assert.equal(v.indication, "TOTAL_PASSED", JSON.stringify(v.signatures[0].reasons));
        assert.equal(v.signatures[0].level, level);
      }
    });
  }
});
