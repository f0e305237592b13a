import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { randomBytes } from "node:crypto";
import { KysoError } from "@kyso/core";
import { bundledTrust } from "./bundled.js";
import { entryFromDer, isCaCertificate, isSelfSigned, parseCertificateDer, sha256Hex, singleCertificate, toPem, type TrustEntry, type TrustRole } from "./entry.js";

/** Where the local store lives. */
export interface LocalStoreOptions {
  /** Default: $XDG_DATA_HOME/kyso/trust, else ~/.local/share/kyso/trust. */
  localDir?: string;
  /** The environment read for XDG_DATA_HOME and HOME (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The local store is a folder of PEM files, one per certificate, named by the SHA-256 of its DER:
 * `anchors/<sha256>.pem` and `intermediates/<sha256>.pem`. An administrator may also copy files in
 * by hand; a file whose name is not its fingerprint is refused when the store is read.
 */
const ROLE_DIRS: Record<TrustRole, string> = { anchor: "anchors", intermediate: "intermediates" };
const FILE_RE = /^([0-9a-f]{64})\.pem$/;

/** XDG Base Directory Specification 0.8: $XDG_DATA_HOME if set and absolute, else $HOME/.local/share. */
export function localStoreDir(opts: LocalStoreOptions = {}): string {
  if (opts.localDir) return opts.localDir;
  const env = opts.env ?? process.env;
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".local", "share");
  return join(base, "kyso", "trust");
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new KysoError("TRUST_LOCAL_UNREADABLE", `The local trust store ${dir} cannot be read`, { cause: e });
  }
}

/** The certificates an administrator added, anchors first. Missing folders are an empty store. */
export function localTrust(opts: LocalStoreOptions = {}): TrustEntry[] {
  const root = localStoreDir(opts);
  const out: TrustEntry[] = [];
  for (const role of ["anchor", "intermediate"] as const) {
    const dir = join(root, ROLE_DIRS[role]);
    for (const name of listDir(dir).sort()) {
      const m = FILE_RE.exec(name);
      if (!m) continue; // temp files of an interrupted write, notes, ...
      const path = join(dir, name);
      let der: Uint8Array;
      try {
        der = singleCertificate(readFileSync(path), `The local trust file ${path}`);
      } catch (cause) {
        throw new KysoError("TRUST_LOCAL_INVALID", `The local trust file ${path} cannot be read as one certificate`, { cause });
      }
      const actual = sha256Hex(der);
      if (actual !== m[1])
        throw new KysoError("TRUST_LOCAL_MISMATCH", `The local trust file ${path} holds a certificate with SHA-256 ${actual}, not the one its name says; it is refused`, {
          details: { file: path, actual },
        });
      out.push(entryFromDer(der, role, "local"));
    }
  }
  return out;
}

/** Writes a file atomically and synchronously: a temp file beside it, fsync, rename (as writeFileAtomic in @kyso/core). */
function writeFileAtomicSync(target: string, dir: string, text: string): void {
  const tmp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, target);
}

/** The role a certificate gets when none is given: a self-signed certificate is an anchor, any other an intermediate. */
export function defaultRole(der: Uint8Array): TrustRole {
  return isSelfSigned(der) ? "anchor" : "intermediate";
}

/**
 * Adds a certificate to the local store under its SHA-256 (atomic write). Only CA certificates are
 * accepted (basicConstraints cA), except a self-signed anchor. Adding a certificate already there
 * with another role moves it to that role.
 */
export function addToLocalStore(der: Uint8Array, role: TrustRole, opts: LocalStoreOptions = {}): TrustEntry {
  const bytes = new Uint8Array(der);
  const cert = parseCertificateDer(bytes);
  if (role !== "anchor" && role !== "intermediate") throw new KysoError("USAGE", `Unknown trust role ${String(role)}: anchor or intermediate`);
  if (!isCaCertificate(bytes) && !(role === "anchor" && isSelfSigned(bytes)))
    throw new KysoError("TRUST_NOT_CA", `${cert.subject.split("\n").join(", ")} is not a CA certificate (no basicConstraints cA); it cannot be a trust anchor or an intermediate`, {
      details: { params: { subject: cert.subject.split("\n").join(", ") } },
    });
  const sha = sha256Hex(bytes);
  const root = localStoreDir(opts);
  const dir = join(root, ROLE_DIRS[role]);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const entry = entryFromDer(bytes, role, "local");
  const header = [`Subject: ${entry.subject}`, `Issuer: ${entry.issuer}`, `Role: ${role}`, `SHA-256: ${sha}`];
  writeFileAtomicSync(join(dir, `${sha}.pem`), dir, toPem(bytes, header));
  const other = join(root, ROLE_DIRS[role === "anchor" ? "intermediate" : "anchor"], `${sha}.pem`);
  try {
    unlinkSync(other);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return entry;
}

/**
 * Removes the local certificate whose SHA-256 starts with the prefix. Bundled certificates cannot
 * be removed (TRUST_BUNDLED; use --no-default-trust to leave them out); a prefix that matches more
 * than one certificate is refused (TRUST_AMBIGUOUS).
 */
export function removeFromLocalStore(sha256Prefix: string, opts: LocalStoreOptions = {}): TrustEntry {
  const prefix = sha256Prefix.toLowerCase().replace(/:/g, "");
  if (!/^[0-9a-f]{4,64}$/.test(prefix))
    throw new KysoError("USAGE", `"${sha256Prefix}" is not a SHA-256 fingerprint or a prefix of one (at least 4 hex digits)`, { details: { params: { prefix: sha256Prefix }, form: "sha256Prefix" } });
  const local = localTrust(opts).filter((e) => e.sha256.startsWith(prefix));
  const bundled = bundledTrust().filter((e) => e.sha256.startsWith(prefix) && !local.some((l) => l.sha256 === e.sha256));
  if (local.length + bundled.length > 1)
    throw new KysoError("TRUST_AMBIGUOUS", `The prefix ${prefix} matches ${local.length + bundled.length} certificates; give more digits`, {
      details: { matches: [...local, ...bundled].map((e) => e.sha256), params: { prefix, count: local.length + bundled.length } },
    });
  if (bundled.length === 1)
    throw new KysoError("TRUST_BUNDLED", `${bundled[0].subject} is bundled with Kyso and cannot be removed (leave the bundled store out with --no-default-trust)`, {
      details: { params: { subject: bundled[0].subject } },
    });
  if (local.length === 0) throw new KysoError("TRUST_NOT_FOUND", `No certificate in the trust store has a SHA-256 starting with ${prefix}`, { details: { params: { prefix } } });
  const entry = local[0];
  unlinkSync(join(localStoreDir(opts), ROLE_DIRS[entry.role], `${entry.sha256}.pem`));
  return entry;
}
