import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where fetched revocation data and CA certificates are kept (RevocationCache, or a test's own). */
export interface RevocationStore {
  get(key: string, now: number): Uint8Array | undefined;
  put(key: string, der: Uint8Array, now: number, nextUpdate?: Date): void;
}

/**
 * Fetched revocation data and CA certificates, keyed by what was asked (URL, or responder and
 * certificate), kept until the data's own nextUpdate, or for `maxAgeMs` when it names none. In
 * memory, and on disk when given a folder (`$XDG_CACHE_HOME/kyso` for the CLI and the service), so
 * that a clerk's machine that goes offline keeps verifying until the cached data goes stale.
 */
export class RevocationCache implements RevocationStore {
  private readonly entries = new Map<string, { der: Uint8Array; until: number }>();
  constructor(
    private readonly maxAgeMs = 10 * 60_000,
    private readonly dir?: string,
  ) {}

  /** The cache under `$XDG_CACHE_HOME/kyso/revocation` (else `~/.cache/kyso/revocation`). */
  static onDisk(env: NodeJS.ProcessEnv = process.env, maxAgeMs?: number): RevocationCache {
    const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
    return new RevocationCache(maxAgeMs, join(base, "kyso", "revocation"));
  }

  private file(key: string): string | undefined {
    return this.dir ? join(this.dir, createHash("sha256").update(key).digest("hex")) : undefined;
  }

  get(key: string, now: number): Uint8Array | undefined {
    const e = this.entries.get(key);
    if (e && e.until > now) return e.der;
    this.entries.delete(key);
    const f = this.file(key);
    if (!f) return undefined;
    try {
      const buf = readFileSync(f);
      // 8 bytes: the expiry (ms since the epoch, big-endian), then the DER as fetched.
      const until = Number(buf.readBigUInt64BE(0));
      if (until <= now) return undefined;
      const der = new Uint8Array(buf.subarray(8));
      this.entries.set(key, { der, until });
      return der;
    } catch {
      return undefined;
    }
  }

  put(key: string, der: Uint8Array, now: number, nextUpdate?: Date): void {
    const until = nextUpdate && nextUpdate.getTime() > now ? nextUpdate.getTime() : now + this.maxAgeMs;
    if (this.entries.size > 1000) this.entries.clear();
    this.entries.set(key, { der, until });
    const f = this.file(key);
    if (!f) return;
    try {
      mkdirSync(this.dir!, { recursive: true, mode: 0o700 });
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(until));
      const tmp = `${f}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.concat([head, der]), { mode: 0o600 });
      renameSync(tmp, f);
    } catch {
      /* a cache that cannot be written only costs a fetch next time */
    }
  }
}
