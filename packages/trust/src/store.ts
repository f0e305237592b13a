import { bundledTrust } from "./bundled.js";
import type { TrustEntry } from "./entry.js";
import { localTrust, type LocalStoreOptions } from "./local.js";

export interface TrustStoreOptions extends LocalStoreOptions {
  /** Include the bundled Vietnam certificates (default true; false for --no-default-trust). */
  includeBundled?: boolean;
}

/**
 * The trust store in force: the bundled certificates (unless excluded), then the local additions.
 * A certificate present twice is kept once, the first seen (so a bundled pin keeps its role).
 */
export function loadTrustStore(opts: TrustStoreOptions = {}): TrustEntry[] {
  const all = [...(opts.includeBundled === false ? [] : bundledTrust()), ...localTrust(opts)];
  const seen = new Set<string>();
  return all.filter((e) => (seen.has(e.sha256) ? false : (seen.add(e.sha256), true)));
}

/** The DER lists a path builder takes: anchors end paths, intermediates only help build them. */
export function trustAnchorsAndIntermediates(entries: readonly TrustEntry[]): { anchors: Uint8Array[]; intermediates: Uint8Array[] } {
  return {
    anchors: entries.filter((e) => e.role === "anchor").map((e) => e.der),
    intermediates: entries.filter((e) => e.role === "intermediate").map((e) => e.der),
  };
}

/** Entries whose SHA-256 starts with the prefix (hex, colons allowed). */
export function findByFingerprint(entries: readonly TrustEntry[], sha256Prefix: string): TrustEntry[] {
  const p = sha256Prefix.toLowerCase().replace(/:/g, "");
  return entries.filter((e) => e.sha256.startsWith(p));
}
