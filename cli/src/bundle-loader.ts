// Runs the bundle's CommonJS copy (cli/dist/bundle/cjs, written by cli/scripts/bundle.mjs) with V8's
// code cache, so that a kyso run after the first one does not compile its JavaScript again.
//
// Node 20 keeps no compiled code between runs for ES modules (module.enableCompileCache is Node 22+),
// and compiling the ~0.5 MB a command loads costs 15-30 ms of each run. A vm.Script takes the code
// cache V8 produced in an earlier run (`cachedData`) instead. The cache files live in the user's cache
// folder ($XDG_CACHE_HOME/kyso/code, else ~/.cache/kyso/code), one subfolder per bundle and Node
// version; each file is named after the SHA-256 of the code it was made from, and V8 itself rejects
// a cache made by another V8 version or with other flags (the file is then written again). What
// cannot be read or written there is simply compiled as without a cache (KYSO_CODE_CACHE=off: never
// read or written). Caches are written once, at exit, for the files that had none; that run's
// lazily compiled functions are in them.
//
// Imports between chunks are `require("./chunk-X.js")` in the copy (esbuild's CommonJS output), and
// a chunk's `import.meta.url` is the URL of its ES module twin in cli/dist/bundle, so that assets and
// worker threads (which run the ES module files) are found as from the ES module bundle.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Script } from "node:vm";

interface LoadedModule {
  exports: Record<string, unknown>;
}

type ChunkFunction = (
  exports: Record<string, unknown>,
  require: (spec: string) => unknown,
  module: LoadedModule,
  kysoMetaUrl: string,
  kysoImport: (spec: string) => Promise<unknown>,
  kysoLoad: (spec: string) => unknown,
) => void;

/** Where the code cache of the bundle in `bundleDir` is kept, or undefined when off. */
export function codeCacheDir(bundleDir: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.KYSO_CODE_CACHE === "off" || env.KYSO_CODE_CACHE === "0") return undefined;
  let base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : undefined;
  if (!base) {
    try {
      base = join(homedir(), ".cache");
    } catch {
      return undefined;
    }
  }
  // One folder per bundle (two checkouts do not evict each other's files) and per Node version.
  const which = createHash("sha256").update(`${bundleDir}\0${process.version}\0${process.arch}`).digest("hex").slice(0, 16);
  return join(base, "kyso", "code", which);
}

/** Loads `cjs/main.js` of the bundle in `bundleDir` (its exports), with the code cache in `cacheDir` when given. */
export function loadBundleMain(bundleDir: string, cacheDir: string | undefined): Record<string, unknown> {
  const cjsDir = join(bundleDir, "cjs");
  const baseUrl = pathToFileURL(join(bundleDir, "main.js")).href.replace(/main\.js$/, "");
  const nodeRequire = createRequire(join(bundleDir, "main.js"));
  const modules = new Map<string, LoadedModule>();
  const toWrite: { script: Script; file: string; name: string }[] = [];
  // Dynamic import() of an ES-module-only external package (pdf.js), from an ES module (this one).
  const importExternal = (spec: string): Promise<unknown> => import(spec);

  const requireFrom = (spec: string): unknown => (spec.startsWith("./") ? load(spec.slice(2)) : nodeRequire(spec));

  function load(name: string): Record<string, unknown> {
    const known = modules.get(name);
    if (known) return known.exports;
    if (!/^[\w.-]+\.js$/.test(name)) throw new Error(`kyso bundle: unexpected module name ${name}`);
    const module: LoadedModule = { exports: {} };
    modules.set(name, module);
    const file = `${cjsDir}/${name}`;
    // The file is one function expression of ChunkFunction's parameters (CJS_WRAPPER in cli/scripts/bundle.mjs).
    const bytes = readFileSync(file);
    const source = bytes.toString("utf8");
    let cachedData: Buffer | undefined;
    let cacheFile: string | undefined;
    if (cacheDir) {
      cacheFile = `${cacheDir}/${name}.${createHash("sha256").update(bytes).digest("hex").slice(0, 32)}.v8`;
      try {
        cachedData = readFileSync(cacheFile);
      } catch {
        cachedData = undefined;
      }
    }
    const script = new Script(source, { filename: file, cachedData });
    if (cacheFile && (!cachedData || script.cachedDataRejected)) toWrite.push({ script, file: cacheFile, name });
    const fn = script.runInThisContext() as ChunkFunction;
    fn.call(module.exports, module.exports, requireFrom, module, baseUrl + name, importExternal, requireFrom);
    return module.exports;
  }

  if (cacheDir) process.once("exit", () => writeCaches(cacheDir, cjsDir, toWrite));
  return load("main.js");
}

/** Writes the code caches (each atomically), and removes those of this bundle's older builds. Never throws. */
function writeCaches(cacheDir: string, cjsDir: string, toWrite: { script: Script; file: string; name: string }[]): void {
  if (toWrite.length === 0) return;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const fresh = new Set(toWrite.map((w) => w.file.slice(cacheDir.length + 1)));
    const names = new Set(toWrite.map((w) => w.name));
    const current = new Set(readdirSync(cjsDir));
    for (const f of readdirSync(cacheDir)) {
      // Caches of older builds (a chunk that is gone, or the same name from other code) and temporary files left behind.
      const name = f.replace(/\.[0-9a-f]{32}\.v8(\.tmp-\d+)?$/, "");
      if (!fresh.has(f) && (names.has(name) || !current.has(name) || /\.tmp-\d+$/.test(f))) rmSync(join(cacheDir, f), { force: true });
    }
  } catch {
    return;
  }
  for (const { script, file } of toWrite) {
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing more to do: the cache is an optimisation
      }
    }
  }
}
