import { sql, type RawBuilder } from "@kyso/db";

/** `WITH RECURSIVE subtree(id)`: a unit and every unit below it, for `unit_id IN (SELECT id FROM subtree)`. */
export function subtree(code: string): RawBuilder<unknown> {
  return sql`WITH RECURSIVE subtree(id) AS (SELECT id FROM units WHERE code = ${code} UNION ALL SELECT u.id FROM units u JOIN subtree s ON u.parent_id = s.id)`;
}
