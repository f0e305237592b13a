import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { KysoError } from "@kyso/core";
import type { TrustEntry } from "@kyso/trust";
import type { Io } from "../../command.js";
import { t } from "../../messages/index.js";
import { certTime, entryJson, trustWord, writeEntryDetails, writeEntryList } from "./format.js";

export interface StoreArgs {
  json?: boolean;
  defaultTrust?: boolean;
  role?: "anchor" | "intermediate";
}

type Trust = typeof import("@kyso/trust");

export async function readCertificateFile(path: string, io: Io): Promise<Uint8Array> {
  const { singleCertificate } = await import("@kyso/trust");
  let data: Uint8Array;
  try {
    data = new Uint8Array(await readFile(resolve(io.cwd, path)));
  } catch (cause) {
    throw new KysoError("FILE_UNREADABLE", t("err.fileUnreadable", { file: path, code: (cause as NodeJS.ErrnoException).code ?? "error" }), { cause });
  }
  return singleCertificate(data, path);
}

function store(trust: Trust, args: StoreArgs, io: Io): TrustEntry[] {
  return trust.loadTrustStore({ includeBundled: args.defaultTrust !== false, env: io.env });
}

export async function runList(args: StoreArgs, io: Io): Promise<number> {
  const trust = await import("@kyso/trust");
  const entries = store(trust, args, io);
  if (args.json) io.stdout.write(`${JSON.stringify(entries.map((e) => entryJson(e)), null, 2)}\n`);
  else writeEntryList(io, entries, new Date());
  return 0;
}

/** `show <sha256-prefix|file>`: a file that exists is read; anything else is a fingerprint prefix. */
export async function runShow(args: StoreArgs & { target: string }, io: Io): Promise<number> {
  const trust = await import("@kyso/trust");
  const entries = trust.loadTrustStore({ env: io.env, includeBundled: true });
  let entry: TrustEntry;
  let inStore = true;
  const isFile = await readFile(resolve(io.cwd, args.target)).then(() => true, () => false);
  if (isFile) {
    const der = await readCertificateFile(args.target, io);
    const sha = trust.sha256Hex(der);
    const found = entries.find((e) => e.sha256 === sha);
    inStore = found !== undefined;
    entry = found ?? trust.entryFromDer(der, trust.defaultRole(der), "local");
  } else {
    if (!/^[0-9a-fA-F:]{4,}$/.test(args.target)) throw new KysoError("FILE_UNREADABLE", t("trust.err.notFileNorPrefix", { target: args.target }));
    const matches = trust.findByFingerprint(entries, args.target);
    if (matches.length === 0) throw new KysoError("TRUST_NOT_FOUND", t("trust.err.notFound", { prefix: args.target }));
    if (matches.length > 1) throw new KysoError("TRUST_AMBIGUOUS", t("trust.err.ambiguous", { prefix: args.target, count: matches.length }));
    entry = matches[0];
  }
  if (args.json) io.stdout.write(`${JSON.stringify({ ...entryJson(entry, true), inStore }, null, 2)}\n`);
  else writeEntryDetails(io, entry, inStore);
  return 0;
}

export async function runAdd(args: StoreArgs & { files: string[] }, io: Io): Promise<number> {
  const trust = await import("@kyso/trust");
  const bundled = new Map(trust.bundledTrust().map((e) => [e.sha256, e]));
  const now = new Date();
  const added: TrustEntry[] = [];
  for (const file of args.files) {
    const der = await readCertificateFile(file, io);
    const sha = trust.sha256Hex(der);
    const b = bundled.get(sha);
    if (b) {
      io.stderr.write(`${t("trust.add.bundled", { file, role: trustWord("role", b.role), subject: b.subject })}\n`);
      continue;
    }
    const entry = trust.addToLocalStore(der, args.role ?? trust.defaultRole(der), { env: io.env });
    added.push(entry);
    if (now > entry.notAfter) io.stderr.write(`${t("trust.add.expired", { subject: entry.subject, date: certTime(entry.notAfter) })}\n`);
    if (!args.json) io.stdout.write(`${t("trust.add.added", { role: trustWord("role", entry.role).padEnd(12), sha256: entry.sha256, subject: entry.subject })}\n`);
  }
  if (args.json) io.stdout.write(`${JSON.stringify({ added: added.map((e) => entryJson(e)), store: trust.localStoreDir({ env: io.env }) }, null, 2)}\n`);
  return 0;
}

export async function runRemove(args: StoreArgs & { prefix: string }, io: Io): Promise<number> {
  const trust = await import("@kyso/trust");
  const entry = trust.removeFromLocalStore(args.prefix, { env: io.env });
  if (args.json) io.stdout.write(`${JSON.stringify({ removed: entryJson(entry) }, null, 2)}\n`);
  else io.stdout.write(`${t("trust.remove.removed", { role: trustWord("role", entry.role).padEnd(12), sha256: entry.sha256, subject: entry.subject })}\n`);
  return 0;
}
