// Shared by the LTV tests: the test servers, a signer, and extraction of timestamp tokens with a
// plain DER walk (independent of Kyso's CMS parser) for `openssl ts -verify`.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import { children, decodeOid, readTlv } from "@kyso/core";
import { pki } from "@kyso/certs-test";
import { parseCrl } from "@kyso/cms";
import { tool, type ToolResult } from "../support/judges.js";

export const exec = promisify(execFile);
export const repoRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
export const kysoBin = join(repoRoot, "cli/dist/bin.js");

export function tmp(prefix = "kyso-ltv-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the built CLI; never throws, returns the exit code and output. */
export async function kyso(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ToolResult> {
  return tool(process.execPath, [kysoBin, ...args], { ...process.env, KYSO_P12_PASSWORD: "kyso-test", ...env });
}

/**
 * The CMS of every signature in a file, from its /ByteRange gap (hex, cut at the DER length; a
 * plain text scan, independent of Kyso's parser).
 */
export function signatureContents(file: string): { byteRange: number[]; cms: Buffer }[] {
  const bytes = readFileSync(file);
  const text = bytes.toString("latin1");
  const out: { byteRange: number[]; cms: Buffer }[] = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const br = [m[1], m[2], m[3], m[4]].map(Number);
    const raw = Buffer.from(text.slice(br[1] + 1, br[2] - 1), "hex");
    let cms = raw;
    try {
      cms = Buffer.from(readTlv(raw).raw);
    } catch {
      /* BER with indefinite lengths (poppler/NSS): kept whole, zero padding included */
    }
    out.push({ byteRange: br, cms });
  }
  return out;
}

/** The SignerInfo's signature value and its signature-timestamp token, from a CMS ContentInfo. */
export function signatureAndTimestamp(cms: Uint8Array): { signatureValue: Uint8Array; token: Uint8Array | undefined } {
  const [, explicit] = children(readTlv(cms));
  const sd = children(children(explicit)[0]);
  const si = children(children(sd[sd.length - 1])[0]);
  const sigIndex = si.findIndex((n, i) => i > 2 && n.tag === 0x04);
  const signatureValue = si[sigIndex].value;
  let token: Uint8Array | undefined;
  const unsigned = si.find((n) => n.tag === 0xa1);
  for (const attr of unsigned ? children(unsigned) : []) {
    const [t, vals] = children(attr);
    if (decodeOid(t.value) === "1.2.840.113549.1.9.16.2.14") token = children(vals)[0].raw;
  }
  return { signatureValue, token };
}

/** `openssl ts -verify` of a token against a digest, trusting the test root. */
export async function opensslTsVerify(token: Uint8Array, digestHex: string): Promise<ToolResult> {
  const dir = tmp("kyso-ts-");
  const f = join(dir, "token.der");
  writeFileSync(f, token);
  return tool("openssl", ["ts", "-verify", "-in", f, "-token_in", "-digest", digestHex, "-CAfile", pki.root, "-untrusted", pki.tsa.chain]);
}

export const sha256Hex = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** When the test PKI revoked `revoked` (from the intermediate's CRL). */
export function revocationTimeOfRevoked(): Date {
  const crl = parseCrl(new Uint8Array(readFileSync(pki.intermediateCrl)));
  const [t] = [...crl.revoked.values()];
  return t;
}
