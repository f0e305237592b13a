import { KysoError, type DigestAlgorithm, type RawSigner, type SignatureScheme } from "@kyso/core";
import type { OpenedAgentSigner, SignerFactory } from "./types.js";
import { isCodedError } from "./status.js";

/** Errors after which the kept session is dead (the token is gone): the next request opens anew. */
const DEAD = new Set(["P11_TOKEN_REMOVED", "P11_DEVICE_ERROR", "P11_CLOSED", "P11_NOT_LOGGED_IN", "P11_ERROR"]);

export interface SessionOpenHooks {
  pin: () => Promise<string>;
  beforeLogin: (certificate: Uint8Array, offered: readonly Uint8Array[]) => Promise<void>;
}

/**
 * The one token session of the agent: opened (one PIN, one C_Login) on the first signing, kept
 * logged in while it is used, closed after `idleMs` without use, and dropped as soon as the token
 * is found removed (on the next use: PKCS#11 has no portable removal event without a slot-wait
 * thread). Signing calls are serialized: a PKCS#11 session runs one operation at a time.
 */
export class TokenSession {
  private opened: OpenedAgentSigner | undefined;
  private opening: Promise<OpenedAgentSigner> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  private users = 0;
  private closed = false;

  constructor(
    private readonly factory: SignerFactory,
    private readonly idleMs: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** True while a logged-in session is kept. */
  get active(): boolean {
    return this.opened !== undefined;
  }

  /**
   * Runs `work` with the kept signer, opening it first when needed (`hooks.pin` is called only then).
   * Concurrent callers share one opening: one PIN for all of them.
   */
  async use<T>(hooks: SessionOpenHooks, work: (signer: RawSigner, describe: string) => Promise<T>): Promise<T> {
    if (this.closed) throw new KysoError("AGENT_CLOSED", "The agent is shutting down");
    this.users++;
    this.stopTimer();
    try {
      const opened = await this.acquire(hooks);
      try {
        return await work(this.serialized(opened.signer), opened.describe);
      } catch (e) {
        if (isCodedError(e) && DEAD.has(e.code)) await this.drop(`the token session ended (${e.code})`);
        throw e;
      }
    } finally {
      this.users--;
      this.startTimer();
    }
  }

  private async acquire(hooks: SessionOpenHooks): Promise<OpenedAgentSigner> {
    if (this.opened) return this.opened;
    if (!this.opening) {
      this.opening = this.factory.open({ pin: hooks.pin, beforeLogin: hooks.beforeLogin });
      this.opening.then(
        (o) => {
          this.opened = o;
          this.opening = undefined;
          this.log(`token session opened: ${o.describe}`);
        },
        () => {
          this.opening = undefined;
        },
      );
    }
    return this.opening;
  }

  private serialized(signer: RawSigner): RawSigner {
    return {
      certificate: signer.certificate,
      chain: signer.chain,
      keyAlgorithm: signer.keyAlgorithm,
      maxSignatureLength: () => signer.maxSignatureLength(),
      sign: (data: Uint8Array, scheme: SignatureScheme, digest: DigestAlgorithm) => {
        const run = this.lane.then(() => signer.sign(data, scheme, digest));
        this.lane = run.catch(() => undefined);
        return run;
      },
    };
  }

  private startTimer(): void {
    if (this.users > 0 || !this.opened || this.closed) return;
    this.stopTimer();
    this.timer = setTimeout(() => void this.drop(`idle for ${Math.round(this.idleMs / 1000)} s`), this.idleMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Ends the session (logged out when its last session closes). */
  async drop(why: string): Promise<void> {
    this.stopTimer();
    const o = this.opened;
    this.opened = undefined;
    if (!o) return;
    await this.lane.catch(() => undefined);
    try {
      await o.close();
    } catch {
      /* the token is gone */
    }
    this.log(`token session closed: ${why}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.drop("the agent stopped");
  }
}
