import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * The agent's local audit log: one JSON object per line (time, origin, operation, document SHA-256,
 * outcome). It never holds a PIN, a JWT or a document's content.
 */
export interface AuditEntry {
  origin?: string;
  operation: string;
  /** `ok`, `refused`, `failed`, `rejected`, `timeout`, … */
  outcome: string;
  status?: number;
  code?: string;
  message?: string;
  document?: string;
  sha256?: string;
  signedSha256?: string;
  signer?: string;
  remote?: string;
}

export class AuditLog {
  private tail: Promise<void> = Promise.resolve();
  private ready: Promise<unknown> | undefined;

  constructor(readonly path: string) {}

  /** Appends one line; lines from concurrent requests never interleave. Failures go to `onError`. */
  write(entry: AuditEntry, onError?: (e: unknown) => void): Promise<void> {
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`;
    this.ready ??= mkdir(dirname(this.path), { recursive: true });
    this.tail = this.tail
      .then(() => this.ready)
      .then(() => appendFile(this.path, line, { mode: 0o600 }))
      .catch((e) => onError?.(e));
    return this.tail;
  }

  flush(): Promise<void> {
    return this.tail;
  }
}
