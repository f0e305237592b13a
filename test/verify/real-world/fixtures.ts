/**
 * Real-world CMS shapes (issue 11, acceptance 3), each a signed PDF made at test time in a temp dir
 * and named for what is special about it. Kyso's preparation is only the container; every CMS comes
 * from openssl, or is built by hand where openssl 3.0 cannot make it (said at each).
 */
import { createHash, createPrivateKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { certificatesFromPemOrDer } from "@kyso/core";
import { pki, samples } from "@kyso/certs-test";
import { embedCms, prepareContainer, signedBytes, writeContainer, type Container, type ContainerSubFilter } from "./container.js";
import { algorithms, detachStreamedCms, digests, eddsa, handSignedData, rsaSha256, timestampAttribute, withCertificates } from "./cms-build.js";
import { issue, openssl, type Issued } from "./openssl.js";

export interface Fixture {
  name: string;
  /** The signed PDF. */
  file: string;
  /** The signed byte ranges, concatenated (the detached content). */
  ranges: string;
  /** The CMS as embedded (DER or BER). */
  cms: string;
  /** true when the CMS encapsulates its content (adbe.pkcs7.sha1). */
  attached: boolean;
  /** PEM trust anchor for openssl's judgement. */
  caFile: string;
  /** Certificates openssl may use to build the path, beyond those in the CMS. */
  extraCerts?: string;
}

/** The test PKI's officer: leaf, key and chain (intermediate, root) from certs-test. */
export const officer = { cert: pki.officerRsa.cert, key: pki.officerRsa.key, chain: pki.officerRsa.chain };

const derCerts = (pem: string): Uint8Array[] => certificatesFromPemOrDer(new Uint8Array(readFileSync(pem)));

/** Prepares `input`, has `makeCms` sign the ranges file, embeds the result and writes `<name>.pdf`. */
export async function buildSigned(
  dir: string,
  name: string,
  makeCms: (rangesFile: string, c: Container) => Uint8Array | Promise<Uint8Array>,
  options: { input?: string; subFilter?: ContainerSubFilter; attached?: boolean; caFile?: string; extraCerts?: string; tweak?: (c: Container) => void } = {},
): Promise<Fixture> {
  const c = prepareContainer(options.input ?? samples.onePage, options.subFilter ?? "adbe.pkcs7.detached");
  options.tweak?.(c);
  const ranges = join(dir, `${name}.ranges`);
  writeFileSync(ranges, signedBytes(c));
  const der = await makeCms(ranges, c);
  const cms = join(dir, `${name}.p7s`);
  writeFileSync(cms, der);
  embedCms(c, der);
  const file = writeContainer(c, join(dir, `${name}.pdf`));
  return { name, file, ranges, cms, attached: options.attached ?? false, caFile: options.caFile ?? pki.root, extraCerts: options.extraCerts };
}

/** `openssl cms -sign -binary -outform DER` over `input` with the given signer and extra options. */
export function opensslSign(input: string, signer: { cert: string; key: string }, extra: string[]): Uint8Array {
  return new Uint8Array(openssl(["cms", "-sign", "-binary", "-outform", "DER", "-in", input, "-signer", signer.cert, "-inkey", signer.key, ...extra]));
}

/** A control: openssl's ordinary detached CMS with signed attributes (what the variants depart from). */
export function opensslBaseline(dir: string, input?: string): Promise<Fixture> {
  return buildSigned(dir, "openssl-baseline", (r) => opensslSign(r, officer, ["-md", "sha256", "-certfile", officer.chain]), { input });
}

/** RFC 5652 §5.4: no signed attributes, the signature is computed over the content itself. */
export function noSignedAttrs(dir: string): Promise<Fixture> {
  return buildSigned(dir, "no-signed-attrs", (r) => opensslSign(r, officer, ["-noattr", "-md", "sha256", "-certfile", officer.chain]));
}

/** X.690 §8.1.3.6 indefinite lengths: openssl's streamed (BER) output with the content cut out. */
export function berIndefinite(dir: string): Promise<Fixture> {
  return buildSigned(dir, "ber-indefinite", (r) => detachStreamedCms(opensslSign(r, officer, ["-stream", "-md", "sha256", "-certfile", officer.chain])));
}

/** RFC 5652 §5.3: SignerIdentifier as subjectKeyIdentifier ([0]), SignerInfo version 3. */
export function signerBySki(dir: string): Promise<Fixture> {
  return buildSigned(dir, "signer-by-ski", (r) => opensslSign(r, officer, ["-keyid", "-md", "sha256", "-certfile", officer.chain]));
}

/**
 * RFC 5652 §5.1: certificates is a SET, with no order promised. openssl refuses repeats and DER-sorts
 * the set, so its CMS is re-assembled with root, intermediate, leaf and the intermediate again.
 */
export function certsShuffledRepeated(dir: string): Promise<Fixture> {
  return buildSigned(dir, "certs-shuffled-repeated", (r) => {
    const der = opensslSign(r, officer, ["-md", "sha256", "-certfile", officer.chain]);
    const [intermediate, root] = derCerts(officer.chain);
    const [leaf] = derCerts(officer.cert);
    return withCertificates(der, [root, intermediate, leaf, intermediate]);
  });
}

/**
 * ISO 32000-1 §12.8.3.3.1 adbe.pkcs7.sha1: the SHA-1 digest of the byte ranges is the encapsulated
 * content (`-nodetach`), signed with SHA-1 as such signatures were.
 */
export function adbePkcs7Sha1(dir: string): Promise<Fixture> {
  return buildSigned(
    dir,
    "adbe-pkcs7-sha1",
    (r) => {
      const digestFile = `${r}.sha1`;
      writeFileSync(digestFile, createHash("sha1").update(readFileSync(r)).digest());
      return opensslSign(digestFile, officer, ["-nodetach", "-md", "sha1", "-certfile", officer.chain]);
    },
    { subFilter: "adbe.pkcs7.sha1", attached: true },
  );
}

/** An EdDSA leaf issued by openssl under the test PKI's intermediate (so the test root anchors it). */
export function edLeaf(dir: string, type: "ed25519" | "ed448", label: string = type): Issued {
  return issue(dir, `${label}-signer`, `/CN=Nguyễn Văn ${type === "ed25519" ? "Ed" : "Tám"}/O=Kyso tests/C=VN`, type, { cert: pki.intermediate, key: pki.intermediateKey }, "leaf");
}

export type EdCase = "ed25519" | "ed448" | "ed448-shake256-len";

/**
 * RFC 8419: PureEdDSA with signed attributes; Ed25519 with SHA-512 as message digest (§2.3), Ed448
 * with SHAKE256/512 (`ed448`: id-shake256; `ed448-shake256-len`: id-shake256-len, 512). Keys and
 * certificates from openssl; openssl 3.0's CMS cannot sign with EdDSA ("invalid digest"), so the
 * SignedData is assembled by hand and signed by node:crypto.
 */
export function edSigned(dir: string, name: EdCase): Promise<Fixture> {
  const type = name === "ed25519" ? "ed25519" : "ed448";
  const leaf = edLeaf(dir, type, name);
  const key = createPrivateKey(readFileSync(leaf.key));
  const [intermediate] = derCerts(officer.chain);
  const digestAlgorithm = name === "ed25519" ? algorithms.sha512 : name === "ed448" ? algorithms.shake256 : algorithms.shake256len512;
  return buildSigned(dir, name, (r) =>
    handSignedData({
      content: readFileSync(r),
      digestAlgorithm,
      digest: type === "ed25519" ? digests.sha512 : digests.shake256x512,
      signatureAlgorithm: type === "ed25519" ? algorithms.ed25519 : algorithms.ed448,
      sign: eddsa(key),
      signerCertificate: leaf.der,
      certificates: [leaf.der, intermediate],
    }),
  );
}

/** How far the signing-time of {@link signingTimeLocalAsUtc} is from the truth. */
export const LOCAL_AS_UTC_HOURS = 7;

/**
 * A signing-time attribute (RFC 5652 §11.3) holding Vietnamese local time labelled UTC (7 hours
 * ahead), with an RFC 3161 timestamp from the test TSA. openssl cannot set signing-time, so the
 * SignedData is assembled by hand and signed by node:crypto with the officer's key.
 */
export function signingTimeLocalAsUtc(dir: string, tsaUrl: string, now = new Date()): Promise<Fixture> {
  const key = createPrivateKey(readFileSync(officer.key));
  const [leaf] = derCerts(officer.cert);
  const [intermediate] = derCerts(officer.chain);
  const claimed = new Date(Math.floor(now.getTime() / 1000) * 1000 + LOCAL_AS_UTC_HOURS * 3600_000);
  return buildSigned(dir, "signing-time-local-as-utc", (r) =>
    handSignedData({
      content: readFileSync(r),
      digestAlgorithm: algorithms.sha256,
      digest: digests.sha256,
      signatureAlgorithm: algorithms.rsaEncryption,
      sign: rsaSha256(key),
      signerCertificate: leaf,
      certificates: [leaf, intermediate],
      signingTime: claimed,
      unsigned: async (sig) => [
        await timestampAttribute(tsaUrl, sig, (data) => {
          const f = `${r}.sig`;
          writeFileSync(f, data);
          return new Uint8Array(openssl(["ts", "-query", "-data", f, "-sha256", "-cert"]));
        }),
      ],
    }),
  );
}
