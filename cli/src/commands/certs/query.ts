import { KysoError } from "@kyso/core";
import type { CertificateRecord, CertificateStatus } from "@kyso/registry";
import type { Io } from "../../command.js";
import { withRegistry, writeJson, writeTable, type RegistryArgs } from "../../registry-cli.js";

export interface ListArgs extends RegistryArgs {
  status?: CertificateStatus;
  unit?: string;
  expiringWithin?: number;
  json?: boolean;
  csv?: boolean;
}

const CSV_HEADER = [
  "serial", "issuer", "fingerprint", "subject", "not_before", "not_after", "issued_at", "key_algorithm", "key_size", "type",
  "token_serial", "holder", "unit", "unit_name", "level", "status", "revoked_at", "revocation_reason", "replaces",
] as const;

export async function runList(args: ListArgs, io: Io): Promise<number> {
  if (args.json && args.csv) throw new KysoError("USAGE", "Give --json or --csv, not both");
  if (args.expiringWithin !== undefined && (!Number.isFinite(args.expiringWithin) || args.expiringWithin < 0))
    throw new KysoError("USAGE", "--expiring-within takes a number of days (0 or more)");
  const { csvLine } = await import("@kyso/registry");
  return withRegistry(args, io, async (r) => {
    const list = await r.listCertificates({ status: args.status, unit: args.unit, expiringWithinDays: args.expiringWithin });
    if (args.json) writeJson(io, list);
    else if (args.csv) {
      io.stdout.write(csvLine(CSV_HEADER));
      for (const c of list)
        io.stdout.write(
          csvLine([
            c.serial, c.issuer, c.fingerprint, c.subject, c.notBefore, c.notAfter, c.issuedAt, c.keyAlgorithm, c.keySize, c.type,
            c.tokenSerial, c.holder, c.unit, c.unitName, c.level, c.status, c.revokedAt, c.revocationReason, c.replaces,
          ]),
        );
    } else {
      writeTable(
        io,
        ["SERIAL", "STATUS", "NOT AFTER", "LEVEL", "UNIT", "TYPE", "TOKEN", "HOLDER"],
        list.map((c) => [c.serial, c.status, c.notAfter.slice(0, 10), c.level, c.unit, c.type, c.tokenSerial ?? "-", c.holder]),
      );
      io.stdout.write(`${list.length} certificate${list.length === 1 ? "" : "s"}\n`);
    }
    return 0;
  });
}

export async function runShow(args: RegistryArgs & { serial: string; json?: boolean }, io: Io): Promise<number> {
  return withRegistry(args, io, async (r) => {
    const found = await r.findCertificates(args.serial);
    if (found.length === 0) throw new KysoError("CERT_NOT_FOUND", `No certificate with serial or fingerprint ${args.serial} in the registry`);
    const withHistory = [];
    for (const c of found) withHistory.push({ ...c, history: await r.certificateHistory(c.fingerprint) });
    if (args.json) {
      writeJson(io, { certificates: withHistory });
      return 0;
    }
    for (const c of withHistory) {
      printCertificate(io, c);
      io.stdout.write("History:\n");
      for (const e of c.history) io.stdout.write(`  ${e.at}  ${e.kind.padEnd(15)} by ${e.actor}  ${JSON.stringify(e.details)}\n`);
      io.stdout.write("\n");
    }
    return 0;
  });
}

export function printCertificate(io: Io, c: CertificateRecord): void {
  const rows: [string, unknown][] = [
    ["Serial", c.serial],
    ["Status", c.status + (c.revokedAt ? ` since ${c.revokedAt} (${c.revocationReason})` : "")],
    ["Subject", c.subject],
    ["Issuer", c.issuer],
    ["SHA-256", c.fingerprint],
    ["Valid", `${c.notBefore} to ${c.notAfter}`],
    ["Issued", c.issuedAt],
    ["Key", `${c.keyAlgorithm} ${c.keySize}`],
    ["Type", c.type],
    ["Holder", c.holder],
    ["Unit", `${c.unit} ${c.unitName} (${c.level} level)`],
    ["Token", c.tokenSerial ?? "-"],
    ["Renews", c.replaces ?? "-"],
  ];
  for (const [k, v] of rows) io.stdout.write(`${(k + ":").padEnd(9)} ${String(v)}\n`);
}
