import { promises as fs } from "node:fs";

/** What is wrong with an input before anything is signed; `undefined` when it looks signable. */
export interface InputProblem {
  input: string;
  /** FILE_NOT_FOUND, FILE_UNREADABLE (a folder, no permission, an I/O error) or NOT_A_PDF. */
  code: "FILE_NOT_FOUND" | "FILE_UNREADABLE" | "NOT_A_PDF";
  /** The errno, when the system gave one. */
  errno?: string;
}

/**
 * ISO 32000-1 §7.5.2: a PDF file begins with the header `%PDF-1.n` (ISO 32000-2: `%PDF-2.0`).
 * Readers (and the ISO 32000 implementation notes of Acrobat) accept it anywhere in the first
 * 1024 bytes, so that is where we look.
 */
const HEADER_WINDOW = 1024;
const PDF_HEADER = Buffer.from("%PDF-", "latin1");

/** Checks one input: it exists, is a regular file, can be read, and starts like a PDF. */
export async function checkInput(input: string): Promise<InputProblem | undefined> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(input, "r");
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    return { input, code: errno === "ENOENT" || errno === "ENOTDIR" ? "FILE_NOT_FOUND" : "FILE_UNREADABLE", errno };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { input, code: "FILE_UNREADABLE", errno: st.isDirectory() ? "EISDIR" : undefined };
    const buf = Buffer.alloc(Math.min(HEADER_WINDOW, st.size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (buf.subarray(0, bytesRead).indexOf(PDF_HEADER) < 0) return { input, code: "NOT_A_PDF" };
    return undefined;
  } catch (e) {
    return { input, code: "FILE_UNREADABLE", errno: (e as NodeJS.ErrnoException).code };
  } finally {
    await fh.close();
  }
}

/** Checks every input, a few at a time (thousands of files: bounded open file handles). */
export async function checkInputs(inputs: readonly string[], parallel = 16): Promise<Map<string, InputProblem>> {
  const problems = new Map<string, InputProblem>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, inputs.length) }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        const p = await checkInput(input);
        if (p) problems.set(input, p);
      }
    }),
  );
  return problems;
}
