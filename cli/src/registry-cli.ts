import type { Argv } from "yargs";
import type { Registry } from "@kyso/registry";
import { KysoError } from "@kyso/core";
import type { Io } from "./command.js";
import { currentLang, t } from "./messages/index.js";
import { codedErrorText } from "./messages/errors.js";

/** Options every registry command takes. */
export interface RegistryArgs {
  db?: string;
  by?: string;
}

export function registryOptions<T>(y: Argv<T>): Argv<T & RegistryArgs> {
  return y
    .option("db", {
      type: "string",
      describe: t("registry-cli.opt.db"),
    })
    .option("by", { type: "string", describe: t("registry-cli.opt.by") }) as Argv<T & RegistryArgs>;
}

/** Opens the registry named by --db, KYSO_DB or the default location; the caller closes it. */
export async function openCliRegistry(args: RegistryArgs, io: Io): Promise<Registry> {
  const { openRegistry } = await import("@kyso/registry");
  const { defaultDbSpec } = await import("@kyso/db");
  const spec = args.db ?? io.env.KYSO_DB ?? defaultDbSpec(io.env);
  return openRegistry(spec, { actor: args.by ?? io.env.KYSO_ACTOR ?? io.env.USER ?? io.env.LOGNAME ?? "unknown", cwd: io.cwd });
}

/** Runs `fn` with an open registry and always closes it. */
export async function withRegistry<T>(args: RegistryArgs, io: Io, fn: (r: Registry) => Promise<T>): Promise<T> {
  const registry = await openCliRegistry(args, io);
  try {
    return await fn(registry);
  } finally {
    await registry.close();
  }
}

export function writeJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain text table: columns padded to their widest cell (by code points). */
export function writeTable(io: Io, header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : String(c))))];
  const widths = header.map((_, k) => Math.max(...cells.map((r) => [...(r[k] ?? "")].length)));
  for (const r of cells) io.stdout.write(`${r.map((c, k) => (k === r.length - 1 ? c : c + " ".repeat(widths[k] - [...c].length))).join("  ")}\n`);
}

/** Errors that mean "this input was refused" exit 1; everything else propagates (usage exits 2). */
export const INPUT_ERRORS = new Set([
  "IMPORT_REJECTED",
  "CERT_UNPARSABLE",
  "CRL_UNPARSABLE",
  "CERT_NOT_FOUND",
  "CERT_AMBIGUOUS",
  "CERT_ALREADY_REVOKED",
  "CERT_PRESENT",
  "UNKNOWN_UNIT",
  "TOKEN_NOT_FOUND",
  "TOKEN_PRESENT",
  "TOKEN_STATE",
  "CSV_SYNTAX",
  "CSV_HEADER",
  "CSV_EMPTY",
  "FILE_UNREADABLE",
]);

/**
 * Resolves once everything written so far has been handed to the OS: bin.ts exits right after
 * run() resolves, and a pipe would otherwise lose the tail of a large JSON or CSV output.
 */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => void stream.write("", () => resolve()));
}

/** Runs a command body; input errors print and exit 1. Output is flushed before returning. */
export async function inputErrorsExit1(io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof KysoError && INPUT_ERRORS.has(e.code)) {
      io.stderr.write(`kyso: ${codedErrorText(e, currentLang())}\n`);
      return 1;
    }
    throw e;
  } finally {
    await Promise.all([flushed(io.stdout), flushed(io.stderr)]);
  }
}

export async function readInputFile(path: string, io: Io): Promise<Uint8Array> {
  const { readFile } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  try {
    return new Uint8Array(await readFile(resolve(io.cwd, path)));
  } catch (cause) {
    throw new KysoError("FILE_UNREADABLE", t("err.fileUnreadable", { file: path, code: (cause as NodeJS.ErrnoException).code ?? "error" }), { cause });
  }
}
