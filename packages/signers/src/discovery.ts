import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";

/** PKCS#11 middleware of the tokens seen in Vietnam, by their Linux library names (see DOMAIN.md). */
export const KNOWN_MIDDLEWARE: readonly { name: string; file: string }[] = [
  { name: "SafeNet Authentication Client (eToken)", file: "libeTPkcs11.so" },
  { name: "Feitian ePass2003", file: "libcastle.so" },
  { name: "Bit4id", file: "libbit4xpki.so" },
  { name: "OpenSC", file: "opensc-pkcs11.so" },
  { name: "SoftHSM2", file: "libsofthsm2.so" },
];

/** Where Debian and the vendors' installers put them. */
export const MIDDLEWARE_DIRS: readonly string[] = [
  "/usr/lib",
  "/usr/lib64",
  "/usr/local/lib",
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/x86_64-linux-gnu/pkcs11",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu/pkcs11",
  "/usr/lib/pkcs11",
  "/usr/lib64/pkcs11",
  "/usr/local/lib/pkcs11",
  "/usr/lib/softhsm",
  "/usr/local/lib/softhsm",
  "/usr/lib/x86_64-linux-gnu/softhsm",
  "/usr/lib/aarch64-linux-gnu/softhsm",
  "/opt/bit4id/lib",
  "/opt/ePass2003/lib",
  "/opt/safenet/lib",
];

export interface FoundMiddleware {
  name: string;
  /** The path found (the first of several that lead to the same file). */
  path: string;
}

/**
 * The known PKCS#11 libraries installed on this machine, in the order of KNOWN_MIDDLEWARE (vendor
 * middleware before OpenSC and SoftHSM). Links to the same file are listed once.
 */
export function findMiddleware(options: { dirs?: readonly string[]; exists?: (p: string) => boolean } = {}): FoundMiddleware[] {
  const dirs = options.dirs ?? MIDDLEWARE_DIRS;
  const exists = options.exists ?? existsSync;
  const seen = new Set<string>();
  const out: FoundMiddleware[] = [];
  for (const m of KNOWN_MIDDLEWARE) {
    for (const d of dirs) {
      const p = join(d, m.file);
      if (!exists(p)) continue;
      let real = p;
      try {
        real = realpathSync(p);
      } catch {
        /* keep p */
      }
      if (seen.has(real)) continue;
      seen.add(real);
      out.push({ name: m.name, path: p });
    }
  }
  return out;
}
