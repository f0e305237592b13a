import { promises as fs } from "node:fs";
import { KysoError } from "@kyso/core";
import { outputWriteError } from "./output-errors.js";

/** One finished document in the journal of a batch run. */
export interface JournalEntry {
  input: string;
  output: string;
  status: "signed";
  /** SHA-256 of the output, hex. */
  sha256: string;
  inputSha256: string;
  at: string;
}

interface JournalHeader {
  kyso: "sign-journal";
  version: 1;
  /** SHA-256 of the signer certificate: a journal only resumes a run with the same key. */
  signer: string;
  started: string;
}

/**
 * An append-only JSON Lines journal of a batch run: a header, then one line per signed document,
 * written after the output was renamed into place. After a crash the last line may be cut short;
 * it is ignored. The outputs themselves stay the ground truth (an output renamed just before the
 * crash is found by the batch engine as "already signed by this certificate").
 */
export class BatchJournal {
  private constructor(
    private fh: fs.FileHandle | undefined,
    readonly path: string,
    /** Entries of the earlier run (resume only), by input path. */
    readonly done: ReadonlyMap<string, JournalEntry>,
  ) {}

  /** Opens a new journal (replacing an old one) or, with `resume`, continues the one there. */
  static async open(path: string, signerSha256: string, resume: boolean): Promise<BatchJournal> {
    const done = new Map<string, JournalEntry>();
    if (resume) {
      let text: string | undefined;
      try {
        text = await fs.readFile(path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new KysoError("JOURNAL_UNREADABLE", `Cannot read the journal ${path}`, { cause: e });
      }
      if (text !== undefined) {
        const lines = text.split("\n");
        let header: JournalHeader | undefined;
        for (const line of lines) {
          if (!line.trim()) continue;
          let v: unknown;
          try {
            v = JSON.parse(line);
          } catch {
            continue; // the line being written when the run died
          }
          if (!header) {
            header = v as JournalHeader;
            if (header.kyso !== "sign-journal") throw new KysoError("JOURNAL_INVALID", `${path} is not a Kyso signing journal`);
            if (header.signer !== signerSha256)
              throw new KysoError("JOURNAL_OTHER_SIGNER", `The journal ${path} belongs to a run with another certificate; resume with the same key or start a new run without --resume`);
            continue;
          }
          const e = v as JournalEntry;
          if (e.status === "signed" && typeof e.input === "string") done.set(e.input, e);
        }
        const fh = await fs.open(path, "a").catch((e: unknown) => Promise.reject(outputWriteError(e, path)));
        // A cut-short last line must not glue onto the next entry.
        if (text.length > 0 && !text.endsWith("\n")) await fh.write("\n");
        return new BatchJournal(fh, path, done);
      }
    }
    const header: JournalHeader = { kyso: "sign-journal", version: 1, signer: signerSha256, started: new Date().toISOString() };
    let fh: fs.FileHandle;
    try {
      await fs.writeFile(path, `${JSON.stringify(header)}\n`);
      // O_APPEND: concurrent appends from the thread pool never overwrite each other.
      fh = await fs.open(path, "a");
    } catch (e) {
      // The journal usually lies in the output folder: a full or read-only disk shows up here first.
      throw outputWriteError(e, path);
    }
    return new BatchJournal(fh, path, done);
  }

  /**
   * Records a warning about the whole run (e.g. signed although the certificate's revocation status
   * was unknown): a line `{"warning": {...}, "at": ...}`, ignored when resuming.
   */
  async warn(warning: { code: string; message: string }): Promise<void> {
    if (!this.fh) return;
    await this.fh.write(`${JSON.stringify({ warning, at: new Date().toISOString() })}\n`);
  }

  /** Appends one line; a single write() call, so a line is either there whole or cut at the end. */
  async record(entry: JournalEntry): Promise<void> {
    if (!this.fh) return;
    await this.fh.write(`${JSON.stringify(entry)}\n`).catch((e: unknown) => Promise.reject(outputWriteError(e, this.path)));
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    if (fh) {
      await fh.sync().catch(() => undefined);
      await fh.close();
    }
  }
}
