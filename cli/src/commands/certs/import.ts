import { dirname, resolve } from "node:path";
import { KysoError } from "@kyso/core";
import type { CertificateFacts, CertificateImport, ImportResult, Rejection } from "@kyso/registry";
import type { Io } from "../../command.js";
import { currentLang, t } from "../../messages/index.js";
import { errorText, rejectionText } from "../../messages/errors.js";
import { readInputFile, withRegistry, writeJson, type RegistryArgs } from "../../registry-cli.js";
import { shownTime } from "../../time.js";

export interface ImportArgs extends RegistryArgs {
  files?: string[];
  holder?: string;
  unit?: string;
  type?: "personal" | "organization";
  tokenSerial?: string;
  issuedAt?: string;
  title?: string;
  identityNumber?: string;
  email?: string;
  csv?: string;
  fromToken?: boolean;
  pkcs11Lib?: string;
  tokenLabel?: string;
  skipInvalid?: boolean;
  json?: boolean;
}

/**
 * Columns of `kyso certs import --csv`. Each row names its certificate either by `file` (a PEM, DER
 * or P7B file, relative to the CSV's folder, holding one end-entity certificate) or inline in
 * `certificate` (base64 DER or PEM text).
 */
export const CERT_CSV_COLUMNS = {
  required: ["holder", "unit", "type"],
  optional: ["file", "certificate", "token_serial", "issued_at", "title", "identity_number", "email"],
} as const;

type Registry = typeof import("@kyso/registry");

/** End-entity certificates of a file; CA certificates of a bundle's chain are left out. */
function leaves(all: CertificateFacts[], source: string): CertificateFacts[] {
  const out = all.filter((c) => !c.isCa);
  if (out.length === 0 && all.length > 0)
    throw new KysoError("CERT_IS_CA", t("certs.err.onlyCa", { source, subjects: all.map((c) => c.subject).join("; ") }));
  return out;
}

async function fromFiles(args: ImportArgs, io: Io, reg: Registry): Promise<{ items: CertificateImport[]; rejected: Rejection[] }> {
  for (const flag of ["holder", "unit", "type"] as const)
    if (!args[flag]) throw new KysoError("USAGE", t("certs.err.filesNeed", { flag }));
  const issuedAt = args.issuedAt ? reg.parseDateArgument(args.issuedAt, "--issued-at") : null;
  const items: CertificateImport[] = [];
  const rejected: Rejection[] = [];
  for (const file of args.files ?? []) {
    try {
      const certs = leaves(reg.parseCertificates(await readInputFile(file, io)), file);
      certs.forEach((facts, k) =>
        items.push({
          facts,
          holder: { name: args.holder!, title: args.title, identityNumber: args.identityNumber, email: args.email },
          unit: args.unit!,
          type: args.type!,
          tokenSerial: args.tokenSerial ?? null,
          issuedAt,
          source: certs.length > 1 ? `${file} (certificate ${k + 1})` : file,
        }),
      );
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      rejected.push({ source: file, code: e.code, reason: e.message.startsWith(`${file}:`) ? e.message.slice(file.length + 2) : describe(e) });
    }
  }
  return { items, rejected };
}

/** A refused row's reason in the run's language (errorText: the catalogue's text, or the library's with its causes). */
function describe(e: KysoError): string {
  return errorText(e, currentLang());
}

async function fromCsv(args: ImportArgs, io: Io, reg: Registry): Promise<{ items: CertificateImport[]; rejected: Rejection[] }> {
  const csvFile = args.csv!;
  const text = Buffer.from(await readInputFile(csvFile, io)).toString("utf8");
  const rows = reg.csvObjects(text, CERT_CSV_COLUMNS, csvFile);
  const base = dirname(resolve(io.cwd, csvFile));
  const items: CertificateImport[] = [];
  const rejected: Rejection[] = [];
  for (const { line, values: v } of rows) {
    const source = `line ${line}`;
    const reject = (code: string, reason: string) => rejected.push({ source, code, reason });
    if (v.__error) {
      reject("CSV_SYNTAX", currentLang() === "en" ? v.__error : t("error.csvFieldCount", { fields: v.__fields, header: v.__header }));
      continue;
    }
    try {
      if (!v.holder) throw new KysoError("USAGE", t("certs.err.row.noHolder"));
      if (!v.unit) throw new KysoError("USAGE", t("certs.err.row.noUnit"));
      if (v.type !== "personal" && v.type !== "organization") throw new KysoError("USAGE", t("certs.err.row.type", { type: v.type }));
      if (!v.file === !v.certificate) throw new KysoError("USAGE", t("certs.err.row.fileOrCertificate"));
      let bytes: Uint8Array;
      if (v.file) bytes = await readInputFile(resolve(base, v.file), io);
      else if (v.certificate.includes("-----BEGIN")) bytes = new Uint8Array(Buffer.from(v.certificate, "latin1"));
      else if (/^[A-Za-z0-9+/=\s]+$/.test(v.certificate)) bytes = new Uint8Array(Buffer.from(v.certificate, "base64"));
      else throw new KysoError("USAGE", t("certs.err.row.encoding"));
      const certs = leaves(reg.parseCertificates(bytes), v.file || "certificate");
      if (certs.length !== 1) throw new KysoError("USAGE", t("certs.err.row.count", { file: v.file || "certificate", count: certs.length }));
      items.push({
        facts: certs[0],
        holder: { name: v.holder, title: v.title || null, identityNumber: v.identity_number || null, email: v.email || null },
        unit: v.unit,
        type: v.type,
        tokenSerial: v.token_serial || null,
        issuedAt: v.issued_at ? reg.parseDateArgument(v.issued_at, "issued_at") : null,
        source,
      });
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      reject(e.code, describe(e));
    }
  }
  return { items, rejected };
}

