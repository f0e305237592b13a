/**
 * The CSC test server's keys: private keys on the SoftHSM2 demo token (`KYSO-DEMO`), used through
 * PKCS#11 as a signing service's HSM would be. The module is shared with @kyso/signers' registry
 * (acquireModule/releaseModule), so a test process that also signs with the token through a
 * Pkcs11Signer initializes the library only once. Test material only: the PIN is public.
 */
import * as graphene from "graphene-pk11";
import { KysoError, digestInfo, ecdsaRawToDer, type DigestAlgorithm } from "@kyso/core";
import { acquireModule, findSlot, loginUser, pkcs11Code, releaseModule } from "@kyso/signers";

const CKR_USER_NOT_LOGGED_IN = 0x101;
const CKR_SESSION_HANDLE_INVALID = 0xb3;
const CKR_SESSION_CLOSED = 0xb0;

export interface KeyStoreOptions {
  library: string;
  tokenLabel: string;
  pin: string;
}

/** One session, logged in once, signing one hash at a time (a PKCS#11 session runs one operation). */
export class CscKeyStore {
  private session: graphene.Session;
  private readonly keys = new Map<string, graphene.PrivateKey>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly options: KeyStoreOptions,
    private readonly slot: graphene.Slot,
  ) {
    this.session = this.openSession();
  }

  static open(options: KeyStoreOptions): CscKeyStore {
    const module = acquireModule(options.library);
    try {
      return new CscKeyStore(options, findSlot(module, { tokenLabel: options.tokenLabel }));
    } catch (e) {
      releaseModule(options.library);
      throw e;
    }
  }

  private openSession(): graphene.Session {
    const session = this.slot.open(graphene.SessionFlag.SERIAL_SESSION);
    loginUser(session, this.slot, this.options.pin, this.options.tokenLabel);
    this.keys.clear();
    return session;
  }

  private key(label: string): graphene.PrivateKey {
    let k = this.keys.get(label);
    if (!k) {
      const found = this.session.find({ class: graphene.ObjectClass.PRIVATE_KEY, label });
      if (found.length !== 1) throw new KysoError("P11_KEY_NOT_FOUND", `No single private key labelled "${label}" on token "${this.options.tokenLabel}"`);
      k = found.items(0).toType<graphene.PrivateKey>();
      this.keys.set(label, k);
    }
    return k;
  }

  /**
   * A raw signature over a hash: CKM_RSA_PKCS over the DigestInfo built here (RFC 8017 §9.2), or
   * CKM_ECDSA over the hash, its r || s turned into a DER ECDSA-Sig-Value (RFC 3279 §2.2.3), the
   * form CSC services return.
   */
  sign(keyLabel: string, kind: "RSA" | "EC", digestAlg: DigestAlgorithm, hash: Uint8Array): Promise<Uint8Array> {
    const input = Buffer.from(kind === "RSA" ? digestInfo(digestAlg, hash) : hash);
    const run = async (): Promise<Uint8Array> => {
      if (this.closed) throw new KysoError("P11_CLOSED", "The CSC test server's token session is closed");
      let out: Buffer;
      try {
        out = await this.signOnce(keyLabel, kind, input);
      } catch (e) {
        // Another user of the library in this process logged out (C_Logout ends every session's
        // login) or closed all sessions: open a fresh session and try once more.
        const code = pkcs11Code(e);
        if (code !== CKR_USER_NOT_LOGGED_IN && code !== CKR_SESSION_HANDLE_INVALID && code !== CKR_SESSION_CLOSED) throw e;
        try {
          this.session.close();
        } catch {
          /* already gone */
        }
        this.session = this.openSession();
        out = await this.signOnce(keyLabel, kind, input);
      }
      return kind === "RSA" ? new Uint8Array(out) : ecdsaRawToDer(new Uint8Array(out));
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private signOnce(keyLabel: string, kind: "RSA" | "EC", input: Buffer): Promise<Buffer> {
    const signer = this.session.createSign(kind === "RSA" ? "RSA_PKCS" : "ECDSA", this.key(keyLabel));
    return new Promise<Buffer>((resolve, reject) => signer.once(input, (err, out) => (err ? reject(err) : resolve(out))));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    try {
      this.session.close();
    } catch {
      /* token gone */
    }
    releaseModule(this.options.library);
  }
}
