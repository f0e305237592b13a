// RFC 3161, OCSP and CRL code of @kyso/cms against OpenSSL as the other party (a TSA, an OCSP
// client, a CRL issuer): what we build, OpenSSL reads; what OpenSSL makes, we read and check.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { certificatesFromPemOrDer, digest } from "@kyso/core";
import {
  berToDer, buildOcspRequest, buildTimeStampRequest, checkCrl, checkTimeStampToken, crlUrls, extendedKeyUsages, ocspUrls,
  parseCrl, parseTimeStampResponse, PKIX_OID,
} from "../src/index.js";

const pkiDir = fileURLToPath(new URL("../../../certs-test/out/pki/", import.meta.url));
/** The test servers' base URL, as the certificates name it (port chosen when the PKI was generated). */
const serverBase = `http://127.0.0.1:${readFileSync(new URL("../../../certs-test/out/server-port", import.meta.url), "utf8").trim()}`;
const cert = (n: string): Uint8Array => certificatesFromPemOrDer(new Uint8Array(readFileSync(join(pkiDir, `${n}.pem`))))[0];
const dir = mkdtempSync(join(tmpdir(), "kyso-cms-ltv-"));
const openssl = (args: string[]): string => execFileSync("openssl", args, { encoding: "latin1", stdio: ["ignore", "pipe", "pipe"] });

/** OpenSSL as a TSA (openssl ts -reply) with the test TSA's key. */
function opensslTsaReply(request: Uint8Array): Uint8Array {
  writeFileSync(join(dir, "serial"), "01\n");
  writeFileSync(
    join(dir, "tsa.cnf"),
    [
      "[ tsa ]", "default_tsa = t", "[ t ]", `serial = ${join(dir, "serial")}`, `signer_cert = ${join(pkiDir, "tsa.pem")}`,
      `certs = ${join(pkiDir, "intermediate.pem")}`, `signer_key = ${join(pkiDir, "tsa.key.pem")}`, "signer_digest = sha256",
      "default_policy = 1.2.3.4.1", "digests = sha256", "accuracy = secs:1", "ess_cert_id_alg = sha256", "ess_cert_id_chain = no",
    ].join("\n"),
  );
  writeFileSync(join(dir, "req.tsq"), request);
  openssl(["ts", "-reply", "-config", join(dir, "tsa.cnf"), "-queryfile", join(dir, "req.tsq"), "-out", join(dir, "resp.tsr")]);
  return new Uint8Array(readFileSync(join(dir, "resp.tsr")));
}

describe("cms: RFC 3161 against openssl ts", () => {
  const imprint = digest("SHA-256", new TextEncoder().encode("a signature value"));
  const nonce = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a]);

  it("openssl reads our TimeStampReq: SHA-256 imprint, nonce, certReq", () => {
    writeFileSync(join(dir, "q.tsq"), buildTimeStampRequest({ digestAlgorithm: "SHA-256", imprint, nonce, certReq: true }));
    const text = openssl(["ts", "-query", "-in", join(dir, "q.tsq"), "-text"]);
    assert.match(text, /Hash Algorithm: sha256/);
    assert.match(text, /Nonce: 0x123456789A/);
    assert.match(text, /Certificate required: yes/);
  });

  it("a token from openssl's TSA passes our checks; another imprint, another nonce or a flipped signature bit does not", () => {
    const resp = parseTimeStampResponse(opensslTsaReply(buildTimeStampRequest({ digestAlgorithm: "SHA-256", imprint, nonce, certReq: true })));
    assert.equal(resp.status, 0);
    const ok = checkTimeStampToken(resp.token!, { imprint, nonce });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.token.tstInfo.policy, "1.2.3.4.1");
    const wrongImprint = checkTimeStampToken(resp.token!, { imprint: digest("SHA-256", imprint), nonce });
    assert.deepEqual(wrongImprint.problems.map((p) => p.code), ["TST_IMPRINT_MISMATCH"]);
    const wrongNonce = checkTimeStampToken(resp.token!, { imprint, nonce: new Uint8Array([1]) });
    assert.deepEqual(wrongNonce.problems.map((p) => p.code), ["TST_NONCE_MISMATCH"]);
    // One flipped bit in the token's signature.
    const tampered = new Uint8Array(resp.token!);
    tampered[tampered.length - 5] ^= 0x01;
    assert.ok(checkTimeStampToken(tampered, { imprint, nonce }).problems.some((p) => p.code === "TST_SIGNATURE_INVALID"));
  });

  it("a garbage answer is TSA_GARBAGE, a rejection is a status", () => {
    assert.throws(() => parseTimeStampResponse(new TextEncoder().encode("<html>")), (e: unknown) => (e as { code?: string }).code === "TSA_GARBAGE");
    const rejected = parseTimeStampResponse(new Uint8Array([0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02]));
    assert.equal(rejected.status, 2);
    assert.equal(rejected.token, undefined);
  });
});

