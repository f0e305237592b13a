import { promises as fs, constants } from "node:fs";
import { dirname, basename, join } from "node:path";
import { randomBytes } from "node:crypto";
import { KysoError } from "./errors.js";

/**
 * Writes a file atomically: a temp file beside the target, fsync, then rename. Refuses to replace an
 * existing file unless `overwrite`. A reader never sees a partial file.
 */
export async function writeFileAtomic(
  target: string,
  write: (fh: fs.FileHandle, tmpPath: string) => Promise<void>,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  if (!options.overwrite) {
    const exists = await fs.access(target, constants.F_OK).then(() => true, () => false);
    if (exists) throw new KysoError("OUTPUT_EXISTS", `Output ${target} already exists (use --force to replace it)`);
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(tmp, "wx", 0o644);
    await write(fh, tmp);
    await fh.sync();
    await fh.close();
    fh = undefined;
    if (!options.overwrite) {
      // link() fails if the target appeared meanwhile, so a concurrent writer is never clobbered.
      try {
        await fs.link(tmp, target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST")
          throw new KysoError("OUTPUT_EXISTS", `Output ${target} already exists (use --force to replace it)`);
        throw e;
      }
      await fs.unlink(tmp);
    } else {
      await fs.rename(tmp, target);
    }
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}
