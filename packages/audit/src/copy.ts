import type { MessageFacts } from "@kyso/core";
import { sql, type Db } from "@kyso/db";

/** The first row that differs from the copy: `message` in English, `params`/`form` its facts (the CLI's `error.AUDIT_COPY.<form>`). */
export interface CopyMismatch extends MessageFacts {
  id: number;
  problem: "missing" | "rewritten";
  message: string;
}

/**
 * Compares the database with a copy of entries kept elsewhere (the service's JSON-lines output,
 * or a head noted from `kyso audit verify`): every copied (id, hash) must still be in the table
 * with the same hash. This is what a chain cannot show alone: its last rows removed, or every row
 * from some point rewritten with fresh hashes. Gives the first mismatch by id, or undefined.
 */
export async function compareWithCopy(db: Db, copies: Iterable<{ id: number; hash: string }>, copyName = "the copy"): Promise<CopyMismatch | undefined> {
  const wanted = [...copies].sort((a, b) => a.id - b.id);
  for (let i = 0; i < wanted.length; i += 500) {
    const part = wanted.slice(i, i + 500);
    const rows = await db.all<{ id: number | string; hash: string }>(sql`SELECT id, hash FROM audit WHERE id IN (${sql.join(part.map((c) => c.id))})`);
    const found = new Map(rows.map((r) => [Number(r.id), r.hash]));
    for (const c of part) {
      const h = found.get(c.id);
      if (h === undefined)
        return { id: c.id, problem: "missing", message: `row ${c.id} is in ${copyName} but not in the database (deleted)`, form: "missing", params: { id: c.id, copy: copyName } };
      if (h !== c.hash)
        return {
          id: c.id,
          problem: "rewritten",
          message: `row ${c.id} differs from ${copyName} (its hash ${h.slice(0, 12)}… was ${c.hash.slice(0, 12)}…): rewritten`,
          form: "rewritten",
          params: { id: c.id, copy: copyName, now: `${h.slice(0, 12)}…`, was: `${c.hash.slice(0, 12)}…` },
        };
    }
  }
  return undefined;
}
