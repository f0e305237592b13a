import type { MessageFacts } from "@kyso/core";
import { sql, type Db } from "@kyso/db";
import { GENESIS_HASH, rowHash } from "./canonical.js";
import type { AuditRow } from "./types.js";

export type AuditBreak =
  /** The row's content no longer gives its hash: a column was changed. */
  | "edited"
  /** Ids are missing before this row: rows were deleted. */
  | "deleted"
  /** The row's hash is right but it does not follow the row before it: rows were moved, replaced or the chain rewritten from here. */
  | "reordered";

export interface AuditChainReport {
  intact: boolean;
  /** Rows checked and found in order (all of them when intact). */
  count: number;
  /** The last good row: its id and hash (note them elsewhere to detect a later truncation or rewrite). */
  head: { id: number; hash: string } | null;
  /**
   * The first broken row when not intact: `message` in English, `params` and `form` its facts for
   * a text in another language (the CLI's `error.AUDIT_BREAK.<form>`).
   */
  broken?: { id: number; problem: AuditBreak; message: string } & MessageFacts;
}

const PAGE = 1000;

/**
 * Recomputes the chain from the first row: each row's hash from its columns (./canonical.ts
 * `rowHash`), each prev_hash against the row before, each id against the one before + 1 (ids are
 * given without gaps, so a gap is a deletion). Stops at the first broken row and names it. Reads
 * by pages of ids, so a long trail is never held in memory.
 */
export async function verifyAuditChain(db: Db, options: { onProgress?: (checked: number) => void } = {}): Promise<AuditChainReport> {
  let prev: { id: number; hash: string } | null = null;
  let count = 0;
  for (;;) {
    const after: number = prev?.id ?? 0;
    const rows: AuditRow[] = await db.all<AuditRow>(sql`SELECT * FROM audit WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`);
    for (const r of rows) {
      const id: number = Number(r.id);
      const fail = (problem: AuditBreak, message: string, form: string, params: MessageFacts["params"]): AuditChainReport => ({
        intact: false,
        count,
        head: prev,
        broken: { id, problem, message, params: { id, ...params }, form },
      });
      const expectedId: number = (prev?.id ?? 0) + 1;
      if (id !== expectedId) {
        const missing = expectedId === id - 1 ? `row ${expectedId} is` : `rows ${expectedId}..${id - 1} are`;
        return fail("deleted", `${missing} missing before row ${id} (deleted)`, expectedId === id - 1 ? "deletedOne" : "deletedMany", { from: expectedId, to: id - 1 });
      }
      if (rowHash(r) !== r.hash) return fail("edited", `row ${id} was changed after it was written (its content no longer gives its hash)`, "edited", {});
      const expectedPrev: string = prev?.hash ?? GENESIS_HASH;
      if (r.prev_hash !== expectedPrev)
        return prev
          ? fail("reordered", `row ${id} does not follow row ${prev.id} (its prev_hash is not row ${prev.id}'s hash): rows moved, replaced or rewritten`, "reordered", { previous: prev.id })
          : fail("reordered", `row ${id} is the first row but does not start the chain`, "first", {});
      prev = { id, hash: r.hash };
      count++;
    }
    options.onProgress?.(count);
    if (rows.length < PAGE) return { intact: true, count, head: prev };
  }
}
