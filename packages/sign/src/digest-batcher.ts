import { createHash } from "node:crypto";
import { nodeDigestName, type BatchRawSigner, type DigestAlgorithm, type RawSigner, type SignatureScheme } from "@kyso/core";

interface Waiting {
  digest: Uint8Array;
  scheme: SignatureScheme;
  algorithm: DigestAlgorithm;
  resolve: (signature: Uint8Array) => void;
  reject: (e: unknown) => void;
}

/**
 * Groups the signatures of the documents in flight for a signer that signs many digests in one
 * round trip (remote signing): each document's worker asks `signer.sign(signedAttributes)` as for
 * a token; the batcher hashes, waits until `groupSize` digests are waiting (or no other worker can
 * add one), and signs the group with one `signDigests` call. Groups go to the signer one at a
 * time; after a failure no further group is sent (a wrong PIN or OTP must not be tried again, a
 * locked credential stays locked) and every waiting document gets the same error.
 */
export class DigestBatcher {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  /** Groups sent, for tests. */
  groups = 0;

  constructor(
    private readonly target: BatchRawSigner,
    private readonly groupSize: number,
    /** Workers that may still ask for a signature. */
    private producers: number,
  ) {}

  /** The RawSigner the workers use. */
  get signer(): RawSigner {
    const t = this.target;
    return {
      certificate: t.certificate,
      chain: t.chain,
      keyAlgorithm: t.keyAlgorithm,
      maxSignatureLength: () => t.maxSignatureLength(),
      sign: (data, scheme, algorithm) => this.enqueue(data, scheme, algorithm),
    };
  }

  /** A worker has no more documents: the ones waiting may be all there will be. */
  workerDone(): void {
    this.producers--;
    this.maybeFlush();
  }

  private enqueue(data: Uint8Array, scheme: SignatureScheme, algorithm: DigestAlgorithm): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure.error);
    const digest = new Uint8Array(createHash(nodeDigestName(algorithm)).update(data).digest());
    return new Promise((resolve, reject) => {
      this.waiting.push({ digest, scheme, algorithm, resolve, reject });
      this.maybeFlush();
    });
  }

  /**
   * A full group goes at once. A partial one goes only when every live worker is waiting here and
   * no group is out: while one is out, its workers come back with more documents.
   */
  private maybeFlush(): void {
    while (this.waiting.length >= this.groupSize) this.flush(this.groupSize);
    if (this.waiting.length > 0 && this.inFlight === 0 && this.waiting.length >= this.producers) this.flush(this.waiting.length);
  }

  private flush(n: number): void {
    const first = this.waiting[0];
    // One scheme and digest per call (a batch uses one; this keeps a mixed caller correct).
    let take = 0;
    while (take < n && this.waiting[take].scheme === first.scheme && this.waiting[take].algorithm === first.algorithm) take++;
    const group = this.waiting.splice(0, take);
    this.inFlight += group.length;
    this.groups++;
    this.tail = this.tail.then(async () => {
      try {
        if (this.failure) throw this.failure.error;
        const signatures = await this.target.signDigests(
          group.map((w) => w.digest),
          first.scheme,
          first.algorithm,
        );
        if (signatures.length !== group.length) throw new Error(`signDigests returned ${signatures.length} signatures for ${group.length} digests`);
        group.forEach((w, i) => w.resolve(signatures[i]));
      } catch (e) {
        this.failure ??= { error: e };
        for (const w of group) w.reject(e);
        for (const w of this.waiting.splice(0)) w.reject(e);
      } finally {
        this.inFlight -= group.length;
        // Resolved workers resume after this turn; a partial group may now be all there is.
        queueMicrotask(() => this.maybeFlush());
      }
    });
  }
}