describe("cms: OCSP requests and CRLs against openssl", () => {
  it("openssl reads our OCSPRequest (SHA-1 CertID of officer-rsa under the intermediate, nonce)", () => {
    writeFileSync(join(dir, "req.der"), buildOcspRequest(cert("officer-rsa"), cert("intermediate"), new Uint8Array(16).fill(7)));
    const text = openssl(["ocsp", "-reqin", join(dir, "req.der"), "-req_text"]);
    assert.match(text, /Hash Algorithm: sha1/);
    const serial = openssl(["x509", "-in", join(pkiDir, "officer-rsa.pem"), "-noout", "-serial"]).trim().split("=")[1];
    assert.match(text, new RegExp(`Serial Number: ${serial}`));
    assert.match(text, /OCSP Nonce/);
  });

  it("the test PKI's CRLs: revoked is listed, officer-rsa is not, the signature is the CA's, another issuer is refused", () => {
    const crl = new Uint8Array(readFileSync(join(pkiDir, "intermediate.crl")));
    assert.equal(checkCrl(crl, cert("revoked"), cert("intermediate")).status, "revoked");
    const good = checkCrl(crl, cert("officer-rsa"), cert("intermediate"));
    assert.equal(good.status, "good");
    assert.deepEqual(good.problems, []);
    assert.deepEqual(checkCrl(crl, cert("officer-rsa"), cert("root")).problems, ["the CRL is from another issuer"]);
    const tampered = new Uint8Array(crl);
    tampered[tampered.length - 3] ^= 0x01;
    assert.deepEqual(checkCrl(tampered, cert("officer-rsa"), cert("intermediate")).problems, ["the CRL's signature does not verify"]);
    const text = openssl(["crl", "-in", join(pkiDir, "intermediate.crl"), "-inform", "DER", "-noout", "-nextupdate"]);
    assert.ok(parseCrl(crl).nextUpdate, text);
  });

  it("certificate extensions: OCSP, CRL distribution points and EKUs as the test PKI wrote them", () => {
    assert.deepEqual(ocspUrls(cert("officer-rsa")), [`${serverBase}/ocsp`]);
    assert.deepEqual(crlUrls(cert("intermediate")), [`${serverBase}/crl/root.crl`]);
    assert.ok(extendedKeyUsages(cert("tsa")).includes(PKIX_OID.ekuTimeStamping));
    assert.ok(!extendedKeyUsages(cert("officer-rsa")).includes(PKIX_OID.ekuTimeStamping));
  });
});

describe("cms: berToDer", () => {
  it("re-encodes indefinite lengths and constructed OCTET STRINGs; DER stays byte-identical", () => {
    // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING constructed (indefinite) { "ab", "c" } }
    const ber = new Uint8Array([0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x04, 0x01, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.deepEqual([...berToDer(ber)], [0x30, 0x08, 0x02, 0x01, 0x05, 0x04, 0x03, 0x61, 0x62, 0x63]);
    const der = cert("officer-rsa");
    assert.deepEqual(berToDer(der), der);
    assert.throws(() => berToDer(new Uint8Array([0x30, 0x80, 0x02, 0x01])));
  });
});
