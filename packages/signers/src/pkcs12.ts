import { readFileSync } from "node:fs";
import { createPrivateKey, sign as nodeSign, constants, type KeyObject } from "node:crypto";
import type * as asn1jsTypes from "asn1js";
import type * as pkijsTypes from "pkijs";
import { KysoError, defaultScheme, maxSignatureLengthFor, nodeDigestName, DIGEST_LENGTHS, type DigestAlgorithm, type KeyAlgorithm, type RawSigner, type SignatureScheme } from "@kyso/core";
import { orderChain, publicKeyMatches, keyAlgorithmOfCertificate } from "./x509.js";

const BAG_KEY = "1.2.840.113549.1.12.10.1.1";
const BAG_SHROUDED_KEY = "1.2.840.113549.1.12.10.1.2";
const BAG_CERT = "1.2.840.113549.1.12.10.1.3";

/** A signer over a PKCS#12 (.p12/.pfx) file: RSA or EC key, its certificate and chain (RFC 7292). */
export class Pkcs12Signer implements RawSigner {
  private constructor(
    private readonly key: KeyObject,
    readonly certificate: Uint8Array,
    readonly chain: readonly Uint8Array[],
    readonly keyAlgorithm: KeyAlgorithm,
  ) {}

  static async open(path: string, password: string, extraCertificates: readonly Uint8Array[] = []): Promise<Pkcs12Signer> {
    let data: Uint8Array;
    try {
      data = readFileSync(path);
    } catch (e) {
      throw new KysoError("P12_UNREADABLE", `Cannot read PKCS#12 file ${path}: ${(e as Error).message}`, { cause: e });
    }
    return Pkcs12Signer.fromBytes(data, password, path, extraCertificates);
  }

  static async fromBytes(data: Uint8Array, password: string, label = "PKCS#12 data", extraCertificates: readonly Uint8Array[] = []): Promise<Pkcs12Signer> {
    const pwd = new Uint8Array(Buffer.from(password, "utf8")).buffer;
    // pkijs is loaded only when a PKCS#12 file is used: it costs ~100 ms of start-up for token users.
    const asn1js: typeof asn1jsTypes = await import("asn1js");
    const pkijs: typeof pkijsTypes = await import("pkijs");
    const keys: Uint8Array[] = [];
    const certs: Uint8Array[] = [];
    try {
      const asn = asn1js.fromBER(new Uint8Array(data).buffer);
      if (asn.offset === -1) throw new Error("not DER");
      const pfx = new pkijs.PFX({ schema: asn.result });
      await pfx.parseInternalValues({ password: pwd, checkIntegrity: true });
      const authSafe = pfx.parsedValue?.authenticatedSafe;
      if (!authSafe) throw new Error("no authenticated safe");
      await authSafe.parseInternalValues({ safeContents: authSafe.safeContents.map(() => ({ password: pwd })) });
      for (const sc of authSafe.parsedValue.safeContents as { value: pkijsTypes.SafeContents }[]) {
        for (const bag of sc.value.safeBags) {
          if (bag.bagId === BAG_SHROUDED_KEY) {
            const shrouded = bag.bagValue as pkijsTypes.PKCS8ShroudedKeyBag;
            await (shrouded as unknown as { parseInternalValues(p: { password: ArrayBuffer }): Promise<void> }).parseInternalValues({ password: pwd });
            if (shrouded.parsedValue) keys.push(new Uint8Array(shrouded.parsedValue.toSchema().toBER(false)));
          } else if (bag.bagId === BAG_KEY) {
            keys.push(new Uint8Array((bag.bagValue as pkijsTypes.PrivateKeyInfo).toSchema().toBER(false)));
          } else if (bag.bagId === BAG_CERT) {
            const cb = bag.bagValue as pkijsTypes.CertBag;
            const parsed = cb.parsedValue as pkijsTypes.Certificate | undefined;
            if (parsed) certs.push(new Uint8Array(parsed.toSchema(false).toBER(false)));
            else certs.push(new Uint8Array((cb.certValue as asn1jsTypes.OctetString).valueBlock.valueHexView));
          }
        }
      }
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (/integrity|mac|password|decrypt|bad/i.test(msg))
        throw new KysoError("P12_BAD_PASSWORD", `Cannot open ${label}: wrong password or damaged file`, { cause: e });
      throw new KysoError("P12_INVALID", `Cannot open ${label}: ${msg}`, { cause: e });
    }
    if (keys.length === 0) throw new KysoError("P12_NO_KEY", `${label} contains no private key`);
    const key = createPrivateKey({ key: Buffer.from(keys[0]), format: "der", type: "pkcs8" });
    const own = certs.find((c) => publicKeyMatches(c, key));
    if (!own) throw new KysoError("P12_NO_CERT", `${label} contains no certificate for its private key`);
    return new Pkcs12Signer(key, own, orderChain(own, [...certs, ...extraCertificates]), keyAlgorithmOfCertificate(own));
  }

  maxSignatureLength(): number {
    return maxSignatureLengthFor(this.keyAlgorithm);
  }

  async sign(data: Uint8Array, scheme: SignatureScheme, digest: DigestAlgorithm): Promise<Uint8Array> {
    const alg = nodeDigestName(digest);
    if (scheme === "ECDSA") {
      if (this.keyAlgorithm.name !== "EC") throw new KysoError("SIGNER_SCHEME", "ECDSA needs an EC key");
      return new Uint8Array(nodeSign(alg, data, { key: this.key, dsaEncoding: "ieee-p1363" }));
    }
    if (this.keyAlgorithm.name !== "RSA") throw new KysoError("SIGNER_SCHEME", `${scheme} needs an RSA key`);
    if (scheme === "RSA-PSS")
      return new Uint8Array(nodeSign(alg, data, { key: this.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGEST_LENGTHS[digest] }));
    return new Uint8Array(nodeSign(alg, data, { key: this.key, padding: constants.RSA_PKCS1_PADDING }));
  }

  get defaultScheme(): SignatureScheme {
    return defaultScheme(this.keyAlgorithm);
  }
}
