import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Creates an output folder (and its parents). A failure is reported with the real reason: Node's
 * recursive mkdir says ENOENT when the first missing folder cannot be made on a read-only file
 * system, so the first missing folder is then made alone to learn the system's own error. Errors
 * are OUTPUT_READ_ONLY, OUTPUT_NO_SPACE, OUTPUT_PERMISSION (see outputWriteError).
 */
export async function makeOutputFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
    return;
  } catch (e) {
    let reason = e;
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      let missing = folder;
      while (dirname(missing) !== missing && !(await stat(dirname(missing)).then(() => true, () => false))) missing = dirname(missing);
      reason = await mkdir(missing).then(() => e, (again: unknown) => again);
    }
    // @kyso/sign is loaded lazily by `kyso sign` (start-up time): only on this error path here.
    throw (await import("@kyso/sign")).outputWriteError(reason, folder);
  }
}
