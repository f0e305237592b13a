// `kyso extend` builds the PAdES baseline levels one on the other (ETSI EN 319 142-1 §6.3):
// B-T = a document timestamp over a signature without a signature timestamp, B-LT = then the DSS,
// B-LTA = then an archive timestamp over that DSS. Each step is its own incremental update, read
// back with Kyso's PDF reader; openssl, qpdf and poppler judge the results.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { pki, p12Password, samples, startTestServers, type TestServers } from "@kyso/certs-test";
import { Pkcs12Signer } from "@kyso/signers";
import { TimeStamper, appendValidationData, extendPdfFile, ltvSignOptions, signPdfFile, type ExtendStep } from "@kyso/sign";
import { PdfReader, listSignatureFields, prepareSignature, readDss, readerAtRevision } from "@kyso/pdf";
import { certificatesFromPemOrDer } from "@kyso/core";
import { analyseLtv, type LtvFinding } from "@kyso/verify";
import { pdfsig, qpdfCheck } from "../support/judges.js";
import { exec, kyso, opensslTsVerify, sha256Hex, signatureContents, tmp } from "./helpers.js";

const root = certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.root)));

/**
 * What each revision after the first `from` bytes added, as the reader sees it: a document
 * timestamp (a /DocTimeStamp whose byte range ends with the revision), a signature, or DSS content.
 */
function revisionsAfter(file: string, from: number): (ExtendStep | "signature" | "other")[] {
  const reader = PdfReader.openFile(file);
  try {
    const ends = reader.sections.map((s) => s.end).filter((e) => e > from).sort((a, b) => a - b);
    const sigEnds = new Map<number, "document-timestamp" | "signature">();
    for (const f of listSignatureFields(reader)) {
      const d = reader.dict(f.value);
      const br = reader.array(d?.get("ByteRange"))?.items.map((x) => reader.resolve(x)) as number[] | undefined;
      if (d && br) sigEnds.set(br[2] + br[3], d.getName("Type") === "DocTimeStamp" ? "document-timestamp" : "signature");
    }
    const size = (at: number): number => {
      const r = readerAtRevision(reader, at);
      const dss = readDss(r);
      return dss.certs.length + dss.ocsps.length + dss.crls.length;
    };
    let before = size(from);
    return ends.map((end) => {
      const now = size(end);
      const kind = sigEnds.get(end) ?? (now > before ? "dss" : "other");
      before = now;
      return kind;
    });
  } finally {
    reader.close();
  }
}

/** DER of the OID id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4): a token's eContentType, near its start. */
const TST_INFO_OID = Buffer.from("060b2a864886f70d0109100104", "hex");

/** The document timestamps' tokens (found by a plain scan), each checked by `openssl ts -verify` against the bytes it covers. */
async function opensslAcceptsDocumentTimestamps(file: string, count: number): Promise<void> {
  const bytes = readFileSync(file);
  const sigs = signatureContents(file).filter((s) => {
    const at = s.cms.indexOf(TST_INFO_OID);
    return at >= 0 && at < 80;
  });
  assert.equal(sigs.length, count, "document timestamps found by a plain scan");
  for (const s of sigs) {
    const [a, b, c, d] = s.byteRange;
    const v = await opensslTsVerify(s.cms, sha256Hex(Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)])));
    assert.equal(v.code, 0, v.stderr + v.stdout);
    assert.match(v.stdout, /Verification: OK/);
  }
}

function levelOf(file: string, anchors: readonly Uint8Array[] = root): LtvFinding {
  const reader = PdfReader.openFile(file);
  try {
    const f = analyseLtv(reader, { trustAnchors: anchors }).find((x) => !x.isDocTimeStamp);
    assert.ok(f, "a signature is found");
    return f;
  } finally {
    reader.close();
  }
}

async function appendFile(input: string, output: string, updates: Uint8Array[]): Promise<void> {
  const fh = await open(output, "wx");
  await fh.write(readFileSync(input));
  for (const u of updates) await fh.write(u);
  await fh.close();
}

/**
 * A PDF signed by `openssl cms -sign -noattr` (RFC 5652 §5.4: no signed attributes, the signature is
 * over the byte ranges themselves, as the Government Gazette's signatures are); Kyso only prepares
 * the field and embeds what openssl made.
 */
