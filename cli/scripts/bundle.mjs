// Bundles the kyso command (cli/src/main.ts and what it imports from the workspace packages and
// node_modules) into cli/dist/bundle/, run by `pnpm build` after tsc. cli/dist/bin.js runs it.
//
// - ESM, code-split: main.js holds what every run needs (argument parsing, the command table);
//   each command, and each heavy library (pkijs, express, kysely, fontkit ...), is a chunk that is
//   loaded when a command imports it. One 5-10 MB file costs Node 20 ~250 ms to compile on every
//   run (it has no ESM compile cache), more than the whole unbundled start-up.
// - Native addons stay outside (EXTERNAL below) and are resolved from cli/node_modules; the build
//   fails when a bundled package has a .node file or when an external cannot be resolved there.
// - Module-relative assets of the workspace (`new URL("rel", import.meta.url)`) are resolved now:
//   data files and folders are copied to bundle/assets/<path in the repository>, modules (worker
//   threads, worker jobs) become entry points of their own; any other use of import.meta.url in
//   workspace code stops the build, so that a new one is handled here rather than broken at run time.
// - A CommonJS copy of every output file goes to bundle/cjs/ (cjsCopy below). cli/dist/bin.js runs
//   that copy through bundle/loader.js (cli/src/bundle-loader.ts), which keeps V8's code cache of each
//   file between runs: Node 20 compiles ES modules again on every run, and that compilation was the
//   largest part of a one-page `kyso verify` after Node's own start. Worker threads and assets use
//   the ES module files (a copy's import.meta.url is its ES module twin's URL).
import { build, transform } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from "node:fs";
import { createRequire, builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const cliDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = resolve(cliDir, "..");
const srcDir = join(cliDir, "src") + sep;
const distDir = join(cliDir, "dist");
const outDir = join(distDir, "bundle");

/** Native addons (and their optional native helpers): never bundled, loaded from cli/node_modules when used. */
const EXTERNAL = ["pkcs11js", "better-sqlite3", "pdfjs-dist"];
/** Optional native helpers that packages try to load and do without (never installed here). */
const OPTIONAL_EXTERNAL = ["pg-native", "bufferutil", "utf-8-validate"];
/** Externals that are ES modules only (no require): the CommonJS copy imports them with a real import(). */
const ESM_ONLY_EXTERNAL = ["pdfjs-dist"];
/** Prepended to every output file (see bundleOnce); the CommonJS copy gets `require` from its loader instead. */
const BANNER = 'import { createRequire as __kysoCreateRequire } from "node:module"; const require = __kysoCreateRequire(import.meta.url);';
/** The module that runs the CommonJS copy with the code cache (CommonJS itself; built on its own). */
const LOADER = "loader.cjs";
/**
 * Each file of the CommonJS copy is one function expression, in strict mode as the ES module it was
 * made from; its parameters are those cli/src/bundle-loader.ts passes (ChunkFunction there).
 */
const CJS_WRAPPER = ['(function (exports, require, module, __kysoMetaUrl, __kysoImport, __kysoLoad) {"use strict";', "\n})"];

const toPosix = (p) => p.split(sep).join("/");
const isWorkspaceFile = (abs) => abs.startsWith(repoRoot + sep) && !abs.includes(`${sep}node_modules${sep}`);
const entryNameFor = (abs) => toPosix(relative(repoRoot, abs)).replace(/\.(m?js|ts)$/, "").replace(/[^A-Za-z0-9]+/g, "-");

const PICK = "kyso-pick";
/**
 * `await import("pkg")` of a bundled package: esbuild's chunk for a CommonJS package dynamically
 * imported exports only `default` (graphene-pk11's Module, pdf-lib's PDFDocument went missing),
 * where Node gives the named exports too. Such an import goes through a module of ours that does
 * `import * as ns from "pkg"` (Node's interop: named exports and default = module.exports).
 */
const NS = "kyso-ns";
const LAZY_UI = "kyso-lazy-ui";
const LAZY_UI_ENTRY = "kyso-yargs-ui";
/** The bundle entry holding yargs' help renderer, loaded on first use. */
const YARGS_UI = "yargs-ui";

/** Where yargs' platform shim resolves its imports from (cliui and string-width of yargs' own versions). */
function yargsShimDir() {
  const yargsMain = createRequire(join(cliDir, "package.json")).resolve("yargs");
  return join(dirname(yargsMain), "lib", "platform-shims");
}

/**
 * `const { a, b: c } = await import("@kyso/x")` keeps all of @kyso/x in the bundle (esbuild keeps
 * every export of a module imported dynamically; evanw/esbuild#3987), and with it what its other
 * exports import (the trust store's XML libraries for `verify`). Such a line imports instead a
 * virtual module that re-exports just a and b, so that the rest is left out.
 */
function pickDynamicImports(text, resolveDir) {
  text = text.replace(/\bawait\s+import\(\s*(["'])([^"'.][^"']*)\1\s*\)/g, (whole, q, spec) => {
    const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
    if (spec.startsWith("node:") || builtinModules.includes(pkg) || pkg === "@kyso" || spec.startsWith("@kyso/") || [...EXTERNAL, ...OPTIONAL_EXTERNAL].includes(pkg)) return whole;
    return `(await import(${q}${NS}:${spec}${q})).default`;
  });
  return text.replace(/(\bconst\s*\{)([^{}]*)(\}\s*=\s*await\s+import\(\s*)(["'])(@kyso\/[^"']+)\4(\s*\))/g, (whole, a, names, b, q, spec, c) => {
    const imported = names
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean)
      .map((n) => n.split(":")[0].trim());
    if (!imported.every((n) => /^[A-Za-z_$][\w$]*$/.test(n))) return whole;
    const id = `${spec}?${[...new Set(imported)].sort().join(",")}@${toPosix(relative(repoRoot, resolveDir))}`;
    return `${a}${names}${b}${q}${PICK}:${id}${q}${c}`;
  });
}

/**
 * Rewrites module-relative URLs in workspace files. Records the modules that must be entry points
 * (`entries`) and the assets to copy (`assets`: repo-relative path -> absolute path).
 */
function assetsPlugin(entries, assets) {
  return {
    name: "kyso-module-relative",
    setup(b) {
      // The workspace's modules have no side effects at import (ARCHITECTURE.md: libraries keep no
      // global state; none has a bare `import "x"` or a top-level call): what a command does not use
      // of a package's index (the trust store's XML-signed lists for `verify`) is left out.
      b.onResolve({ filter: /^(@kyso\/|\.\.?\/)/ }, async (args) => {
        if (args.pluginData === "kyso-resolving" || (args.importer && !isWorkspaceFile(args.importer))) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: "kyso-resolving" });
        if (r.errors.length || r.external || !isWorkspaceFile(r.path) || r.path.startsWith(join(cliDir, "src") + sep)) return r.errors.length ? { errors: r.errors } : undefined;
        return { path: r.path, sideEffects: false };
      });
      b.onResolve({ filter: new RegExp(`^${NS}:`) }, (args) => ({ path: `${args.path.slice(NS.length + 1)}.mjs`, namespace: NS, pluginData: args.resolveDir }));
      b.onLoad({ filter: /.*/, namespace: NS }, (args) => ({
        contents: `import * as ns from ${JSON.stringify(args.path.replace(/\.mjs$/, ""))}; export default ns;`,
        loader: "js",
        resolveDir: args.pluginData,
      }));
      b.onResolve({ filter: new RegExp(`^${PICK}:`) }, (args) => ({ path: args.path.slice(PICK.length + 1), namespace: PICK }));
      b.onLoad({ filter: /.*/, namespace: PICK }, async (args) => {
        const m = /^(.*)\?([^@]*)@(.*)$/.exec(args.path);
        const [spec, names, resolveDir] = [m[1], m[2].split(","), resolve(repoRoot, m[3])];
        // Past the package's index (a barrel of `export { ... } from "./x.js"` lines) straight to
        // the modules that define the names: the index itself may be imported whole elsewhere.
        const index = await b.resolve(spec, { kind: "dynamic-import", resolveDir, pluginData: "kyso-resolving" });
        const from = new Map();
        if (!index.errors.length && isWorkspaceFile(index.path)) {
          const text = readFileSync(index.path, "utf8");
          for (const [, list, file] of text.matchAll(/export\s*\{([^}]*)\}\s*from\s*["'](\.[^"']+)["']/g)) {
            for (const item of list.split(",")) {
              const [orig, alias] = item.trim().replace(/^type\s+/, "").split(/\s+as\s+/);
              if (orig) from.set((alias ?? orig).trim(), { orig: orig.trim(), file: resolve(dirname(index.path), file) });
            }
          }
        }
        const lines = names.map((n) => {
          const f = from.get(n);
          return f ? `export { ${f.orig === n ? n : `${f.orig} as ${n}`} } from ${JSON.stringify("./" + toPosix(relative(resolveDir, f.file)))};` : `export { ${n} } from ${JSON.stringify(spec)};`;
        });
        return { contents: lines.join("\n"), loader: "js", resolveDir };
      });
      // yargs' help renderer (cliui, string-width: an Intl.Segmenter and Unicode-property regular
      // expressions built at import, ~20 ms) is needed only to print help: yargs' platform shim gets
      // stand-ins that load the real ones (the YARGS_UI entry) on first use, synchronously.
      b.onResolve({ filter: /^(cliui|string-width)$/ }, (args) =>
        /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]/.test(args.importer) ? { path: args.path, namespace: LAZY_UI } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: LAZY_UI }, (args) => ({
        contents: [
          'import { createRequire } from "node:module";',
          // In the CommonJS copy, the loader's require (yargs-ui.js is then the copy's too).
          'const load = typeof __kysoLoad === "function" ? __kysoLoad : createRequire(import.meta.url);',
          args.path === "cliui"
            ? `export default function cliui(o) { return load("./${YARGS_UI}.js").cliui(o); }`
            : `export default function stringWidth(s, o) { return load("./${YARGS_UI}.js").stringWidth(s, o); }`,
        ].join("\n"),
        loader: "js",
      }));
      b.onResolve({ filter: new RegExp(`^${YARGS_UI}$`) }, () => ({ path: YARGS_UI, namespace: LAZY_UI_ENTRY }));
      b.onLoad({ filter: /.*/, namespace: LAZY_UI_ENTRY }, () => ({
        contents: 'export { default as cliui } from "cliui"; export { default as stringWidth } from "string-width";',
        loader: "js",
        resolveDir: yargsShimDir(),
      }));
      // require("tslib") in a CommonJS package (graphene-pk11's ~60 modules): esbuild's "module"
      // condition picks tslib's ES build, which each require() then copies into a new CommonJS
      // object (~40 getters each time, ~3 ms of `kyso sign`'s start); tslib's own CommonJS build is
      // the same helpers, made once.
      b.onResolve({ filter: /^tslib$/ }, async (args) => {
        if (args.kind !== "require-call" || args.pluginData === "kyso-tslib") return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: "kyso-tslib" });
        if (r.errors.length || !/[\\/]tslib\.es6\.m?js$/.test(r.path)) return r.errors.length ? { errors: r.errors } : undefined;
        const cjs = join(dirname(r.path), "tslib.js");
        return existsSync(cjs) ? { path: cjs } : undefined;
      });
      // yargs guesses its own version on creation (a find-up of package.json from the working folder,
      // reading every folder on the way: ~10 ms); kyso turns --version off right after (.version(false)).
      b.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]lib[\\/]yargs-factory\.js$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        const call = "        yargs.help();\n        yargs.version();\n";
        if (!text.includes(call)) return { errors: [{ text: "yargs-factory.js changed: review the version() patch in cli/scripts/bundle.mjs" }] };
        return { contents: text.replace(call, "        yargs.help();\n"), loader: "js" };
      });
      b.onLoad({ filter: /\.(m?js|ts)$/ }, (args) => {
        if (!isWorkspaceFile(args.path)) return undefined;
        let text = readFileSync(args.path, "utf8");
        const here = dirname(args.path);
        const picked = pickDynamicImports(text, here);
        if (!text.includes("import.meta.url")) return picked === text ? undefined : { contents: picked, loader: args.path.endsWith(".ts") ? "ts" : "js", resolveDir: here };
        text = picked;
        const errors = [];
        text = text.replace(/new URL\(\s*(?:(["'`])([^"'`]+)\1\s*,\s*)?import\.meta\.url\s*\)/g, (whole, _q, rel) => {
          // cli/src/x.ts runs as cli/dist/x.js: its relative URLs are meant from there.
          const base = args.path.startsWith(srcDir) ? join(distDir, relative(srcDir, here)) : here;
          const target = rel === undefined ? args.path : resolve(base, rel);
          // The kyso script itself (e.g. for a service unit that runs it): cli/dist/bin.js, beside the bundle.
          if (target === join(distDir, "bin.js")) return `new URL("../bin.js", import.meta.url)`;
          if (!existsSync(target)) {
            errors.push({ text: `${whole} names ${toPosix(relative(repoRoot, target))}, which does not exist` });
            return whole;
          }
          if (/\.m?js$/.test(target) && statSync(target).isFile()) {
            const name = entryNameFor(target);
            entries.set(name, target);
            return `new URL("./${name}.js", import.meta.url)`;
          }
          const key = toPosix(relative(repoRoot, target)) + (rel?.endsWith("/") ? "/" : "");
          assets.set(key, target);
          return `new URL("./assets/${key}", import.meta.url)`;
        });
        // What is left must be harmless: createRequire(import.meta.url) resolves packages, not files.
        const rest = text.replace(/new URL\("\.\.?\/[^"]+", import\.meta\.url\)/g, "").replace(/createRequire\(\s*import\.meta\.url\s*\)/g, "");
        const lines = rest.split("\n");
        lines.forEach((line, i) => {
          if (line.includes("import.meta.url") && !/^\s*(\/\/|\*|\/\*)/.test(line))
            errors.push({ text: `import.meta.url used in a way the bundle cannot resolve (line ~${i + 1}): ${line.trim()}; use new URL("relative", import.meta.url)` });
        });
        if (errors.length) return { errors };
        return { contents: text, loader: args.path.endsWith(".ts") ? "ts" : "js", resolveDir: here };
      });
    },
  };
}

async function bundleOnce(entries, assets, write) {
  return build({
    absWorkingDir: repoRoot,
    entryPoints: Object.fromEntries(entries),
    outdir: outDir,
    // Chunks beside the entries: a module-relative URL ("./assets/...", "./worker.js") is then the
    // same from every output file.
    chunkNames: "[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: [...EXTERNAL, ...OPTIONAL_EXTERNAL],
    // Bundled CommonJS code that requires an external (graphene-pk11 -> pkcs11js) needs a require.
    banner: { js: BANNER },
    // Whitespace and syntax only: stack traces of internal errors keep their function names.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "eof",
    metafile: true,
    write,
    logLevel: "error",
    plugins: [assetsPlugin(entries, assets)],
  });
}

/** Packages (folders under node_modules) that ended up in the bundle. */
function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(toPosix(input));
    if (m) dirs.add(m[1]);
  }
  return [...dirs];
}

