import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KysoError } from "@kyso/core";
import { envFile } from "./layout.js";

/** Finds SoftHSM2's PKCS#11 module: `/usr/lib/softhsm/libsofthsm2.so`, then `/usr/lib/<arch>/softhsm/`. */
export function findSofthsmLib(): string {
  const candidates = ["/usr/lib/softhsm/libsofthsm2.so"];
  try {
    for (const entry of readdirSync("/usr/lib", { withFileTypes: true })) {
      if (entry.isDirectory()) candidates.push(join("/usr/lib", entry.name, "softhsm", "libsofthsm2.so"));
    }
  } catch {
    // No /usr/lib: fall through to the error below.
  }
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new KysoError("SOFTHSM_NOT_FOUND", "libsofthsm2.so not found under /usr/lib (install softhsm2: scripts/install.sh)");
  }
  return found;
}

/** Reads `KEY=value` lines of an env.sh written by the generator. */
export function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return env;
}

/**
 * Absolute path of SoftHSM2's PKCS#11 module: `KYSO_PKCS11_LIB` from the environment, else from
 * `out/env.sh`, else a search of `/usr/lib`.
 */
export function pkcs11Lib(): string {
  const fromEnv = process.env.KYSO_PKCS11_LIB;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  if (existsSync(envFile)) {
    const lib = readEnvFile(envFile).KYSO_PKCS11_LIB;
    if (lib && existsSync(lib)) return lib;
  }
  return findSofthsmLib();
}
