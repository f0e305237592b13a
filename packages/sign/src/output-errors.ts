import { KysoError } from "@kyso/core";

/**
 * Error codes of a failed write of a signed output, by errno. A full disk or a read-only file system
 * is not an "unreadable input": the officer has to free space or pick another folder, not look at
 * the document.
 */
const OUTPUT_CODES: Record<string, { code: string; what: string }> = {
  ENOSPC: { code: "OUTPUT_NO_SPACE", what: "no space left on the device" },
  EDQUOT: { code: "OUTPUT_NO_SPACE", what: "disk quota exceeded" },
  EROFS: { code: "OUTPUT_READ_ONLY", what: "the file system is read-only" },
  EACCES: { code: "OUTPUT_PERMISSION", what: "permission denied" },
  EPERM: { code: "OUTPUT_PERMISSION", what: "operation not permitted" },
};

/** Output errors after which no other output of the run can be written either: the run stops. */
export const STOP_RUN_OUTPUT_CODES = new Set(["OUTPUT_NO_SPACE", "OUTPUT_READ_ONLY"]);

/**
 * The KysoError for a failed write of `output` (a file, or the folder it goes into). An error that
 * is already a KysoError (OUTPUT_EXISTS) is returned as it is; an errno the table does not know
 * becomes OUTPUT_WRITE_FAILED with the errno in the message.
 */
export function outputWriteError(e: unknown, output: string): KysoError {
  if (e instanceof KysoError) return e;
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const known = errno ? OUTPUT_CODES[errno] : undefined;
  // The cause (the system's own message, with the errno and the path) is appended by describeError.
  if (known) return new KysoError(known.code, `Cannot write ${output}: ${known.what}`, { cause: e });
  return new KysoError("OUTPUT_WRITE_FAILED", `Cannot write ${output}: ${errno ?? (e as Error)?.message ?? String(e)}`, { cause: e });
}
