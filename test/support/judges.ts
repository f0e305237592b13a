// Independent judges: tools we did not write. Every signed PDF in the tests goes through them.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { nssDb, pki } from "@kyso/certs-test";

const exec = promisify(execFile);

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function tool(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ToolResult> {
  try {
    const r = await exec(cmd, args, { maxBuffer: 64 * 1024 * 1024, env: env ?? process.env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : 1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

export interface PdfsigSignature {
  field: string;
  signatureValid: boolean;
  certificateTrusted: boolean;
  totalDocument: boolean;
  raw: string;
}

/** poppler's pdfsig with an NSS database trusting the test root (OCSP off unless asked). */
export async function pdfsig(file: string, options: { ocsp?: boolean } = {}): Promise<PdfsigSignature[]> {
  const args = ["-nssdir", nssDb];
  if (!options.ocsp) args.push("-no-ocsp");
  args.push(file);
  const r = await tool("pdfsig", args);
  const blocks = r.stdout.split(/^Signature #\d+:/m).slice(1);
  return blocks.map((b) => ({
    field: /Signature Field Name: (.*)/.exec(b)?.[1]?.trim() ?? "",
    signatureValid: /Signature Validation: Signature is Valid\./.test(b),
    certificateTrusted: /Certificate Validation: Certificate is Trusted\./.test(b),
    totalDocument: /Total document signed/.test(b) && !/Not total document signed/.test(b),
    raw: b,
  }));
}

/** qpdf --check: exit 0 and no errors. */
export async function qpdfCheck(file: string): Promise<ToolResult> {
  return tool("qpdf", ["--check", file]);
}

/** Signatures found by a plain text scan of the file (independent of Kyso's parser). */
export function scanSignatures(file: string): { byteRange: number[]; cms: Buffer }[] {
  const bytes = readFileSync(file);
  const text = bytes.toString("latin1");
  const out: { byteRange: number[]; cms: Buffer }[] = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const br = [m[1], m[2], m[3], m[4]].map(Number);
    const hex = text.slice(br[1] + 1, br[2] - 1);
    // The DER length says where the CMS ends inside the zero padding (never strip zeros: a
    // signature may end with 00 bytes).
    const cms = Buffer.from(hex, "hex");
    out.push({ byteRange: br, cms: trimDer(cms) });
  }
  return out;
}

function trimDer(b: Buffer): Buffer {
  // DER SEQUENCE length tells where the CMS ends inside the zero padding.
  if (b[0] !== 0x30) return b;
  let len = b[1];
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
    off = 2 + n;
  }
  return b.subarray(0, off + len);
}

/** openssl cms -verify of one signature with its byte ranges as detached content, against the test root. */
export async function opensslCmsVerify(file: string, index: number): Promise<ToolResult> {
  const sigs = scanSignatures(file);
  const s = sigs[index];
  if (!s) return { code: 99, stdout: "", stderr: `no signature #${index}` };
  const bytes = readFileSync(file);
  const [a, b, c, d] = s.byteRange;
  const dir = mkdtempSync(join(tmpdir(), "kyso-cms-"));
  writeFileSync(join(dir, "sig.der"), s.cms);
  writeFileSync(join(dir, "content.bin"), Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]));
  return tool("openssl", [
    "cms", "-verify", "-binary", "-inform", "DER", "-in", join(dir, "sig.der"), "-content", join(dir, "content.bin"),
    "-CAfile", pki.root, "-purpose", "any", "-out", "/dev/null",
  ]);
}

export function isPrefix(input: string, output: string): boolean {
  const a = readFileSync(input);
  const b = readFileSync(output);
  return b.length > a.length && a.equals(b.subarray(0, a.length));
}
