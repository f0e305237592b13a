/**
 * Shared helpers of the bulk-signing and token tests: folder trees of PDFs, the built CLI as a real
 * process, private copies of the SoftHSM token directory, and pdfsig.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, copyFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadGraphene, nssDb, pkcs11Lib, pki, samples, softhsmConf, token, type Graphene } from "@kyso/certs-test";
import { PdfReader, listSignatureFields } from "@kyso/pdf";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const cliBin = join(repoRoot, "cli/dist/bin.js");

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kyso-${prefix}-`));
}

/** A private copy of the SoftHSM token directory, so that wrong PINs, keygen and imports touch no shared token. */
export function tokenCopy(): { dir: string; conf: string } {
  const dir = tempDir("softhsm");
  const confText = readFileSync(softhsmConf, "utf8");
  const m = /^directories\.tokendir\s*=\s*(.+)$/m.exec(confText);
  if (!m) throw new Error(`no tokendir in ${softhsmConf}`);
  cpSync(m[1].trim(), join(dir, "tokens"), { recursive: true });
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  return { dir, conf };
}

/**
 * Runs `fn` on the slot of the token labelled `label` in a token directory (`conf`, a softhsm2.conf),
 * with its own initialized and finalized module.
 */
export function withTokenSlot<T>(conf: string, label: string, fn: (slot: Graphene.Slot, graphene: ReturnType<typeof loadGraphene>) => T): T {
  const prev = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  const graphene = loadGraphene();
  const mod = graphene.Module.load(pkcs11Lib());
  mod.initialize({ flags: 2 /* CKF_OS_LOCKING_OK */ });
  try {
    const slots = mod.getSlots(true);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots.items(i);
      if (slot.getToken().label.trim() === label) return fn(slot, graphene);
    }
    throw new Error(`token "${label}" not found`);
  } finally {
    mod.finalize();
    process.env.SOFTHSM2_CONF = prev;
  }
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

let emptyConfigHome: string | undefined;
/**
 * An empty config folder of this run's own, readable by everyone (some tests run kyso as
 * `nobody`); a shared fixed path could be left behind by another program, e.g. a browser that
 * wrote its profile there as root.
 */
function noConfigHome(): string {
  if (!emptyConfigHome) {
    emptyConfigHome = mkdtempSync(join(tmpdir(), "kyso-no-config-"));
    chmodSync(emptyConfigHome, 0o755);
  }
  return emptyConfigHome;
}

export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), LANG: "C.UTF-8", ...extra };
  // Config of the developer running the tests must not leak in.
  env.XDG_CONFIG_HOME = extra.XDG_CONFIG_HOME ?? noConfigHome();
  for (const k of ["KYSO_TOKEN_LABEL", "KYSO_KEY_LABEL", "KYSO_OUT_DIR", "KYSO_LANG", "KYSO_CHAIN"]) if (!(k in extra)) delete env[k];
  return env;
}

/** Runs the built CLI (`node cli/dist/bin.js ...`) to the end. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [cliBin, ...args], { cwd: options.cwd, env: cliEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", rej);
    child.on("close", (status) => res({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [cliBin, ...args], { cwd: options.cwd, env: cliEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Starts `kyso sign ... --json` and kills it with SIGKILL as soon as `after` documents are reported
 * signed; answers how it ended and the files it reported signed.
 */
export async function killAfterSigned(args: string[], after: number, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; signed: Set<string> }> {
  const child = startCli(args, options);
  const signed = new Set<string>();
  let buffered = "";
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on("exit", (code, signal) => res({ code, signal })));
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    buffered += d;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const l of lines) {
      const e = JSON.parse(l) as { file?: string; status?: string };
      if (e.status === "signed" && e.file) signed.add(e.file);
    }
    if (signed.size >= after) child.kill("SIGKILL");
  });
  return { ...(await exit), signed };
}

/** `count` distinct one-page documents in `dir` (vb-0000.pdf, vb-0001.pdf, ...: the sample, a comment appended). */
export function documentCopies(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const f = join(dir, `vb-${String(i).padStart(4, "0")}.pdf`);
    copyFileSync(samples.onePage, f);
    appendFileSync(f, `% copy ${i}\n`);
    return f;
  });
}

