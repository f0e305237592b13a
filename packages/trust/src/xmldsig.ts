import { verify as cryptoVerify, type KeyLike } from "node:crypto";
import type { SignatureAlgorithm } from "xml-crypto";
import { defaultScheme, type RawSigner } from "@kyso/core";

/** XMLDSig identifiers (W3C XML Signature 1.1 §6; RFC 6931 §2.3.2 for ECDSA). */
export const DSIG = {
  ns: "http://www.w3.org/2000/09/xmldsig#",
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha512: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
  ecdsaSha256: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
  ecdsaSha384: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  enveloped: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
} as const;

type Callback<T> = (err: Error | null, value?: T) => void;

/** Node's verify for one algorithm. ECDSA values are r||s (XML Signature 1.1 §6.4.3), hence ieee-p1363. */
function verifier(hash: string, ecdsa: boolean) {
  return (material: string, key: KeyLike, signatureValue: string, callback?: Callback<boolean>): boolean => {
    let ok: boolean;
    try {
      const k = ecdsa ? { key: key as string, dsaEncoding: "ieee-p1363" as const } : (key as string);
      ok = cryptoVerify(hash, Buffer.from(material, "utf8"), k, Buffer.from(signatureValue, "base64"));
    } catch (e) {
      if (callback) {
        callback(e as Error);
        return false;
      }
      throw e;
    }
    if (callback) callback(null, ok);
    return ok;
  };
}

function verifyOnlyAlgorithm(uri: string, hash: string, ecdsa: boolean): new () => SignatureAlgorithm {
  return class {
    getSignature(): string {
      throw new Error("this algorithm only verifies");
    }
    verifySignature = verifier(hash, ecdsa) as SignatureAlgorithm["verifySignature"];
    getAlgorithmName(): string {
      return uri;
    }
  } as unknown as new () => SignatureAlgorithm;
}

/**
 * The signature algorithms accepted when a list is read: RSA PKCS#1 v1.5 and ECDSA with SHA-256 or
 * stronger. SHA-1 is refused (TS 119 312 §6.2.5 retired it for new signatures; a trust list is
 * always new enough to be re-signed).
 */
export function verificationAlgorithms(): Record<string, new () => SignatureAlgorithm> {
  return {
    [DSIG.rsaSha256]: verifyOnlyAlgorithm(DSIG.rsaSha256, "sha256", false),
    [DSIG.rsaSha512]: verifyOnlyAlgorithm(DSIG.rsaSha512, "sha512", false),
    [DSIG.ecdsaSha256]: verifyOnlyAlgorithm(DSIG.ecdsaSha256, "sha256", true),
    [DSIG.ecdsaSha384]: verifyOnlyAlgorithm(DSIG.ecdsaSha384, "sha384", true),
  };
}

/** The SignatureMethod URI a signer's key produces: RSA-SHA256 or ECDSA-SHA256. */
export function signatureMethodFor(signer: RawSigner): string {
  return signer.keyAlgorithm.name === "RSA" ? DSIG.rsaSha256 : DSIG.ecdsaSha256;
}

/**
 * An xml-crypto signature algorithm that hands the canonical SignedInfo to a RawSigner (a token or
 * a PKCS#12 file), so the private key never leaves it. xml-crypto calls it with a callback when
 * computeSignature is given one.
 */
export function rawSignerAlgorithm(signer: RawSigner): new () => SignatureAlgorithm {
  const uri = signatureMethodFor(signer);
  const ecdsa = signer.keyAlgorithm.name === "EC";
  return class {
    getSignature(signedInfo: unknown, _key: unknown, callback?: Callback<string>): void {
      if (!callback) throw new Error("signing with a RawSigner is asynchronous");
      const data = typeof signedInfo === "string" ? Buffer.from(signedInfo, "utf8") : Buffer.from(signedInfo as Uint8Array);
      signer.sign(new Uint8Array(data), defaultScheme(signer.keyAlgorithm), "SHA-256").then(
        (sig) => callback(null, Buffer.from(sig).toString("base64")),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
    }
    verifySignature = verifier("sha256", ecdsa) as SignatureAlgorithm["verifySignature"];
    getAlgorithmName(): string {
      return uri;
    }
  } as unknown as new () => SignatureAlgorithm;
}
