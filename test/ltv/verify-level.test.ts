import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { pki, p12Password, samples, startTestServers, type TestServers } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { appendValidationData, extendPdfFile, ltvSignOptions, signPdfFile, type PadesLevel } from "@kyso/sign";
import { certificatesFromPemOrDer, fixedClock } from "@kyso/core";
import { verifyPdf, analyseLtv } from "@kyso/verify";
import { PdfReader } from "@kyso/pdf";
import { kyso, revocationTimeOfRevoked, signatureContents, tmp } from "./helpers.js";

const root = certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.root)));
/** After every test certificate expired (the leaves end in 3 years, the root in 10): 2040. */
const future = fixedClock(new Date(Date.UTC(2040, 0, 1)));

async function appendFile(input: string, output: string, updates: Uint8Array[]): Promise<void> {
  const fh = await open(output, "wx");
  await fh.write(readFileSync(input));
  for (const u of updates) await fh.write(u);
  await fh.close();
}

describe("Verifying long-term validation offline: timestamps, DSS, PAdES level", () => {
  const dir = tmp();
  const files: Record<PadesLevel, string> = { "B-B": "", "B-T": "", "B-LT": "", "B-LTA": "" };
  let poppler = "";
  let popplerLt = "";
  let revokedAfter = "";
  let revokedBefore = "";

  before(async () => {
    // Everything is signed while the servers are up; they are closed before anything is verified.
    const servers: TestServers = await startTestServers();
    try {
      const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
      for (const level of Object.keys(files) as PadesLevel[]) {
        files[level] = join(dir, `${level}.pdf`);
        await signPdfFile(samples.onePage, files[level], signer, ltvSignOptions({ level, tsaUrls: [servers.tsaUrl] }));
      }
      poppler = join(dir, "poppler-lta.pdf");
      await extendPdfFile(samples.presignedPdfsig, poppler, { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
      popplerLt = join(dir, "poppler-lt.pdf");
      await extendPdfFile(samples.presignedPdfsig, popplerLt, { level: "B-LT", tsaUrls: [servers.tsaUrl] });
      const revoked = await Pkcs12Signer.open(pki.revoked.p12, p12Password);
      const at = revocationTimeOfRevoked();
      const early = join(dir, "revoked-early-bt.pdf");
      await signPdfFile(samples.onePage, early, revoked, ltvSignOptions({ level: "B-T", tsaUrls: [`${servers.tsaUrl}?genTime=${new Date(at.getTime() - 3600_000).toISOString()}`] }));
      revokedAfter = join(dir, "revoked-after-ts.pdf");
      await extendPdfFile(early, revokedAfter, { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
      // Signed after the revocation: the DSS is forced in (extend would refuse), to see the verifier fail it.
      const late = join(dir, "revoked-late-bt.pdf");
      await signPdfFile(samples.onePage, late, revoked, ltvSignOptions({ level: "B-T", tsaUrls: [servers.tsaUrl] }));
      revokedBefore = join(dir, "revoked-before-ts.pdf");
      const [sig] = signatureContents(late);
      await appendFile(late, revokedBefore, await appendValidationData({ input: late, tail: [], signatures: [{ cms: sig.cms, requireGoodAtSigning: false }] }));
    } finally {
      await servers.close();
    }
  });

  const expected: [PadesLevel, RegExp | undefined][] = [
    ["B-B", /no signature timestamp/],
    ["B-T", /no DSS/],
    ["B-LT", /no document timestamp/],
    ["B-LTA", undefined],
  ];
  for (const [level, reason] of expected) {
    it(`a document signed at ${level} is reported at ${level}${reason ? " with the reason for the next level" : ""} (servers closed)`, async () => {
      const r = await verifyPdf({ path: files[level] }, { trustAnchors: root });
      // Revocation is part of the verdict (issue 11): offline, only B-LT and B-LTA carry the status
      // that lets them pass; B-B and B-T are not failed, and their level is still reported.
      if (level === "B-LT" || level === "B-LTA") assert.equal(r.indication, "TOTAL_PASSED", JSON.stringify(r.signatures[0].reasons));
      else assert.notEqual(r.indication, "TOTAL_FAILED", JSON.stringify(r.signatures[0].reasons));
      const sig = r.signatures.find((s) => s.type === "signature")!;
      assert.equal(sig.level, level);
      if (reason) assert.match(sig.levelReasons.join("; "), reason);
      else assert.deepEqual(sig.levelReasons, []);
      if (level !== "B-B") assert.equal(sig.timeSource, "timestamp");
    });
  }

  it("in 2040, after the signer's and the TSA's certificates expired: B-LT and B-LTA still pass from the DSS alone; B-B does not", async () => {
    for (const level of ["B-LT", "B-LTA"] as const) {
      const r = await verifyPdf({ path: files[level] }, { trustAnchors: root, clock: future });
      assert.equal(r.indication, "TOTAL_PASSED", `${level}: ${r.reasons.join("; ")}`);
      assert.equal(r.signatures[0].level, level);
    }
    const bb = await verifyPdf({ path: files["B-B"] }, { trustAnchors: root, clock: future });
    assert.notEqual(bb.indication, "TOTAL_PASSED");
  });

  it("a B-B document signed by poppler and extended by kyso: B-LTA, passing today and in 2040", async () => {
    for (const clock of [undefined, future]) {
      const r = await verifyPdf({ path: poppler }, { trustAnchors: root, clock });
      assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
      const sig = r.signatures.find((s) => s.type === "signature")!;
      assert.equal(sig.field, "PopplerSignature");
      assert.equal(sig.level, "B-LTA", sig.levelReasons.join("; "));
    }
  });

  it("a poppler signature with a document timestamp then a DSS, and no archive timestamp after it, is reported B-LT with what B-LTA lacks", async () => {
    const r = await verifyPdf({ path: popplerLt }, { trustAnchors: root });
    const sig = r.signatures.find((s) => s.type === "signature")!;
    assert.equal(sig.level, "B-LT", sig.levelReasons.join("; "));
    assert.match(sig.levelReasons.join("; "), /no document timestamp \(archive timestamp\) after the DSS/);
  });

  it("a signer revoked after the signature timestamp still passes (B-LTA); revoked before the timestamp fails (REVOKED)", async () => {
    const ok = await verifyPdf({ path: revokedAfter }, { trustAnchors: root });
    assert.equal(ok.indication, "TOTAL_PASSED", ok.reasons.join("; "));
    assert.equal(ok.signatures[0].level, "B-LTA");
    const bad = await verifyPdf({ path: revokedBefore }, { trustAnchors: root });
    assert.equal(bad.indication, "TOTAL_FAILED");
    assert.equal(bad.signatures[0].subIndication, "REVOKED");
    assert.equal(bad.signatures[0].level, null);
  });

  it("kyso verify prints the level, and --json carries it per signature", async () => {
    const lta = await kyso(["verify", files["B-LTA"], "--trust", pki.root]);
    assert.equal(lta.code, 0, lta.stderr + lta.stdout);
    assert.match(lta.stdout, /PAdES: B-LTA\n/);
    // B-T carries no revocation data, so its exit code depends on the revocation mode: only the level is asserted.
    const bt = await kyso(["verify", files["B-T"], "--trust", pki.root]);
    assert.match(bt.stdout, /PAdES: B-T \(the document has no DSS/);
    const json = await kyso(["verify", files["B-LT"], "--trust", pki.root, "--json"]);
    const [report] = JSON.parse(json.stdout) as { signatures: { level: string; levelReasons: string[] }[] }[];
    assert.equal(report.signatures[0].level, "B-LT");
  });

  it("analyseLtv: a document timestamp from an untrusted root does not count, and the level stops at B-B with the reason", async () => {
    const reader = PdfReader.openFile(files["B-LTA"]);
    try {
      // Trusting another root only (the TSA's own certificate as an "anchor"): no chain to it.
      const other = certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.ocsp.cert)));
      const findings = analyseLtv(reader, { trustAnchors: other });
      const sig = findings.find((f) => !f.isDocTimeStamp)!;
      assert.equal(sig.level, "B-B");
      assert.match(sig.reasons.join("; "), /does not chain to a trusted root/);
      const ts = findings.find((f) => f.isDocTimeStamp)!;
      assert.equal(ts.timestamp?.valid, false);
    } finally {
      reader.close();
    }
  });
});
