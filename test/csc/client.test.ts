/**
 * The CSC API client signer (@kyso/signers csc) against the CSC test server (certs-test/src/csc):
 * OAuth client credentials and auth/login (v1.0.4), credentials/list and info, SCAL2 activation data
 * bound to the hashes, multisign groups, token renewal (before expiry and after a 401), wrong
 * PIN/OTP and the lock, asynchronous approval (approved, rejected, timed out, cancelled).
 */
import assert from "node:assert/strict";
import { createHash, createPublicKey, publicDecrypt, verify as nodeVerify, constants } from "node:crypto";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, CSC_USER_PASSWORD, ready, startCscServer, type CscServer } from "@kyso/certs-test";
import { DIGEST_OIDS, KysoError, children, ecdsaRawToDer, parseCertificate, readTlv, type DigestAlgorithm } from "@kyso/core";
import { CscClient, CscSigner, type CscSecretRequest } from "@kyso/signers";

const right = async (r: CscSecretRequest): Promise<string> => (r.kind === "PIN" ? CSC_PIN : CSC_OTP);
const clientAuth = { kind: "client" as const, clientId: CSC_CLIENT_ID, clientSecret: CSC_CLIENT_SECRET };
const sha256 = (s: string): Uint8Array => new Uint8Array(createHash("sha256").update(s).digest());

/** An independent check of a raw signature over a digest with the certificate's public key (node's crypto). */
function verifiesDigest(certificate: Uint8Array, digest: Uint8Array, signature: Uint8Array, alg: DigestAlgorithm = "SHA-256"): boolean {
  const key = createPublicKey({ key: Buffer.from(parseCertificate(certificate).spki), format: "der", type: "spki" });
  if (key.asymmetricKeyType === "rsa") {
    let info: Buffer;
    try {
      info = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
    // DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING digest } (RFC 8017 §9.2)
    const [algId, octets] = children(readTlv(info));
    const oid = Buffer.from(children(algId)[0].value);
    const expectedOid = Buffer.from(readTlv(Buffer.from(oidDer(DIGEST_OIDS[alg]))).value);
    return oid.equals(expectedOid) && Buffer.from(octets.value).equals(Buffer.from(digest));
  }
  // Node has no ECDSA verify over a precomputed digest: ECDSA cases use verifiesMessage.
  throw new Error("use verifiesMessage for ECDSA");
}

function oidDer(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const enc: number[] = [];
    let v = p;
    do {
      enc.unshift((v & 0x7f) | (enc.length ? 0x80 : 0));
      v = Math.floor(v / 128);
    } while (v > 0);
    bytes.push(...enc);
  }
  return new Uint8Array([0x06, bytes.length, ...bytes]);
}