async function signWithoutSignedAttributes(input: string, output: string): Promise<void> {
  const reader = PdfReader.openFile(input);
  let prepared;
  try {
    prepared = prepareSignature(reader, { subFilter: "adbe.pkcs7.detached", contentsLength: 8192 });
  } finally {
    reader.close();
  }
  const [a, b] = prepared.coveredUpdateParts();
  const ranges = `${output}.ranges`;
  writeFileSync(ranges, Buffer.concat([readFileSync(input), a, b]));
  const { stdout } = await exec(
    "openssl",
    ["cms", "-sign", "-binary", "-noattr", "-md", "sha256", "-outform", "DER", "-in", ranges, "-signer", pki.officerRsa.cert, "-inkey", pki.officerRsa.key, "-certfile", pki.officerRsa.chain],
    { encoding: "buffer", maxBuffer: 1 << 24 },
  );
  prepared.embed(new Uint8Array(stdout));
  writeFileSync(output, Buffer.concat([readFileSync(input), prepared.update]));
}

describe("kyso extend: each PAdES level on the one below (EN 319 142-1 §6.3)", () => {
  let servers: TestServers;
  const dir = tmp();
  const inputLength = readFileSync(samples.presignedPdfsig).length;
  before(async () => {
    servers = await startTestServers();
  });
  after(async () => {
    await servers?.close();
  });

  it("B-B (poppler) -> B-LTA: document timestamp, DSS, archive timestamp, in that order; openssl, qpdf and pdfsig accept it; B-LTA offline", async () => {
    const r = await kyso(["extend", samples.presignedPdfsig, "--level", "B-LTA", "--tsa", servers.tsaUrl, "--out-dir", join(dir, "cli-lta"), "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const line = JSON.parse(r.stdout.split("\n")[0]) as { added: ExtendStep[]; output: string };
    assert.deepEqual(line.added, ["document-timestamp", "dss", "archive-timestamp"]);
    const written = line.output;
    assert.ok(readFileSync(written).subarray(0, inputLength).equals(readFileSync(samples.presignedPdfsig)), "the input is a byte-identical prefix");
    assert.deepEqual(revisionsAfter(written, inputLength), ["document-timestamp", "dss", "document-timestamp"]);
    await opensslAcceptsDocumentTimestamps(written, 2);
    assert.equal((await qpdfCheck(written)).code, 0);
    const ps = await pdfsig(written);
    assert.equal(ps[0].field, "PopplerSignature");
    assert.ok(ps[0].signatureValid, ps[0].raw);
    const level = levelOf(written);
    assert.equal(level.level, "B-LTA", level.reasons.join("; "));
    assert.equal(level.proofSource, "document-timestamp");
    assert.ok(level.timeEvidenceField && level.archiveTimestampField && level.timeEvidenceField !== level.archiveTimestampField, "two distinct timestamps");
    // The DSS revision holds the signer's and the first timestamp's TSA status (OCSP from the test PKI).
    const rd = PdfReader.openFile(written);
    try {
      const [, dssEnd] = rd.sections.map((s) => s.end).filter((e) => e > inputLength).sort((a, b) => a - b);
      const dss = readDss(readerAtRevision(rd, dssEnd));
      assert.ok(dss.ocsps.length >= 2, `signer's and TSA's OCSP responses (${dss.ocsps.length})`);
    } finally {
      rd.close();
    }
  });

  it("B-B -> B-T adds one document timestamp and stops: B-T, the DSS named as missing", async () => {
    const out = join(dir, "bb-bt.pdf");
    const r = await extendPdfFile(samples.presignedPdfsig, out, { level: "B-T", tsaUrls: [servers.tsaUrl] });
    assert.deepEqual(r.added, ["document-timestamp"]);
    assert.deepEqual(revisionsAfter(out, inputLength), ["document-timestamp"]);
    await opensslAcceptsDocumentTimestamps(out, 1);
    assert.equal((await qpdfCheck(out)).code, 0);
    const level = levelOf(out);
    assert.equal(level.level, "B-T");
    assert.match(level.reasons.join("; "), /no DSS/);
  });

  it("B-B -> B-LT: document timestamp then DSS; B-LT, not B-LTA: the document timestamp is the time evidence, no archive timestamp follows the DSS", async () => {
    const out = join(dir, "bb-lt.pdf");
    const r = await extendPdfFile(samples.presignedPdfsig, out, { level: "B-LT", tsaUrls: [servers.tsaUrl] });
    assert.deepEqual(r.added, ["document-timestamp", "dss"]);
    assert.deepEqual(revisionsAfter(out, inputLength), ["document-timestamp", "dss"]);
    assert.equal((await qpdfCheck(out)).code, 0);
    const level = levelOf(out);
    assert.equal(level.level, "B-LT");
    assert.match(level.reasons.join("; "), /no document timestamp \(archive timestamp\) after the DSS .*is the signature's B-T time evidence/);
    // Taken on to B-LTA, only the archive timestamp's steps are added.
    const lta = join(dir, "bb-lt-lta.pdf");
    const again = await extendPdfFile(out, lta, { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
    assert.deepEqual(again.added, ["dss", "archive-timestamp"]);
    assert.equal(levelOf(lta).level, "B-LTA");
  });

  it("a B-T signature (signature timestamp) -> B-LTA adds the DSS and the archive timestamp only", async () => {
    const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
    const bt = join(dir, "kyso-bt.pdf");
    await signPdfFile(samples.onePage, bt, signer, ltvSignOptions({ level: "B-T", tsaUrls: [servers.tsaUrl] }));
    assert.equal(levelOf(bt).level, "B-T");
    const r = await kyso(["extend", bt, "--level", "B-LTA", "--tsa", servers.tsaUrl, "--out-dir", join(dir, "cli-bt")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(B-LTA: DSS, archive timestamp\)/);
    const out = join(dir, "cli-bt", "kyso-bt.pdf");
    const btLength = readFileSync(bt).length;
    assert.deepEqual(revisionsAfter(out, btLength), ["dss", "document-timestamp"]);
    await opensslAcceptsDocumentTimestamps(out, 1);
    assert.equal((await qpdfCheck(out)).code, 0);
    assert.ok((await pdfsig(out))[0].signatureValid);
    const level = levelOf(out);
    assert.equal(level.level, "B-LTA", level.reasons.join("; "));
    assert.equal(level.proofSource, "signature-timestamp");
    // Already at B-T: extending to B-T adds nothing.
    const same = await extendPdfFile(bt, join(dir, "kyso-bt-bt.pdf"), { level: "B-T", tsaUrls: [servers.tsaUrl] });
    assert.deepEqual(same.added, []);
    assert.ok(readFileSync(join(dir, "kyso-bt-bt.pdf")).equals(readFileSync(bt)));
  });

  it("the layout extend used to write (signature, DSS, one document timestamp) is B-LT, not B-LTA", async () => {
    const [sig] = signatureContents(samples.presignedPdfsig);
    const stamper = new TimeStamper([servers.tsaUrl]);
    await stamper.tokenReserve();
    const updates = await appendValidationData({
      input: samples.presignedPdfsig,
      tail: [],
      signatures: [{ cms: sig.cms, requireGoodAtSigning: true }, { cms: stamper.lastToken!, requireGoodAtSigning: false }],
      archiveTimestamp: stamper,
    });
    const old = join(dir, "old-layout.pdf");
    await appendFile(samples.presignedPdfsig, old, updates);
    assert.deepEqual(revisionsAfter(old, inputLength), ["dss", "document-timestamp"]);
    const level = levelOf(old);
    assert.equal(level.level, "B-LT", "one document timestamp cannot be both the B-T evidence and the archive timestamp");
    assert.match(level.reasons.join("; "), /B-T time evidence, not an archive timestamp/);
  });

  it("a signature without signed attributes (openssl -noattr, as gazette documents carry) is checked and extended to B-LTA", async () => {
    const signed = join(dir, "noattr.pdf");
    await signWithoutSignedAttributes(samples.onePage, signed);
    const length = readFileSync(signed).length;
    const out = join(dir, "noattr-lta.pdf");
    const r = await extendPdfFile(signed, out, { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
    assert.deepEqual(r.added, ["document-timestamp", "dss", "archive-timestamp"]);
    assert.deepEqual(revisionsAfter(out, length), ["document-timestamp", "dss", "document-timestamp"]);
    await opensslAcceptsDocumentTimestamps(out, 2);
    assert.equal((await qpdfCheck(out)).code, 0);
    assert.ok((await pdfsig(out))[0].signatureValid);
    assert.equal(levelOf(out).level, "B-LTA", levelOf(out).reasons.join("; "));
    // The same document with a covered byte changed is refused, naming the reason.
    const bytes = readFileSync(signed);
    const at = bytes.indexOf("/MediaBox");
    bytes[at + 1] = "m".charCodeAt(0);
    const broken = join(dir, "noattr-broken.pdf");
    writeFileSync(broken, bytes);
    await assert.rejects(extendPdfFile(broken, join(dir, "noattr-broken-lta.pdf"), { level: "B-LTA", tsaUrls: [servers.tsaUrl] }), /changed after signing/);
  });

  it("no trust anchors: no timestamp is trusted, the level stays B-B and says why", async () => {
    const out = join(dir, "bb-lta-untrusted.pdf");
    await extendPdfFile(samples.presignedPdfsig, out, { level: "B-LTA", tsaUrls: [servers.tsaUrl] });
    assert.equal(levelOf(out).level, "B-LTA");
    const level = levelOf(out, []);
    assert.equal(level.level, "B-B");
    assert.match(level.reasons.join("; "), /no trust anchors were given/);
  });
});
