import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The generated test PKI (certs-test/out, made by `pnpm certs`). */
export const pkiDir = fileURLToPath(new URL("../../../../certs-test/out/pki/", import.meta.url));

export function pkiFile(name: string): string {
  const path = join(pkiDir, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: generate the test PKI with "pnpm certs"`);
  return path;
}

export function pkiBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(pkiFile(name)));
}