function hasNativeCode(dir) {
  if (existsSync(join(dir, "binding.gyp")) || existsSync(join(dir, "prebuilds"))) return true;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== "node_modules") stack.push(join(d, e.name));
      else if (e.isFile() && e.name.endsWith(".node")) return true;
    }
  }
  return false;
}

/**
 * The CommonJS copy of one output file (for bundle/cjs/, run by cli/src/bundle-loader.ts): esbuild's
 * own ESM -> CommonJS conversion; import() of a chunk or a CommonJS package becomes a require(), of
 * an ES-module-only external a call of the loader's __kysoImport; import.meta.url is __kysoMetaUrl.
 * Anything esbuild warns about (another import.meta use, ...) stops the build.
 */
async function cjsCopy(name, text, metaOutput) {
  if (!text.startsWith(BANNER)) throw new Error(`bundle: ${name} does not start with the banner`);
  let code = text.slice(BANNER.length);
  for (const pkg of ESM_ONLY_EXTERNAL) {
    const wanted = metaOutput.imports.filter((i) => i.external && (i.path === pkg || i.path.startsWith(`${pkg}/`)));
    if (wanted.some((i) => i.kind !== "dynamic-import")) throw new Error(`bundle: ${name} imports ${pkg} statically; an ES-module-only external must be loaded with await import()`);
    const before = code;
    code = code.replace(new RegExp(`\\bimport\\((["'])${pkg.replace(/[-.]/g, "\\$&")}([/"'])`, "g"), "__kysoImport($1" + pkg + "$2");
    if (wanted.length > 0 && before === code) throw new Error(`bundle: ${name}: the import() of ${pkg} was not found to rewrite`);
  }
  const r = await transform(code, {
    format: "cjs",
    platform: "node",
    target: "node20",
    supported: { "dynamic-import": false },
    define: { "import.meta.url": "__kysoMetaUrl" },
    minifyWhitespace: true,
    legalComments: "eof",
    sourcefile: name,
    logLevel: "silent",
  });
  // Warnings about the code itself (a duplicate key in a library) were given by the build already
  // (logLevel error hides them); those about the conversion stop it.
  const conversion = r.warnings.filter((w) => /import-meta|import-is-undefined|require|commonjs|esm|dynamic-import|top-level|this-is-undefined/i.test(`${w.id} ${w.text}`));
  if (conversion.length) throw new Error(`bundle: the CommonJS copy of ${name}: ${conversion.map((w) => `${w.id}: ${w.text}`).join("; ")}`);
  if (/\bimport\.meta\b/.test(r.code)) throw new Error(`bundle: the CommonJS copy of ${name} still uses import.meta`);
  return CJS_WRAPPER[0] + r.code + CJS_WRAPPER[1];
}

