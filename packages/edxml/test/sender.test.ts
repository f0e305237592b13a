// Sender binding (issue 12): an edXML package passes only when its XML signer is the organization
// its From claims to be.
import assert from "node:assert/strict";
import { X509Certificate, createHash } from "node:crypto";
import { fixedClock } from "@kyso/core";
import { buildEdxml, normalizeName, signEdxml, verifyEdxml, type MessageHeader, type PackageReport, type SenderDirectory } from "../src/index.js";
import { SEAL_ORGAN, orgSealKey, pkiText, samplePackage } from "./support/samples.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const root = new Uint8Array(new X509Certificate(pkiText("root.pem")).raw);
const clock = fixedClock(new Date(Date.parse(new X509Certificate(pkiText("org-seal.pem")).validFrom) + 86_400_000));
const noPdf = async (): Promise<never> => {
  throw new Error("no PDF attachment in these packages");
};
const text = { contentId: "phu-luc", name: "phu-luc.txt", contentType: "text/plain", bytes: enc("Phụ lục\n") };
const G22 = { organId: "000.00.00.G22", organName: "Văn phòng Chính phủ" };
const sha256Of = (pem: string): string => createHash("sha256").update(new X509Certificate(pem).raw).digest("hex");
const sealSha = sha256Of(pkiText("org-seal.pem"));

/** An officer's personal certificate (CN a person, O the province's people's committee). */
const officerKey = { privateKeyPem: pkiText("officer-rsa.key.pem"), certificatesPem: pkiText("officer-rsa.pem") + pkiText("intermediate.pem") };

function packageFrom(from: MessageHeader["from"], key = orgSealKey()): string {
  const p = samplePackage([text]);
  return signEdxml(buildEdxml({ ...p, header: { ...p.header, from, to: [{ organId: "000.00.00.H53", organName: "UBND tỉnh Thái Bình" }] } }), key);
}

async function check(xml: string, senders?: SenderDirectory): Promise<PackageReport> {
  return verifyEdxml({ bytes: enc(xml), name: "p.edxml" }, { verifyPdf: noPdf, trustAnchors: [root], clock, ...(senders ? { senders } : {}) });
}