/** The number of signed signature fields in a PDF. */
export function signatureCount(file: string): number {
  const r = PdfReader.fromBytes(readFileSync(file));
  try {
    return listSignatureFields(r).filter((f) => r.dict(f.value)).length;
  } finally {
    r.close();
  }
}

/** The signing flags for the demo token's officer-rsa key with its CA chain. */
export const officerRsaFlags = ["--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--chain", pki.officerRsa.chain];

export interface PdfsigResult {
  ok: boolean;
  signatures: number;
  out: string;
}

/** pdfsig without OCSP, trusting the test root: every signature valid and trusted. */
export function pdfsig(file: string): PdfsigResult {
  const r = spawnSync("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file], { encoding: "utf8" });
  return judge(r.status, `${r.stdout}${r.stderr}`);
}

/** Every signed field valid and trusted (an empty signature field is listed but not counted). */
function judge(status: number | null, out: string): PdfsigResult {
  const fields = (out.match(/^Signature #\d+:/gm) ?? []).length;
  const unsigned = (out.match(/The signature form field is not signed\./g) ?? []).length;
  const signatures = fields - unsigned;
  const valid = (out.match(/Signature Validation: Signature is Valid\./g) ?? []).length;
  const trusted = (out.match(/Certificate Validation: Certificate is Trusted\./g) ?? []).length;
  return { ok: status === 0 && signatures > 0 && valid === signatures && trusted === signatures, signatures, out };
}

export interface Tree {
  root: string;
  good: string[];
  bad: string[];
}

/**
 * A folder tree of `count` PDFs of mixed sizes (one page, a hundred pages, object streams,
 * Vietnamese text, an empty field, one 20 MB scan), each copy made distinct by a trailing comment,
 * plus 3 corrupt files and 1 encrypted one. Paths are deterministic.
 */
export function makeTree(root: string, count: number, options: { large?: boolean; bad?: boolean } = {}): Tree {
  const kinds = [samples.onePage, samples.onePage, samples.onePage, samples.hundredPages, samples.objstm, samples.vietnamese, samples.emptyField];
  const good: string[] = [];
  const bad: string[] = [];
  const badCount = options.bad === false ? 0 : 4;
  for (let i = 0; i < count - badCount; i++) {
    const dir = join(root, `don-vi-${i % 5}`, i % 3 === 0 ? "den" : `thang-${(i % 4) + 1}`);
    mkdirSync(dir, { recursive: true });
    const src = options.large && i === 7 ? samples.large20mb : kinds[i % kinds.length];
    const file = join(dir, `vb-${String(i).padStart(4, "0")}.pdf`);
    copyFileSync(src, file);
    // A comment after %%EOF keeps the file a valid PDF and makes every copy a different document.
    appendFileSync(file, `% copy ${i}\n`);
    good.push(file);
  }
  if (badCount) {
    const badDir = join(root, "don-vi-loi");
    mkdirSync(badDir, { recursive: true });
    for (let i = 0; i < 3; i++) {
      const f = join(badDir, `hong-${i}.pdf`);
      const src = [samples.corrupt, samples.notAPdf, samples.empty][i];
      copyFileSync(src, f);
      bad.push(f);
    }
    const enc = join(badDir, "ma-hoa.pdf");
    copyFileSync(samples.encrypted, enc);
    bad.push(enc);
  }
  return { root, good, bad };
}

/** Every file under `dir`, relative paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, "");
  return out.sort();
}

/** Runs pdfsig over many files, a few at a time. */
export async function pdfsigAll(files: string[], parallel = 4): Promise<Map<string, PdfsigResult>> {
  const results = new Map<string, PdfsigResult>();
  let next = 0;
  const one = (file: string): Promise<PdfsigResult> =>
    new Promise((res) => {
      const child = spawn("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file]);
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.on("close", (status) => res(judge(status, out)));
    });
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < files.length) {
        const f = files[next++];
        results.set(f, await one(f));
      }
    }),
  );
  return results;
}