async function main() {
  const t0 = performance.now();
  const entries = new Map([
    ["main", join(cliDir, "src", "main.ts")],
    [YARGS_UI, YARGS_UI],
  ]);
  const assets = new Map();
  // Modules named by URL become entries; their own imports may name more: repeat until none is new.
  let result;
  for (let pass = 0; ; pass++) {
    const before = entries.size;
    result = await bundleOnce(entries, assets, false);
    if (entries.size === before) break;
    if (pass > 5) throw new Error("bundle: module-relative entry points keep appearing");
  }

  const problems = [];
  for (const dir of bundledPackages(result.metafile)) {
    if (hasNativeCode(resolve(repoRoot, dir))) problems.push(`${dir} has native code (.node): add its name to EXTERNAL in cli/scripts/bundle.mjs and to cli/package.json dependencies`);
  }
  const fromBundle = createRequire(join(outDir, "main.js"));
  for (const name of EXTERNAL) {
    try {
      fromBundle.resolve(`${name}/package.json`);
    } catch {
      problems.push(`the external ${name} cannot be found from cli/dist/bundle: add it to cli/package.json dependencies`);
    }
  }
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.external && !imp.path.startsWith("<") && !imp.path.startsWith("node:") && !builtinModules.includes(imp.path)) {
        const pkg = imp.path.startsWith("@") ? imp.path.split("/").slice(0, 2).join("/") : imp.path.split("/")[0];
        if (!EXTERNAL.includes(pkg) && !OPTIONAL_EXTERNAL.includes(pkg)) problems.push(`unexpected external import ${imp.path}`);
      }
    }
  }
  if (problems.length) throw new Error(`bundle:\n  ${problems.join("\n  ")}`);

  // Write into a fresh folder, then swap, so that a running kyso never sees half a bundle.
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const f of result.outputFiles) {
    const to = join(tmp, relative(outDir, f.path));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, f.contents);
  }
  mkdirSync(join(tmp, "cjs"));
  for (const f of result.outputFiles) {
    const rel = toPosix(relative(outDir, f.path));
    if (!rel.endsWith(".js") || rel.includes("/")) continue;
    writeFileSync(join(tmp, "cjs", rel), await cjsCopy(rel, f.text, result.metafile.outputs[toPosix(relative(repoRoot, f.path))]));
  }
  writeFileSync(join(tmp, "cjs", "package.json"), JSON.stringify({ type: "commonjs", private: true }) + "\n");
  // The loader: one small CommonJS module of its own (node: imports only), so that it shares no chunk.
  const loader = await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(cliDir, "src", "bundle-loader.ts")],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    minifyWhitespace: true,
    minifySyntax: true,
    write: false,
    outfile: join(tmp, LOADER),
    logLevel: "error",
  });
  if (loader.outputFiles.length !== 1 || /\brequire\("\./.test(loader.outputFiles[0].text)) throw new Error("bundle: the loader must be one file with node: imports only");
  writeFileSync(join(tmp, LOADER), loader.outputFiles[0].contents);
  for (const [key, from] of assets) cpSync(from, join(tmp, "assets", key), { recursive: true });
  writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module", private: true }) + "\n");
  const old = `${outDir}.old-${process.pid}`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(tmp, outDir);
  rmSync(old, { recursive: true, force: true });

  // What went where (paths relative to the repository), for `esbuild --analyze`-style questions.
  writeFileSync(join(distDir, "bundle-meta.json"), JSON.stringify(result.metafile));
  const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
  const mainBytes = result.outputFiles.find((f) => f.path === join(outDir, "main.js"))?.contents.length ?? 0;
  if (process.env.KYSO_BUNDLE_VERBOSE)
    console.log(`bundle: ${result.outputFiles.length} files, ${(bytes / 1048576).toFixed(1)} MiB (main.js ${(mainBytes / 1024).toFixed(0)} KiB), ${assets.size} assets, entries ${[...entries.keys()].join(", ")}, ${(performance.now() - t0).toFixed(0)} ms`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