describe("edXML sender binding", () => {
  it("a package signed by an officer's personal certificate claiming the Government Office (000.00.00.G22) is SENDER_MISMATCH", async () => {
    const r = await check(packageFrom(G22, officerKey));
    assert.equal(r.xmlSignature?.indication, "TOTAL_PASSED", "the XML signature itself is good");
    assert.equal(r.indication, "INDETERMINATE");
    assert.equal(r.subIndication, "SENDER_MISMATCH");
    assert.equal(r.senderBinding?.status, "mismatch");
    assert.equal(r.senderBinding?.rule, "organization-name");
    assert.equal(r.senderBinding?.signerCommonName, "Nguyễn Văn An");
    assert.equal(r.senderBinding?.signerOrganization, "Ủy ban nhân dân tỉnh Phú Yên");
    assert.equal(
      r.senderBinding?.message.split(" / ")[0],
      "Gói tin tự nhận là của Văn phòng Chính phủ (000.00.00.G22) nhưng chữ ký số là của Nguyễn Văn An (Ủy ban nhân dân tỉnh Phú Yên).",
    );
    assert.match(r.senderBinding?.message ?? "", / \/ The package claims to come from Văn phòng Chính phủ \(000\.00\.00\.G22\) but its digital signature is by Nguyễn Văn An \(Ủy ban nhân dân tỉnh Phú Yên\)/);
    assert.deepEqual(r.reasons, [`Sender: ${r.senderBinding?.message}`]);
  });

  it("the organization's seal certificate claiming the Government Office is SENDER_MISMATCH too", async () => {
    const r = await check(packageFrom(G22));
    assert.equal(r.subIndication, "SENDER_MISMATCH");
    assert.match(r.senderBinding?.message ?? "", /^Gói tin tự nhận là của Văn phòng Chính phủ \(000\.00\.00\.G22\) nhưng chữ ký số là của Ủy ban nhân dân tỉnh Phú Yên\./);
  });

  it("a package signed with the organization's seal claiming its own OrganId passes, names compared in NFC, case- and space-insensitively, either tone placement", async () => {
    const r = await check(packageFrom(SEAL_ORGAN));
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.equal(r.senderBinding?.status, "matched");
    assert.equal(r.senderBinding?.rule, "organization-name");
    assert.ok(!r.warnings.some((w) => /personal certificate/.test(w)), r.warnings.join("\n"));
    // decomposed (NFD), upper case, doubled spaces, old tone placement ("Uỷ")
    const variant = "  UỶ BAN  NHÂN DÂN\ttỉnh Phú Yên ".normalize("NFD");
    const v = await check(packageFrom({ organId: SEAL_ORGAN.organId, organName: variant }));
    assert.equal(v.indication, "TOTAL_PASSED", v.reasons.join("; "));
    assert.equal(normalizeName("Thanh Hoá"), normalizeName("Thanh Hóa"));
    assert.notEqual(normalizeName("Sở Tư pháp tỉnh Phú Yên"), normalizeName("Ủy ban nhân dân tỉnh Phú Yên"));
  });

  it("an officer of the organization matched by name only passes with a warning that the certificate is personal", async () => {
    const r = await check(packageFrom(SEAL_ORGAN, officerKey));
    assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
    assert.ok(r.warnings.some((w) => /personal certificate \(Nguyễn Văn An\) of Ủy ban nhân dân tỉnh Phú Yên/.test(w)), r.warnings.join("\n"));
  });

  it("a configured directory binds the OrganId to its certificates: fingerprint, subject, issuer, organization", async () => {
    // The directory is authoritative: the seal may sign as G22 here because it is configured so.
    const bySha: SenderDirectory = { [G22.organId]: { certificateSha256: [sealSha.toUpperCase().replace(/(..)(?!$)/g, "$1:")] } };
    const ok = await check(packageFrom(G22), bySha);
    assert.equal(ok.indication, "TOTAL_PASSED", ok.reasons.join("; "));
    assert.equal(ok.senderBinding?.rule, "directory");
    const officer = await check(packageFrom(G22, officerKey), bySha);
    assert.equal(officer.subIndication, "SENDER_MISMATCH");
    assert.match(officer.senderBinding?.message ?? "", /the certificate is not one of those configured for the sender/);
    // A function works as well as a record; every criterion must hold.
    const lookup: SenderDirectory = (id) => (id === SEAL_ORGAN.organId ? { subjectContains: ["UID=MST:4400123456"], issuerContains: ["Kyso Test Intermediate CA"], organizationName: "UBND tỉnh Phú Yên" } : undefined);
    const wrongO = await check(packageFrom(SEAL_ORGAN), lookup);
    assert.equal(wrongO.subIndication, "SENDER_MISMATCH");
    assert.match(wrongO.senderBinding?.message ?? "", /the certificate's organization is not "UBND tỉnh Phú Yên"/);
    const right: SenderDirectory = (id) => (id === SEAL_ORGAN.organId ? { subjectContains: ["uid=mst:4400123456"], issuerContains: ["Kyso Test Intermediate CA"], organizationName: "Ủy ban nhân dân tỉnh Phú Yên" } : undefined);
    assert.equal((await check(packageFrom(SEAL_ORGAN), right)).indication, "TOTAL_PASSED");
    const officerAsSeal = await check(packageFrom(SEAL_ORGAN, officerKey), right);
    assert.equal(officerAsSeal.subIndication, "SENDER_MISMATCH");
    assert.match(officerAsSeal.senderBinding?.message ?? "", /subject does not contain "uid=mst:4400123456"/);
    // An entry naming nothing matches nothing (fail closed); OrganIds without an entry fall back to the name.
    assert.equal((await check(packageFrom(SEAL_ORGAN), { [SEAL_ORGAN.organId]: {} })).subIndication, "SENDER_MISMATCH");
    assert.equal((await check(packageFrom(SEAL_ORGAN), { "000.00.00.G01": { certificateSha256: ["00"] } })).indication, "TOTAL_PASSED");
  });

  it("no OrganName and no entry cannot be bound; a broken signature is not bound and keeps its own verdict", async () => {
    const anonymous = await check(packageFrom({ organId: SEAL_ORGAN.organId }));
    assert.equal(anonymous.subIndication, "SENDER_MISMATCH");
    assert.match(anonymous.senderBinding?.message ?? "", /gives no OrganName/);
    const broken = await check(packageFrom(G22, officerKey).replace("Phụ lục", "Phu luc"));
    assert.equal(broken.indication, "TOTAL_FAILED");
    assert.equal(broken.subIndication, "HASH_FAILURE");
    assert.equal(broken.senderBinding?.status, "not-checked");
  });
});
