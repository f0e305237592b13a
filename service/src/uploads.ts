import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Request } from "express";
import busboy from "busboy";
import { httpError } from "./errors.js";

/**
 * An upload streamed to a temporary file (0600, in the service's own 0700 folder) instead of held
 * in memory: the worker pool reads it by path, and `discard` deletes it once the job is done.
 */
export interface Upload {
  path: string;
  /** The name the client gave (multipart filename, or ?name=), else undefined. */
  name?: string;
  size: number;
  sha256: string;
  /** The first bytes (up to 1 KiB), to tell a PDF from an XML package without reading the file. */
  head: Buffer;
  read(): Promise<Buffer>;
  discard(): Promise<void>;
}

let folder: string | undefined;
let counter = 0;

/** The service's upload folder: created 0700 on first use, removed when the process exits. */
export function uploadDir(): string {
  if (!folder) {
    const dir = mkdtempSync(join(tmpdir(), "kyso-uploads-"));
    folder = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return folder;
}

function tooLarge(limit: number): Error {
  return httpError(413, "BODY_TOO_LARGE", `The document is larger than ${limit} bytes`);
}

/** Writes a stream to a new 0600 file, hashing it, failing with 413 past `limit` bytes. */
function spool(source: NodeJS.ReadableStream, limit: number, name: string | undefined, overLimit?: () => void): Promise<Upload> {
  const path = join(uploadDir(), `${process.pid}-${++counter}.upload`);
  const out = createWriteStream(path, { mode: 0o600, flags: "wx" });
  const hash = createHash("sha256");
  const heads: Buffer[] = [];
  let headLen = 0;
  let size = 0;
  const discard = (): Promise<void> => rm(path, { force: true });
  return new Promise<Upload>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      source.removeListener("data", onData);
      out.destroy();
      void discard();
      reject(e);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        overLimit?.();
        fail(tooLarge(limit));
        return;
      }
      hash.update(c);
      if (headLen < 1024) {
        heads.push(c.subarray(0, 1024 - headLen));
        headLen += Math.min(c.length, 1024 - headLen);
      }
      if (!out.write(c)) {
        source.pause();
        out.once("drain", () => source.resume());
      }
    };
    source.on("data", onData);
    source.once("error", fail);
    out.once("error", fail);
    source.once("end", () => {
      if (failed) return;
      out.end(() => {
        if (failed) return;
        resolve({ path, name, size, sha256: hash.digest("hex"), head: Buffer.concat(heads), read: () => readFile(path), discard });
      });
    });
  });
}

/** The raw request body as a temporary file; 413 (before reading) when Content-Length is over `limit`. */
export function receiveBody(req: Request, limit: number, name?: string): Promise<Upload> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return spool(req, limit, name, () => req.pause());
}

/** The `file` parts of a multipart/form-data body, each as a temporary file, bounded in size and count. */
export function receiveFiles(req: Request, limit: number, maxFiles: number): Promise<Upload[]> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit + 64 * 1024) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: limit, files: maxFiles, fields: 20, parts: maxFiles + 20 } });
    } catch (e) {
      return reject(httpError(400, "BAD_MULTIPART", (e as Error).message));
    }
    const files: Promise<Upload>[] = [];
    let total = 0;
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      void Promise.allSettled(files).then((all) => all.forEach((r) => r.status === "fulfilled" && void r.value.discard()));
      reject(e);
    };
    bb.on("file", (field, stream, info) => {
      if (field !== "file" || failed) {
        stream.resume();
        return;
      }
      // The total over all files is bounded too: each part's spool gets what is left.
      const p = spool(stream, limit - total, info.filename || "document.pdf");
      stream.on("data", (c: Buffer) => (total += c.length));
      stream.on("limit", () => fail(tooLarge(limit)));
      p.catch(fail);
      files.push(p);
    });
    bb.on("filesLimit", () => fail(httpError(413, "TOO_MANY_FILES", `At most ${maxFiles} files per request`)));
    bb.on("error", (e) => fail(httpError(400, "BAD_MULTIPART", (e as Error).message)));
    bb.on("close", () => {
      if (failed) return;
      Promise.all(files).then(resolve, fail);
    });
    req.pipe(bb);
  });
}

/** Deletes the temporary files of a request once its jobs are done (whatever their outcome). */
export async function discardAll(uploads: readonly Upload[]): Promise<void> {
  await Promise.all(uploads.map((u) => u.discard()));
}