/** An independent check of a raw signature over a message (node's crypto hashes it). */
function verifiesMessage(certificate: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(parseCertificate(certificate).spki), format: "der", type: "spki" });
  const ec = key.asymmetricKeyType === "ec";
  return nodeVerify("sha256", message, { key, dsaEncoding: ec ? "ieee-p1363" : undefined, padding: ec ? undefined : constants.RSA_PKCS1_PADDING }, signature);
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof KysoError, `a KysoError, got ${String(e)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail("expected a refusal");
}

async function post(server: CscServer, path: string, body: unknown): Promise<Response> {
  return fetch(server.url.replace(/\/csc\/v2$/, `/csc/test/${path}`), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("CSC client signer", function () {
  let server: CscServer;
  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer();
  });
  after(async function () {
    await server?.close();
  });
  beforeEach(function () {
    server.reset();
  });

  it("reads info, lists the credentials and reads each one's chain, key, multisign and SCAL", async function () {
    const client = await CscClient.connect(server.url, { auth: clientAuth });
    assert.equal(client.apiVersion, "2");
    const ids = await client.listCredentials();
    assert.deepEqual([...ids].sort(), ["officer-ec", "officer-rsa"]);
    const rsa = await client.credentialInfo("officer-rsa");
    assert.equal(rsa.certificates.length, 3, "leaf, intermediate, root");
    assert.equal(rsa.keyAlgorithm.name, "RSA");
    assert.equal(rsa.multisign, 50);
    assert.equal(rsa.scal, "2");
    assert.deepEqual([rsa.pin.required, rsa.otp.required, rsa.otp.type], [true, true, "offline"]);
    const ec = await client.credentialInfo("officer-ec");
    assert.deepEqual(ec.keyAlgorithm, { name: "EC", namedCurve: "P-256" });
    const unknown = await codeOf(client.credentialInfo("nobody"));
    assert.equal(unknown.code, "CSC_REQUEST");
  });

  for (const id of ["officer-rsa", "officer-ec"]) {
    it(`${id}: signs a message; the signature verifies with the certificate and fails for a flipped byte`, async function () {
      const client = await CscClient.connect(server.url, { auth: clientAuth });
      const signer = await CscSigner.open({ client, credentialID: id, secrets: right });
      const message = new TextEncoder().encode(`signed attributes of ${id}`);
      const scheme = signer.keyAlgorithm.name === "RSA" ? "RSASSA-PKCS1-v1_5" : "ECDSA";
      const signature = await signer.sign(message, scheme, "SHA-256");
      if (scheme === "ECDSA") {
        assert.equal(signature.length, 64, "raw r||s for P-256");
        assert.doesNotThrow(() => ecdsaRawToDer(signature));
      } else assert.equal(signature.length, 256);
      assert.ok(verifiesMessage(signer.certificate, message, signature));
      const flipped = new Uint8Array(message);
      flipped[3] ^= 1;
      assert.equal(verifiesMessage(signer.certificate, flipped, signature), false);
      assert.deepEqual([signer.stats.authorizations, signer.stats.signHashCalls], [1, 1]);
    });
  }

  it("signs 120 digests in groups of multisign (50): 3 authorizations, 3 signHash calls, each signature right", async function () {
    const client = await CscClient.connect(server.url, { auth: clientAuth });
    const signer = await CscSigner.open({ client, credentialID: "officer-rsa", secrets: right });
    assert.equal(signer.batchSize, 50);
    const digests = Array.from({ length: 120 }, (_, i) => sha256(`document ${i}`));
    const signatures = await signer.signDigests(digests, "RSASSA-PKCS1-v1_5", "SHA-256");
    assert.equal(signatures.length, 120);
    for (let i = 0; i < 120; i++) assert.ok(verifiesDigest(signer.certificate, digests[i], signatures[i]), `signature ${i}`);
    const s = server.stats();
    assert.equal(s.calls["signatures/signHash"], 3);
    assert.equal(s.calls["credentials/authorize"], 3);
    assert.equal(s.hashesSigned, 120);
  });

  it("SCAL2: activation data for hashes A is refused for a hash B, and cannot be used twice", async function () {
    const client = await CscClient.connect(server.url, { auth: clientAuth });
    const credential = await client.credentialInfo("officer-rsa");
    const a = sha256("A");
    const b = sha256("B");
    const activation = await client.authorize(credential, [a], "SHA-256", right);
    const refused = await codeOf(client.signHash(credential, activation, [b], "SHA-256", "1.2.840.113549.1.1.11"));
    assert.equal(refused.code, "CSC_SAD_REJECTED");
    assert.match(refused.message, /hash not authorized/);
    const [sig] = await client.signHash(credential, activation, [a], "SHA-256", "1.2.840.113549.1.1.11");
    assert.ok(verifiesDigest(credential.certificates[0], a, sig));
    const reused = await codeOf(client.signHash(credential, activation, [a], "SHA-256", "1.2.840.113549.1.1.11"));
    assert.equal(reused.code, "CSC_SAD_REJECTED");
  });

  it("renews an expired access token before a call, and once after a 401 invalid_token", async function () {
    server.configure({ accessTokenTtlSeconds: 1 });
    const client = await CscClient.connect(server.url, { auth: clientAuth });
    const signer = await CscSigner.open({ client, credentialID: "officer-ec", secrets: right });
    await new Promise((r) => setTimeout(r, 1300));
    await signer.sign(sha256("after expiry"), "ECDSA", "SHA-256");
    assert.equal(server.stats().calls["oauth2/token"], 2, "renewed before the call (no 401)");

    // A clock that says the token is still fresh: the service's 401 makes the client renew once.
    const frozen = Date.now();
    const stale = await CscClient.connect(server.url, { auth: clientAuth, now: () => frozen });
    const staleSigner = await CscSigner.open({ client: stale, credentialID: "officer-ec", secrets: right });
    server.reset();
    await new Promise((r) => setTimeout(r, 1300));
    const sig = await staleSigner.sign(sha256("after 401"), "ECDSA", "SHA-256");
    assert.equal(sig.length, 64);
    assert.equal(server.stats().calls["oauth2/token"], 1, "one renewal after the 401");
  });

  it("wrong PIN and wrong OTP: coded errors that never contain the secret; the third wrong try locks", async function () {
    const client = await CscClient.connect(server.url, { auth: clientAuth });
    const credential = await client.credentialInfo("officer-rsa");
    const h = [sha256("x")];
    const wrongPin = await codeOf(client.authorize(credential, h, "SHA-256", async (r) => (r.kind === "PIN" ? "999111" : CSC_OTP)));
    assert.equal(wrongPin.code, "CSC_INVALID_PIN");
    assert.match(wrongPin.message, /2 retries left/);
    assert.ok(!wrongPin.message.includes("999111"));
    const wrongOtp = await codeOf(client.authorize(credential, h, "SHA-256", async (r) => (r.kind === "PIN" ? CSC_PIN : "135791")));
    assert.equal(wrongOtp.code, "CSC_INVALID_OTP");
    assert.ok(!wrongOtp.message.includes("135791") && !wrongOtp.message.includes(CSC_PIN));
    await codeOf(client.authorize(credential, h, "SHA-256", async (r) => (r.kind === "PIN" ? "999112" : CSC_OTP)));
    const locked = await codeOf(client.authorize(credential, h, "SHA-256", right));
    assert.equal(locked.code, "CSC_ACCESS_DENIED");
    server.configure({ unlock: true });
  });

  it("auth/login (HTTP Basic) on the v1.0.4 API: hash/hashAlgo members, same signatures", async function () {
    const client = await CscClient.connect(server.url.replace(/\/v2$/, "/v1"), { auth: { kind: "basic", username: "an", password: CSC_USER_PASSWORD } });
    assert.equal(client.apiVersion, "1");
    assert.deepEqual(await client.listCredentials(), ["officer-rsa"]);
    const signer = await CscSigner.open({ client, credentialID: "officer-rsa", secrets: right });
    const message = new TextEncoder().encode("v1");
    assert.ok(verifiesMessage(signer.certificate, message, await signer.sign(message, "RSASSA-PKCS1-v1_5", "SHA-256")));
    const refused = await codeOf(CscClient.connect(server.url, { auth: { kind: "basic", username: "an", password: "wrong" } }));
    assert.equal(refused.code, "CSC_AUTH_FAILED");
  });

  describe("asynchronous approval", function () {
    it("waits with progress until the officer approves on the phone", async function () {
      server.configure({ asyncApproval: true });
      const client = await CscClient.connect(server.url, { auth: clientAuth });
      const seen: string[] = [];
      const signer = await CscSigner.open({
        client,
        credentialID: "officer-rsa",
        secrets: right,
        approval: {
          intervalMs: 100,
          onProgress: (p) => {
            seen.push(p.phase);
            if (p.phase === "waiting" && seen.length === 2) void post(server, "approve", { responseID: p.responseID });
          },
        },
      });
      const digests = [sha256("1"), sha256("2")];
      const sigs = await signer.signDigests(digests, "RSASSA-PKCS1-v1_5", "SHA-256");
      assert.ok(verifiesDigest(signer.certificate, digests[1], sigs[1]));
      assert.equal(seen[seen.length - 1], "approved");
      assert.ok((server.stats().calls["credentials/authorizeStatus"] ?? 0) >= 2);
    });

    it("stops with CSC_APPROVAL_REJECTED when the officer refuses", async function () {
      server.configure({ asyncApproval: true });
      const client = await CscClient.connect(server.url, { auth: clientAuth });
      const signer = await CscSigner.open({
        client, credentialID: "officer-ec", secrets: right,
        approval: { intervalMs: 100, onProgress: (p) => void (p.phase === "waiting" && post(server, "reject", { responseID: p.responseID })) },
      });
      assert.equal((await codeOf(signer.sign(sha256("r"), "ECDSA", "SHA-256"))).code, "CSC_APPROVAL_REJECTED");
      assert.equal(server.stats().calls["signatures/signHash"] ?? 0, 0);
    });

    it("times out cleanly when no one approves (our limit, then the service's)", async function () {
      server.configure({ asyncApproval: true });
      const client = await CscClient.connect(server.url, { auth: clientAuth });
      const ours = await CscSigner.open({ client, credentialID: "officer-ec", secrets: right, approval: { intervalMs: 100, timeoutMs: 500 } });
      const t1 = await codeOf(ours.sign(sha256("t"), "ECDSA", "SHA-256"));
      assert.equal(t1.code, "CSC_APPROVAL_TIMEOUT");
      server.configure({ approvalTimeoutSeconds: 0.3 });
      const theirs = await CscSigner.open({ client, credentialID: "officer-ec", secrets: right, approval: { intervalMs: 400, timeoutMs: 60_000 } });
      const t2 = await codeOf(theirs.sign(sha256("t2"), "ECDSA", "SHA-256"));
      assert.equal(t2.code, "CSC_APPROVAL_TIMEOUT");
      assert.equal(server.stats().calls["signatures/signHash"] ?? 0, 0);
    });

    it("Ctrl-C (an AbortSignal) stops the wait with CSC_CANCELLED", async function () {
      server.configure({ asyncApproval: true });
      const client = await CscClient.connect(server.url, { auth: clientAuth });
      const controller = new AbortController();
      const signer = await CscSigner.open({
        client, credentialID: "officer-rsa", secrets: right,
        approval: { intervalMs: 100, signal: controller.signal, onProgress: () => controller.abort() },
      });
      assert.equal((await codeOf(signer.sign(sha256("c"), "RSASSA-PKCS1-v1_5", "SHA-256"))).code, "CSC_CANCELLED");
    });
  });

  it("an unreachable service is CSC_UNREACHABLE", async function () {
    const other = await startCscServer();
    const url = other.url;
    await other.close();
    assert.equal((await codeOf(CscClient.connect(url, { auth: clientAuth }))).code, "CSC_UNREACHABLE");
  });
});