async function fromToken(args: ImportArgs, io: Io, reg: Registry): Promise<{ items: CertificateImport[]; rejected: Rejection[]; token: { serial: string; manufacturer: string; model: string } }> {
  if (!args.unit) throw new KysoError("USAGE", t("certs.err.tokenNeedsUnit"));
  const library = args.pkcs11Lib ?? io.env.KYSO_PKCS11_LIB;
  if (!library) throw new KysoError("USAGE", t("certs.err.noLibrary"));
  const { readTokenCertificates } = await import("@kyso/signers/token-inventory");
  const inv = await readTokenCertificates({ library, tokenLabel: args.tokenLabel });
  const issuedAt = args.issuedAt ? reg.parseDateArgument(args.issuedAt, "--issued-at") : null;
  const items: CertificateImport[] = [];
  const rejected: Rejection[] = [];
  for (const c of inv.certificates) {
    const source = t("certs.import.tokenObject", { token: inv.token.label, serial: inv.token.serial, label: c.label, id: c.id });
    try {
      const [facts] = reg.parseCertificates(c.der);
      if (facts.isCa) continue; // a chain stored beside the key
      if (facts.notAfter.getTime() <= Date.now()) {
        // Tokens keep their old certificates; an expired one is history, not an issuance.
        io.stderr.write(`kyso: ${source}: ${t("certs.import.expiredSkipped", { serial: facts.serial, date: shownTime(facts.notAfter) })}\n`);
        continue;
      }
      const holder = args.holder ?? facts.subjectCommonName;
      if (!holder) throw new KysoError("HOLDER_MISSING", t("certs.err.noCn"));
      items.push({
        facts,
        holder: { name: holder, title: args.title, identityNumber: args.identityNumber, email: args.email },
        unit: args.unit,
        type: args.type ?? "personal",
        tokenSerial: inv.token.serial,
        issuedAt,
        source,
      });
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      rejected.push({ source, code: e.code, reason: describe(e) });
    }
  }
  const tokenSource = `token ${inv.token.label} (${inv.token.serial})`;
  if (inv.certificates.length === 0) rejected.push({ source: tokenSource, code: "TOKEN_EMPTY", reason: "holds no certificates" });
  else if (items.length === 0 && rejected.length === 0)
    rejected.push({ source: tokenSource, code: "TOKEN_NO_CURRENT_CERTIFICATE", reason: "holds no current end-entity certificate (only expired or CA certificates)" });
  return { items, rejected, token: inv.token };
}

export async function runImport(args: ImportArgs, io: Io): Promise<number> {
  const modes = [(args.files ?? []).length > 0, !!args.csv, !!args.fromToken].filter(Boolean).length;
  if (modes !== 1) throw new KysoError("USAGE", t("certs.err.modes"));
  const reg = await import("@kyso/registry");
  const prefix = args.csv ? `${args.csv}: ` : "";
  let token: { serial: string; manufacturer: string; model: string } | undefined;
  let read: { items: CertificateImport[]; rejected: Rejection[] };
  if (args.csv) read = await fromCsv(args, io, reg);
  else if (args.fromToken) ({ token, ...read } = await fromToken(args, io, reg));
  else read = await fromFiles(args, io, reg);

  return withRegistry(args, io, async (r) => {
    let result: ImportResult;
    try {
      if (read.rejected.length > 0 && !args.skipInvalid) {
        // Check the rest too, so that one run lists every problem; nothing is written.
        const more = await r.importCertificates(read.items, { skipInvalid: true, dryRun: true });
        result = { imported: [], rejected: [...read.rejected, ...more.rejected] };
      } else {
        // The token is recorded with the certificates, in their transaction: an import from it
        // that imports nothing leaves no trace of it.
        const done = await r.importCertificates(read.items, { skipInvalid: args.skipInvalid, token });
        result = { imported: done.imported, rejected: [...read.rejected, ...done.rejected] };
      }
    } catch (e) {
      if (e instanceof KysoError && e.code === "IMPORT_REJECTED") {
        const rejected = e.details?.rejected as Rejection[];
        result = { imported: [], rejected: [...read.rejected, ...rejected] };
      } else throw e;
    }
    const sortKey = (s: string) => Number(/^line (\d+)/.exec(s)?.[1] ?? 0);
    result.rejected.sort((a, b) => sortKey(a.source) - sortKey(b.source));
    if (args.json) writeJson(io, result);
    else for (const i of result.imported) io.stdout.write(`${t("certs.import.imported", { serial: i.serial, source: i.source })}\n`);
    // "line 3" stays so in --json (a machine reads it); a person reads it in the run's language.
    const where = (source: string): string => source.replace(/^line (\d+)/, (_, line: string) => t("certs.import.line", { line }));
    for (const x of result.rejected) io.stderr.write(`kyso: ${prefix}${where(x.source)}: ${rejectionText(x, currentLang())}\n`);
    if (result.rejected.length > 0 && !args.skipInvalid) {
      io.stderr.write(`kyso: ${t("certs.import.nothingSomeRejected", { count: result.rejected.length })}\n`);
      return 1;
    }
    if (result.imported.length === 0 && result.rejected.length > 0) {
      io.stderr.write(`kyso: ${t("certs.import.nothingAllRejected", { count: result.rejected.length })}\n`);
      return 1;
    }
    if (!args.json)
      io.stdout.write(
        `${t(result.imported.length === 1 ? "certs.import.countOne" : "certs.import.countMany", { count: result.imported.length })}${result.rejected.length ? t("certs.import.skipped", { count: result.rejected.length }) : ""}\n`,
      );
    return result.rejected.length > 0 ? 1 : 0;
  });
}
