import type { promises as fs } from "node:fs";
import { KysoError } from "@kyso/core";

/**
 * Writes every byte of `parts`. writev(2) may write less than asked (a full disk writes what fits
 * and reports no error); without this loop a cut-short file would be renamed into place as "signed".
 * The next call after a short write fails with the real errno (ENOSPC).
 */
export async function writeFully(fh: fs.FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  let rest = parts.filter((p) => p.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest);
    if (bytesWritten === 0) throw new KysoError("OUTPUT_WRITE_FAILED", "The system wrote nothing and gave no reason");
    let n = bytesWritten;
    const next: Uint8Array[] = [];
    for (const p of rest) {
      if (n >= p.length) n -= p.length;
      else {
        next.push(n > 0 ? p.subarray(n) : p);
        n = 0;
      }
    }
    rest = next;
  }
}
