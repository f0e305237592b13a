import { KysoError } from "@kyso/core";
import type { CertificateRecord, CertificateStatus } from "@kyso/registry";
import type { Io } from "../../command.js";
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
      const h = args.human;
      writeTable(
        io,
        h.lang === "vi"
          ? ["SỐ HIỆU", "TRẠNG THÁI", "HẾT HẠN", "CẤP", "ĐƠN VỊ", "LOẠI", "TOKEN", "NGƯỜI GIỮ"]
          : ["SERIAL", "STATUS", "NOT AFTER", "LEVEL", "UNIT", "TYPE", "TOKEN", "HOLDER"],
        list.map((c) => [c.serial, h.certificateStatus(c.status), h.day(c.notAfter), h.level(c.level), c.unit, typeWord(h, c.type), c.tokenSerial ?? "-", c.holder]),
      );
      io.stdout.write(h.say(`${list.length} chứng thư số\n`, `${list.length} certificate${list.length === 1 ? "" : "s"}\n`));
    }
    return 0;
  });
}

const typeWord = (h: Human, t: string): string => (t === "organization" ? h.say("tổ chức", "organization") : h.say("cá nhân", "personal"));

export async function runShow(args: RegistryArgs & { serial: string; json?: boolean; human: Human }, io: Io): Promise<number> {
  const h = args.human;
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
      printCertificate(io, h, c);
      io.stdout.write(h.say("Lịch sử:\n", "History:\n"));
      for (const e of c.history) io.stdout.write(`  ${h.event(e)}\n`);
      io.stdout.write("\n");
    }
    return 0;
  });
}

export function printCertificate(io: Io, h: Human, c: CertificateRecord): void {
  const since = c.revokedAt ? ` ${h.say("từ", "since")} ${h.time(c.revokedAt)} (${h.reason(c.revocationReason)})` : "";
  const rows: [string, string, unknown][] = [
    ["Số hiệu", "Serial", c.serial],
    ["Trạng thái", "Status", h.certificateStatus(c.status) + since],
    ["Chủ thể", "Subject", c.subject],
    ["Tổ chức cấp", "Issuer", c.issuer],
    ["SHA-256", "SHA-256", c.fingerprint],
    ["Hiệu lực", "Valid", `${h.time(c.notBefore)} ${h.say("đến", "to")} ${h.time(c.notAfter)}`],
    ["Ngày cấp", "Issued", h.time(c.issuedAt)],
    ["Khóa", "Key", `${c.keyAlgorithm} ${c.keySize}`],
    ["Loại", "Type", typeWord(h, c.type)],
    ["Người giữ", "Holder", c.holder],
    ["Đơn vị", "Unit", `${c.unit} ${c.unitName} (${h.level(c.level)})`],
    ["Token", "Token", c.tokenSerial ?? "-"],
    ["Gia hạn của", "Renews", c.replaces ?? "-"],
  ];
  const width = Math.max(...rows.map((r) => [...h.say(r[0], r[1])].length)) + 1;
  for (const [vi, en, v] of rows) io.stdout.write(`${(h.say(vi, en) + ":").padEnd(width)} ${String(v)}\n`);
}
