import { promises as fs } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { KysoError } from "@kyso/core";
import { t } from "../../messages/index.js";

/** One input file and the folder its output path is mirrored from (with --out-dir). */
export interface InputFile {
  path: string;
  base: string;
}

const isPdf = (name: string): boolean => extname(name).toLowerCase() === ".pdf";

async function walk(dir: string, recursive: boolean, exclude: string | undefined, out: string[], accept: (name: string) => boolean = isPdf): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new KysoError("USAGE", t("sign.err.folderUnreadable", { dir, code: (e as NodeJS.ErrnoException).code ?? (e as Error).message }));
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue; // hidden files, our temp files and journal
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive && p !== exclude) await walk(p, recursive, exclude, out, accept);
    } else if (e.isFile() && accept(e.name)) out.push(p);
  }
}

/** The folder part of a glob before its first pattern segment. */
function globBase(pattern: string, cwd: string, isDynamicPattern: (p: string) => boolean): string {
  const parts = pattern.split(/[\\/]/);
  const fixed: string[] = [];
  for (const p of parts) {
    if (isDynamicPattern(p)) break;
    fixed.push(p);
  }
  if (fixed.length === parts.length) fixed.pop();
  return resolve(cwd, fixed.join("/") || ".");
}

/**
 * Expands the inputs of `kyso sign`: files as given, folders (their PDFs; with `recursive` the whole
 * tree) and glob patterns. Files found by scanning that look like earlier outputs (`NAME<suffix>.pdf`)
 * or lie inside the output folder are left out. A file named explicitly is kept even if it does not
 * exist: the batch reports it as unreadable.
 */
export async function expandInputs(
  specs: readonly string[],
  options: { cwd: string; recursive: boolean; outDir?: string; suffix: string; accept?: (name: string) => boolean },
): Promise<InputFile[]> {
  const accept = options.accept ?? isPdf;
  const out: InputFile[] = [];
  const seen = new Set<string>();
  const inOutDir = (p: string): boolean => !!options.outDir && (p === options.outDir || p.startsWith(options.outDir + sep));
  const looksLikeOutput = (p: string): boolean => !options.outDir && options.suffix !== "" && basename(p, extname(p)).endsWith(options.suffix);
  const add = (path: string, base: string, scanned: boolean): void => {
    if (seen.has(path)) return;
    if (scanned && (inOutDir(path) || looksLikeOutput(path))) return;
    seen.add(path);
    out.push({ path, base });
  };
  for (const spec of specs) {
    const abs = resolve(options.cwd, spec);
    const st = await fs.stat(abs).catch(() => undefined);
    if (st?.isDirectory()) {
      const files: string[] = [];
      await walk(abs, options.recursive, options.outDir, files, accept);
      for (const f of files) add(f, abs, true);
    } else if (st) {
      add(abs, dirname(abs), false);
    } else {
      // The glob library only when a name is not a file (start-up of `kyso verify one.pdf`).
      const { glob, isDynamicPattern } = await import("tinyglobby");
      if (!isDynamicPattern(spec)) {
        add(abs, dirname(abs), false);
        continue;
      }
      const base = globBase(spec, options.cwd, isDynamicPattern);
      const found = await glob(spec, { cwd: options.cwd, absolute: true, onlyFiles: true, dot: false });
      found.sort();
      for (const f of found) if (accept(f)) add(resolve(f), base, true);
    }
  }
  return out;
}

/** Where the signed copy goes: the mirrored path under `outDir`, else NAME<suffix>.pdf beside the input. */
export function outputPathFor(input: string, outDir: string | undefined, suffix = ".signed", base = dirname(input)): string {
  const ext = extname(input) || ".pdf";
  const name = basename(input, extname(input));
  if (outDir) {
    const rel = relative(base, input);
    return join(outDir, rel.startsWith("..") ? basename(input) : rel);
  }
  return join(dirname(input), `${name}${suffix}${ext}`);
}
