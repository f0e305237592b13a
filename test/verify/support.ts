/** Shared helpers of the verification tests: signed documents, pdfsig, the built CLI. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { nssDb, p12Password, pki } from "@kyso/certs-test";
import { signPdfFile, type SignOptions } from "@kyso/sign";
import { Pkcs12Signer } from "@kyso/signers";
import { RevocationCache, httpFetcher, loadTrustAnchors, verifyPdf, type FileReport, type VerifyOptions } from "@kyso/verify";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const cliBin = join(repoRoot, "cli/dist/bin.js");
export const anchors = loadTrustAnchors([pki.root]);

export function tempDir(prefix = "kyso-verify-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export type Leaf = "officerRsa" | "officerEc" | "officerEc384" | "orgSeal" | "revoked" | "expired";

export async function sign(input: string, output: string, leaf: Leaf | string = "officerRsa", options: SignOptions = {}): Promise<string> {
  const p12 = leaf in pki ? (pki as unknown as Record<string, { p12: string }>)[leaf].p12 : leaf;
  const signer = await Pkcs12Signer.open(p12, p12Password);
  await signPdfFile(input, output, signer, { ...options, overwrite: true } as SignOptions);
  return output;
}

/**
 * The defaults a clerk gets: revocation checked online, here against the test PKI's OCSP responder
 * and CRLs that the root hook keeps running (test/support/servers-hook.ts).
 */
export const onlineDefaults: VerifyOptions = { trustAnchors: anchors, revocation: "online", fetcher: httpFetcher(5000), cache: new RevocationCache() };

export async function verify(file: string, options: VerifyOptions = {}): Promise<FileReport> {
  return verifyPdf({ path: file }, { ...onlineDefaults, ...options });
}

export function verifyBytes(bytes: Uint8Array, options: VerifyOptions = {}): Promise<FileReport> {
  return verifyPdf({ bytes, name: "mem.pdf" }, { ...onlineDefaults, ...options });
}

export interface PdfsigSignature {
  field: string;
  /** "Signature is Valid." */
  valid: boolean;
  validation: string;
  certificate: string;
  /** Certificate status when pdfsig gives a definite one. */
  trust: "trusted" | "untrusted" | "expired" | "revoked" | "unknown";
}

/** pdfsig (poppler) as the reference: OCSP off, trusting the test root through its NSS database. */
export function pdfsig(file: string): PdfsigSignature[] {
  const r = spawnSync("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file], { encoding: "utf8" });
  const out: PdfsigSignature[] = [];
  for (const block of r.stdout.split(/^Signature #\d+:$/m).slice(1)) {
    const validation = /Signature Validation: (.*)$/m.exec(block)?.[1]?.trim() ?? "";
    const certificate = /Certificate Validation: (.*)$/m.exec(block)?.[1]?.trim() ?? "";
    const trust = /is Trusted/.test(certificate)
      ? "trusted"
      : /isn't Trusted/.test(certificate)
        ? "untrusted"
        : /Expired/.test(certificate)
          ? "expired"
          : /Revoked/.test(certificate)
            ? "revoked"
            : "unknown";
    out.push({ field: /Signature Field Name: (.*)$/m.exec(block)?.[1]?.trim() ?? "", valid: /Signature is Valid/.test(validation), validation, certificate, trust });
  }
  return out;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  // A fresh revocation cache and local trust store per run unless the test gives its own.
  const isolated = { XDG_CACHE_HOME: tempDir("kyso-cache-"), XDG_DATA_HOME: tempDir("kyso-data-") };
  const r = spawnSync(process.execPath, [cliBin, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...isolated, ...env }, cwd: repoRoot });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A self-signed certificate and its PKCS#12 (password as the test PKI's): a signer no one trusts. */
export function untrustedP12(dir: string): string {
  const key = join(dir, "untrusted.key.pem");
  const cert = join(dir, "untrusted.pem");
  const p12 = join(dir, "untrusted.p12");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Untrusted Signer/O=Nobody/C=VN", "-days", "30", "-keyout", key, "-out", cert], { stdio: "ignore" });
  execFileSync("openssl", ["pkcs12", "-export", "-inkey", key, "-in", cert, "-out", p12, "-passout", `pass:${p12Password}`], { stdio: "ignore" });
  return p12;
}

/** A copy of `file` with one byte flipped at the offset `at` picks. */
export function flipByte(file: string, out: string, at: (bytes: Buffer) => number): string {
  const b = Buffer.from(readFileSync(file));
  b[at(b)] ^= 0x01;
  writeFileSync(out, b);
  return out;
}
