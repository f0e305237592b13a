import { readFile } from "node:fs/promises";
import { X509Certificate } from "node:crypto";
import { resolve } from "node:path";
import { KysoError, writeFileAtomic } from "@kyso/core";
import type { Io } from "../../command.js";
import { currentLang, isMessageKey, t } from "../../messages/index.js";
import { openSigner, type SignerArgs } from "../../signer-options.js";
import { certTime, entryJson, trustWord } from "./format.js";
import { readCertificateFile } from "./store-actions.js";

export interface ExportArgs extends SignerArgs {
  tsl: string;
  defaultTrust?: boolean;
  schemeOperator?: string;
  sequence?: number;
  nextUpdate?: string;
  force?: boolean;
  json?: boolean;
}

function parseDate(text: string, flag: string): Date {
  // A bare day is the end of that day in Vietnam (UTC+07:00).
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T23:59:59+07:00`) : new Date(text);
  if (Number.isNaN(d.getTime())) throw new KysoError("USAGE", t("trust.err.date", { flag, text }));
  return d;
}

/** The organization (else common name) of the signer's certificate: who operates the list by default. */
function operatorOf(certificate: Uint8Array): string {
  const lines = new X509Certificate(certificate).subject.split("\n");
  const pick = (k: string) => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
  return pick("O") ?? pick("CN") ?? "Kyso";
}

export async function runExport(args: ExportArgs, io: Io): Promise<number> {
  const trust = await import("@kyso/trust");
  const entries = trust.loadTrustStore({ includeBundled: args.defaultTrust !== false, env: io.env });
  if (entries.length === 0) throw new KysoError("TRUST_EMPTY", t("trust.err.empty"));
  const issueDate = new Date();
  const nextUpdate = args.nextUpdate ? parseDate(args.nextUpdate, "--next-update") : undefined;
  const out = resolve(io.cwd, args.tsl);
  const opened = await openSigner(args, io);
  let xml: string;
  try {
    xml = await trust.exportTsl(entries, opened.signer, {
      schemeOperator: args.schemeOperator ?? operatorOf(opened.signer.certificate),
      territory: "VN",
      issueDate,
      nextUpdate,
      sequenceNumber: args.sequence,
    });
  } finally {
    await opened.close();
  }
  await writeFileAtomic(out, async (fh) => void (await fh.writeFile(xml, "utf8")), { overwrite: args.force === true });
  if (args.json) io.stdout.write(`${JSON.stringify({ tsl: out, certificates: entries.length, signer: opened.describe }, null, 2)}\n`);
  else io.stdout.write(`${t("trust.export.wrote", { file: out, count: entries.length, signer: opened.describe })}\n`);
  return 0;
}

export interface ImportArgs {
  tsl: string;
  tslSigner: string;
  json?: boolean;
}

/** Adds the list's certificates to the local store, only once its signature verified with --tsl-signer. */
export async function runImport(args: ImportArgs, io: Io): Promise<number> {
  const trust = await import("@kyso/trust");
  const signerDer = await readCertificateFile(args.tslSigner, io);
  let xml: string;
  try {
    xml = await readFile(resolve(io.cwd, args.tsl), "utf8");
  } catch (cause) {
    throw new KysoError("FILE_UNREADABLE", t("err.fileUnreadable", { file: args.tsl, code: (cause as NodeJS.ErrnoException).code ?? "error" }), { cause });
  }
  const list = trust.readTsl(xml, signerDer);
  if (list.nextUpdate && list.nextUpdate < new Date())
    io.stderr.write(`${t("trust.import.nextUpdatePassed", { date: certTime(list.nextUpdate) })}\n`);
  for (const s of list.skipped) {
    const key = `trust.skip.${s.code}`;
    io.stderr.write(`${t("trust.import.skipped", { name: s.name, reason: currentLang() !== "en" && isMessageKey(key) ? t(key, s.params) : s.reason })}\n`);
  }
  const bundled = new Set(trust.bundledTrust().map((e) => e.sha256));
  const added = [];
  let alreadyBundled = 0;
  for (const e of list.entries) {
    if (bundled.has(e.sha256)) {
      alreadyBundled++;
      continue;
    }
    added.push(trust.addToLocalStore(e.der, e.role, { env: io.env }));
  }
  if (args.json) {
    const summary = { operator: list.schemeOperator, sequenceNumber: list.sequenceNumber, issueDate: list.issueDate?.toISOString() ?? null, nextUpdate: list.nextUpdate?.toISOString() ?? null };
    io.stdout.write(`${JSON.stringify({ list: summary, added: added.map((e) => entryJson(e)), alreadyBundled, skipped: list.skipped }, null, 2)}\n`);
  } else {
    for (const e of added) io.stdout.write(`${t("trust.add.added", { role: trustWord("role", e.role).padEnd(12), sha256: e.sha256, subject: e.subject })}\n`);
    const operator = list.schemeOperator ?? t("trust.import.unnamedOperator");
    io.stderr.write(`${t("trust.import.summary", { operator, sequence: list.sequenceNumber ?? "?", added: added.length, bundled: alreadyBundled })}\n`);
  }
  return 0;
}
