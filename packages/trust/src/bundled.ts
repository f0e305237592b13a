import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { KysoError, certificatesFromPemOrDer } from "@kyso/core";
import { pinnedEntry, sha256Hex, singleCertificate, type TrustEntry, type TrustRole } from "./entry.js";

/**
 * The certificates shipped in `data/vn/`, each pinned by the SHA-256 of its DER as listed in the
 * provenance manifest (shared/trust/vn/MANIFEST.md; see data/vn/SOURCES.md). A file whose
 * fingerprint differs is refused: the data folder is not a place to drop new roots.
 */
export const BUNDLED_PINS: readonly { file: string; role: TrustRole; sha256: string; label: string }[] = [
  { file: "vgca-rootca-g1.pem", role: "anchor", sha256: "f7bc89054cec7f12730d7b8cd3eb7955b163835087e5eb873edfb584763b3f90", label: "Government CA RootCA (G1)" },
  { file: "vgca-rootca-g2.pem", role: "anchor", sha256: "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8", label: "Government CA RootCA G2" },
  { file: "vgca-ca-co-quan-nha-nuoc-g2.pem", role: "intermediate", sha256: "d8cab7a4aef92e6bb2509d7c61cee7b44f3731b2d21074963530277b366fae4b", label: "Government CA for state bodies G2" },
  { file: "vietnam-national-root-ca.pem", role: "anchor", sha256: "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7", label: "Vietnam National Root CA" },
  { file: "vnpt-ca-sha2.pem", role: "intermediate", sha256: "7d6ba5245317f9ed5d8bc765a4634d26ac6340d36b9f584df3b52d9c4a81a306", label: "VNPT-CA SHA2" },
];

/**
 * The bundled data folder. The package ships `data/` beside `dist/` (and `src/` during tests), so
 * `../data/vn/` from this module is right for both.
 */
export function bundledDataDir(): string {
  return fileURLToPath(new URL("../data/vn/", import.meta.url));
}

/**
 * The bundled Vietnam trust store: three roots (anchors) and two intermediates, each checked
 * against its pin. `dir` is for tests of the pinning; the default is the package's own data.
 */
export function bundledTrust(dir: string = bundledDataDir()): TrustEntry[] {
  return BUNDLED_PINS.map((pin) => {
    const path = join(dir, pin.file);
    let data: Uint8Array;
    try {
      data = readFileSync(path);
    } catch (cause) {
      throw new KysoError("TRUST_BUNDLED_MISSING", `The bundled certificate ${pin.file} is missing from ${dir}`, { cause });
    }
    // One certificate, and the pinned one: the pin vouches for the bytes, so X.509 parsing (of
    // every bundled certificate on every `kyso verify`) waits until a field is asked for.
    const certs = certificatesFromPemOrDer(data);
    const der = certs.length === 1 ? certs[0] : singleCertificate(data, `The bundled certificate ${pin.file}`);
    const actual = sha256Hex(der);
    if (actual !== pin.sha256)
      throw new KysoError(
        "TRUST_PIN_MISMATCH",
        `The bundled certificate ${pin.file} has SHA-256 ${actual}, not the pinned ${pin.sha256}; it is refused (reinstall Kyso)`,
        { details: { file: path, expected: pin.sha256, actual } },
      );
    return pinnedEntry(der, pin.role, "bundled", actual, pin.label);
  });
}
