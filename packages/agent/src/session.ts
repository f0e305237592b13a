import { KysoError, isBatchRawSigner, type BatchRawSigner, type DigestAlgorithm, type RawSigner, type SignatureScheme } from "@kyso/core";
import type { OpenedAgentSigner, SignerFactory, SignerOpenHooks } from "./types.js";
import { agentEvent, type AgentLog, type SessionEnd } from "./log-events.js";
import { isCodedError } from "./status.js";

/** Errors after which the kept session is dead (the token is gone): the next request opens anew. */
const DEAD = new Set(["P11_TOKEN_REMOVED", "P11_DEVICE_ERROR", "P11_CLOSED", "P11_NOT_LOGGED_IN", "P11_ERROR"]);

/** One request's hooks: the opener's are used to open; each signing call's are used while it runs. */
export type SessionOpenHooks = SignerOpenHooks;

export interface SessionWatch {
  /** How often presence and the screen lock are looked at while a session is kept (ms). */
  everyMs: number;
  screenLocked?: () => Promise<boolean>;
}

/**
 * The one signer session of the agent: opened (one PIN, one C_Login; a PKCS#12 password; a CSC
 * OAuth token) on the first signing, kept while it is used, closed after `idleMs` without use. While
 * it is kept a watcher looks every `watch.everyMs` at the token's presence (the opened signer's
 * `present` probe: PKCS#11 has no portable removal event without a slot-wait thread) and at the
 * screen lock, and ends the session as soon as the token is gone or the screen locked; a dead token
 * found on use ends it too. Signing calls are serialized: a PKCS#11 session runs one operation at a
 * time, and a remote credential's PIN/OTP go to the request whose call is running.
 */
export class TokenSession {
  private opened: OpenedAgentSigner | undefined;
  private opening: Promise<OpenedAgentSigner> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  /** The hooks of the request whose signing call runs now (secrets and approval notices go to it). */
  private current: SessionOpenHooks | undefined;
  private users = 0;
  private closed = false;

  constructor(
    private readonly factory: SignerFactory,
    private readonly idleMs: number,
    private readonly log: AgentLog = () => undefined,
    private readonly watch: SessionWatch = { everyMs: 2000 },
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
        return await work(this.serialized(opened.signer, hooks), opened.describe);
      } catch (e) {
        if (isCodedError(e) && DEAD.has(e.code)) await this.drop({ reason: "ended", code: e.code });
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
      // Secrets asked later (a remote credential's PIN and OTP) go to the request signing then.
      const to = (): SessionOpenHooks => this.current ?? hooks;
      this.opening = this.factory.open({
        pin: hooks.pin,
        beforeLogin: hooks.beforeLogin,
        secret: (r) => {
          const h = to();
          return h.secret ? h.secret(r) : Promise.reject(new KysoError("AGENT_INTERNAL", `No prompt for a ${r.kind}`));
        },
        approval: (p) => to().approval?.(p),
      });
      this.opening.then(
        (o) => {
          this.opened = o;
          this.opening = undefined;
          this.log(agentEvent.sessionOpened(o.describe));
          this.startWatch(o);
        },
        () => {
          this.opening = undefined;
        },
      );
    }
    return this.opening;
  }

  /** The signer as one request sees it: its calls in the session's lane, its hooks current while they run. */
  private serialized(signer: RawSigner, hooks: SessionOpenHooks): RawSigner {
    const inLane = <T>(f: () => Promise<T>): Promise<T> => {
      const run = this.lane.then(async () => {
        this.current = hooks;
        try {
          return await f();
        } finally {
          this.current = undefined;
        }
      });
      this.lane = run.catch(() => undefined);
      return run;
    };
    const s: RawSigner = {
      certificate: signer.certificate,
      chain: signer.chain,
      keyAlgorithm: signer.keyAlgorithm,
      maxSignatureLength: () => signer.maxSignatureLength(),
      sign: (data: Uint8Array, scheme: SignatureScheme, digest: DigestAlgorithm) => inLane(() => signer.sign(data, scheme, digest)),
    };
    if (!isBatchRawSigner(signer)) return s;
    // A remote signer keeps its batches (ceil(N / multisign) signHash calls for N documents).
    const b: BatchRawSigner = { ...s, batchSize: signer.batchSize, signDigests: (d, scheme, digest) => inLane(() => signer.signDigests(d, scheme, digest)) };
    return b;
  }

  /** Looks at the token's presence and the screen lock while the session is kept. */
  private startWatch(o: OpenedAgentSigner): void {
    const probe = o.present;
    const locked = this.watch.screenLocked;
    if (!probe && !locked) return;
    let busy = false;
    this.watcher = setInterval(() => {
      if (busy || this.opened !== o) return;
      busy = true;
      void (async () => {
        let present = true;
        try {
          present = probe ? await probe() : true;
        } catch {
          present = false;
        }
        if (!present) return this.drop({ reason: "removed" });
        let isLocked = false;
        try {
          isLocked = locked ? await locked() : false;
        } catch {
          /* the lock state cannot be read: not watched */
        }
        if (isLocked) await this.drop({ reason: "locked" });
      })().finally(() => (busy = false));
    }, Math.max(50, this.watch.everyMs));
    this.watcher.unref();
  }

  private startTimer(): void {
    if (this.users > 0 || !this.opened || this.closed) return;
    this.stopTimer();
    this.timer = setTimeout(() => void this.drop({ reason: "idle", seconds: Math.round(this.idleMs / 1000) }), this.idleMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Ends the session (logged out when its last session closes). */
  async drop(why: SessionEnd): Promise<void> {
    this.stopTimer();
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = undefined;
    const o = this.opened;
    this.opened = undefined;
    if (!o) return;
    await this.lane.catch(() => undefined);
    try {
      await o.close();
    } catch {
      /* the token is gone */
    }
    this.log(agentEvent.sessionClosed(why));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.drop({ reason: "stopped" });
  }
}
