import { KysoError } from "@kyso/core";
import type { CertificateRecord, CertificateStatus } from "@kyso/registry";
import type { Io } from "../../command.js";
import { t } from "../../messages/index.js";
import { withRegistry, writeJson, writeTable, type RegistryArgs } from "../../registry-cli.js";
import type { Human } from "./human.js";

export interface ListArgs extends RegistryArgs {
  status?: CertificateStatus;
  unit?: string;
  expiringWithin?: number;
  json?: boolean;
  csv?: boolean;
  human: Human;
}

const CSV_HEADER = [
  "serial", "issuer", "fingerprint", "subject", "not_before", "not_after", "issued_at", "key_algorithm", "key_size", "type",
  "token_serial", "holder", "unit", "unit_name", "level", "status", "revoked_at", "revocation_reason", "replaces",
] as const;

export async function runList(args: ListArgs, io: Io): Promise<number> {
  if (args.json && args.csv) throw new KysoError("USAGE", t("certs.err.jsonOrCsv"));
  if (args.expiringWithin !== undefined && (!Number.isFinite(args.expiringWithin) || args.expiringWithin < 0))
    throw new KysoError("USAGE", t("certs.err.expiringWithin"));
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
      const h = args.human;
      writeTable(
        io,
        h.tr("certs.list.header").split(","),
        list.map((c) => [c.serial, h.certificateStatus(c.status), h.day(c.notAfter), h.level(c.level), c.unit, typeWord(h, c.type), c.tokenSerial ?? "-", c.holder]),
      );
      io.stdout.write(`${list.length === 1 ? h.tr("certs.list.countOne") : h.tr("certs.list.countMany", { count: list.length })}\n`);
    }
    return 0;
  });
}

const typeWord = (h: Human, t: string): string => h.tr(t === "organization" ? "certs.type.organization" : "certs.type.personal");

export async function runShow(args: RegistryArgs & { serial: string; json?: boolean; human: Human }, io: Io): Promise<number> {
  const h = args.human;
  return withRegistry(args, io, async (r) => {
    const found = await r.findCertificates(args.serial);
    if (found.length === 0) throw new KysoError("CERT_NOT_FOUND", t("certs.err.notFound", { serial: args.serial }));
    const withHistory = [];
    for (const c of found) withHistory.push({ ...c, history: await r.certificateHistory(c.fingerprint) });
    if (args.json) {
      writeJson(io, { certificates: withHistory });
      return 0;
    }
    for (const c of withHistory) {
      printCertificate(io, h, c);
      io.stdout.write(`${h.tr("certs.show.history")}\n`);
      for (const e of c.history) io.stdout.write(`  ${h.event(e)}\n`);
      io.stdout.write("\n");
    }
    return 0;
  });
}

export function printCertificate(io: Io, h: Human, c: CertificateRecord): void {
  const since = c.revokedAt ? ` ${h.tr("certs.show.since")} ${h.time(c.revokedAt)} (${h.reason(c.revocationReason)})` : "";
  const rows: [string, unknown][] = [
    [h.tr("certs.show.serial"), c.serial],
    [h.tr("certs.show.status"), h.certificateStatus(c.status) + since],
    [h.tr("certs.show.subject"), c.subject],
    [h.tr("certs.show.issuer"), c.issuer],
    [h.tr("certs.show.fingerprint"), c.fingerprint],
    [h.tr("certs.show.valid"), `${h.time(c.notBefore)} ${h.tr("certs.show.to")} ${h.time(c.notAfter)}`],
    [h.tr("certs.show.issued"), h.time(c.issuedAt)],
    [h.tr("certs.show.key"), `${c.keyAlgorithm} ${c.keySize}`],
    [h.tr("certs.show.type"), typeWord(h, c.type)],
    [h.tr("certs.show.holder"), c.holder],
    [h.tr("certs.show.unit"), `${c.unit} ${c.unitName} (${h.level(c.level)})`],
    [h.tr("certs.show.token"), c.tokenSerial ?? "-"],
    [h.tr("certs.show.renews"), c.replaces ?? "-"],
  ];
  const width = Math.max(...rows.map((r) => [...r[0]].length)) + 1;
  for (const [name, v] of rows) io.stdout.write(`${(name + ":").padEnd(width)} ${String(v)}\n`);
}
