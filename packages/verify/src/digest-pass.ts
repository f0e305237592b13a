import { createHash, type Hash } from "node:crypto";
import { createDigest } from "@kyso/cms";
import { FileSource, type ByteSource } from "@kyso/pdf";
import type { SigState } from "./context.js";

export const CHUNK = 1 << 20;

/**
 * One pass over the file: the file's SHA-256 and every signature's digest over its byte ranges.
 * A SHA-256 signature's first range [0, a) is a prefix of the file, so its digest starts as a copy
 * of the file hash's state at a and then takes only its second range: the bytes are hashed once.
 * A file is read through one reused buffer: a 100 MB document costs 1 MB of memory here.
 * Returns the file's SHA-256 (hex); sets `computedDigest` on every state with ranges.
 */
export function digestPass(src: ByteSource, states: SigState[]): string {
  const fileHash = createHash("sha256");
  const hashers = states.flatMap((s) => {
    if (!s.ranges || !s.digestAlgorithm) return [];
    const fork = s.digestAlgorithm === "SHA-256" ? s.ranges[0][1] : undefined;
    return [{ s, fork, h: fork === undefined ? (createDigest(s.digestAlgorithm) as Hash) : undefined }];
  });
  const forks = hashers.filter((x) => x.fork !== undefined).sort((x, y) => x.fork! - y.fork!);
  let nextFork = 0;
  const buffer = src instanceof FileSource && src.length > CHUNK ? new Uint8Array(CHUNK) : undefined;
  for (let p = 0; p < src.length; p += CHUNK) {
    const end = Math.min(src.length, p + CHUNK);
    const chunk = buffer && src instanceof FileSource && src.readInto(p, buffer.subarray(0, end - p)) === end - p ? buffer.subarray(0, end - p) : src.slice(p, end);
    let q = p;
    for (; nextFork < forks.length && forks[nextFork].fork! <= end; nextFork++) {
      const x = forks[nextFork];
      if (x.fork! > q) fileHash.update(chunk.subarray(q - p, x.fork! - p));
      q = Math.max(q, x.fork!);
      x.h = fileHash.copy();
    }
    if (q < end) fileHash.update(chunk.subarray(q - p));
    for (const x of hashers) {
      if (!x.h) continue;
      for (const [i, [a, b]] of x.s.ranges!.entries()) {
        if (i === 0 && x.fork !== undefined) continue;
        const lo = Math.max(a, p);
        const hi = Math.min(b, end);
        if (lo < hi) x.h.update(chunk.subarray(lo - p, hi - p));
      }
    }
  }
  for (const x of hashers) if (x.h) x.s.computedDigest = new Uint8Array(x.h.digest());
  return fileHash.digest("hex");
}

/** The signed bytes themselves (both ranges), for the rare signature that signs content without signed attributes. */
export function signedBytes(src: ByteSource, ranges: [number, number][]): Uint8Array {
  const parts = ranges.map(([a, b]) => src.slice(a, b));
  return new Uint8Array(Buffer.concat(parts));
}
