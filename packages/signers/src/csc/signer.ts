import { createHash } from "node:crypto";
import {
  KysoError, ecdsaDerToRaw, maxSignatureLengthFor, nodeDigestName,
  type BatchRawSigner, type DigestAlgorithm, type KeyAlgorithm, type SignatureScheme,
} from "@kyso/core";
import type { ApprovalWaitOptions } from "./approval.js";
import { SIGN_ALGO_OIDS, type Activation, type CscClient, type CscCredential, type CscSecretPrompt } from "./client.js";
import { cscError } from "./errors.js";

export interface CscSignerOptions {
  client: CscClient;
  credentialID: string;
  /** Asks for the PIN and the OTP when an authorization needs them. */
  secrets: CscSecretPrompt;
  /** Asynchronous approval (a phone): how to wait. `asynchronous` asks the service for it (operationMode "A"). */
  approval?: ApprovalWaitOptions & { asynchronous?: boolean };
  /** Shown by the service to the officer with each authorization. */
  description?: string;
  /** At most this many hashes per authorization and signHash call, below the credential's multisign (benchmarks, tests). */
  maxBatch?: number;
}

/** Calls made, for the batch engine's tests and the benchmark. */
export interface CscSignerStats {
  authorizations: number;
  signHashCalls: number;
  hashesSigned: number;
}

const curveBytes = (k: KeyAlgorithm): number => (k.name === "EC" ? (k.namedCurve === "P-256" ? 32 : k.namedCurve === "P-384" ? 48 : 66) : 0);

/**
 * A `RawSigner` whose key lives in a remote signing service (CSC API). The data to sign is hashed
 * here; the service gets only hashes: `credentials/authorize` for a group of them (with the PIN and
 * OTP the credential demands, or an approval on the officer's phone), then one
 * `signatures/signHash` for the group. Groups hold at most `multisign` hashes.
 */
export class CscSigner implements BatchRawSigner {
  readonly certificate: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly keyAlgorithm: KeyAlgorithm;
  readonly batchSize: number;
  readonly stats: CscSignerStats = { authorizations: 0, signHashCalls: 0, hashesSigned: 0 };

  private constructor(
    readonly credential: CscCredential,
    private readonly options: CscSignerOptions,
  ) {
    this.certificate = credential.certificates[0];
    this.chain = credential.certificates.slice(1);
    this.keyAlgorithm = credential.keyAlgorithm;
    this.batchSize = Math.max(1, Math.min(credential.multisign, options.maxBatch ?? Infinity));
  }

  /** Reads the credential (`credentials/info`) and checks that it can sign. */
  static async open(options: CscSignerOptions): Promise<CscSigner> {
    const credential = await options.client.credentialInfo(options.credentialID);
    if (credential.keyStatus && credential.keyStatus !== "enabled")
      throw cscError("CSC_CREDENTIAL_UNUSABLE", `The key of the remote credential "${credential.id}" is ${credential.keyStatus}`);
    if (credential.certificateStatus && credential.certificateStatus !== "valid")
      throw cscError("CSC_CREDENTIAL_UNUSABLE", `The certificate of the remote credential "${credential.id}" is ${credential.certificateStatus}`);
    return new CscSigner(credential, options);
  }

  maxSignatureLength(): number {
    return maxSignatureLengthFor(this.keyAlgorithm);
  }

  async sign(data: Uint8Array, scheme: SignatureScheme, digest: DigestAlgorithm): Promise<Uint8Array> {
    const h = new Uint8Array(createHash(nodeDigestName(digest)).update(data).digest());
    const [signature] = await this.signDigests([h], scheme, digest);
    return signature;
  }

  async signDigests(digests: readonly Uint8Array[], scheme: SignatureScheme, digest: DigestAlgorithm): Promise<Uint8Array[]> {
    const signAlgo = this.signAlgorithm(scheme, digest);
    const out: Uint8Array[] = [];
    for (let i = 0; i < digests.length; i += this.batchSize) {
      const group = digests.slice(i, i + this.batchSize);
      const activation = await this.authorize(group, digest);
      const signatures = await this.options.client.signHash(this.credential, activation, group, digest, signAlgo);
      this.stats.signHashCalls++;
      this.stats.hashesSigned += group.length;
      out.push(...signatures.map((s) => this.toRaw(s)));
    }
    return out;
  }

  /** The activation data for one group (SCAL2: bound to exactly these hashes, so one per group). */
  async authorize(hashes: readonly Uint8Array[], digest: DigestAlgorithm): Promise<Activation> {
    const a = await this.options.client.authorize(this.credential, hashes, digest, this.options.secrets, this.options.approval ?? {}, this.options.description);
    this.stats.authorizations++;
    return a;
  }

  /**
   * signAlgo for signHash: the key's algorithm combined with the digest when the credential lists
   * it (sha256WithRSAEncryption, ecdsa-with-SHA256), else the bare key algorithm with
   * hashAlgorithmOID (CSC API v2.0 §11.9: rsaEncryption means PKCS#1 v1.5 over the DigestInfo).
   */
  private signAlgorithm(scheme: SignatureScheme, digest: DigestAlgorithm): string {
    const listed = this.credential.keyAlgorithmOids;
    const bits = digest.replace("SHA-", "");
    if (scheme === "RSASSA-PKCS1-v1_5" && this.keyAlgorithm.name === "RSA") {
      const combined = SIGN_ALGO_OIDS[`sha${bits}WithRSAEncryption` as keyof typeof SIGN_ALGO_OIDS];
      return combined && listed.includes(combined) ? combined : SIGN_ALGO_OIDS.rsaEncryption;
    }
    if (scheme === "ECDSA" && this.keyAlgorithm.name === "EC") {
      const combined = SIGN_ALGO_OIDS[`ecdsa-with-SHA${bits}` as keyof typeof SIGN_ALGO_OIDS];
      if (combined && listed.includes(combined)) return combined;
      if (listed.includes(SIGN_ALGO_OIDS.ecPublicKey)) return SIGN_ALGO_OIDS.ecPublicKey;
      return combined ?? SIGN_ALGO_OIDS.ecPublicKey;
    }
    throw cscError("CSC_UNSUPPORTED", `The remote credential "${this.credential.id}" (${this.keyAlgorithm.name}) cannot sign with ${scheme}`);
  }

  /** ECDSA: the service returns DER (or, for some, raw r||s already); RawSigner returns raw r||s. */
  private toRaw(signature: Uint8Array): Uint8Array {
    if (this.keyAlgorithm.name !== "EC") return signature;
    const n = curveBytes(this.keyAlgorithm);
    if (signature.length === 2 * n && signature[0] !== 0x30) return signature;
    try {
      return ecdsaDerToRaw(signature, n);
    } catch (e) {
      throw new KysoError("CSC_PROTOCOL", "The signing service returned an ECDSA signature that cannot be read", { cause: e });
    }
  }
}
