import { appendFileSync, mkdirSync, openSync, closeSync } from "node:fs";
import { dirname, join } from "node:path";
import { homedir } from "node:os";
import type { FileReport } from "@kyso/verify";

/** One line of the audit log: what was verified and the verdict, never the document itself. */
export interface AuditRecord {
  time: string;
  sha256: string;
  size: number;
  indication: string;
  subIndication: string | null;
  signers: string[];
  ms: number;
  client?: string;
}

export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "kyso", "audit.jsonl");
}

/**
 * The persistent, append-only audit log of verifications: JSON lines appended with O_APPEND
 * (each line one write, so concurrent writers never interleave inside a line).
 */
export class AuditLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, "a", 0o640));
  }

  record(report: FileReport, ms: number, client?: string): AuditRecord {
    const rec: AuditRecord = {
      time: new Date().toISOString(),
      sha256: report.sha256,
      size: report.size,
      indication: report.indication,
      subIndication: report.subIndication,
      signers: report.signatures.map((s) => s.signer?.serialNumber).filter((x): x is string => !!x),
      ms: Math.round(ms * 10) / 10,
      client,
    };
    appendFileSync(this.path, JSON.stringify(rec) + "\n", { flag: "a" });
    return rec;
  }
}
