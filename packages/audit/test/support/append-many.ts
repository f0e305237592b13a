// A separate process appending to one audit: `node --import tsx append-many.ts SPEC COUNT LABEL`.
// Fires all its appends at once (each in a transaction of its own, through appendAudit) so that
// they race each other and the other process for the head of the chain. Prints the ids it got.
import { openDatabase } from "@kyso/db";
import { AUDIT_MIGRATIONS, appendAudit } from "../../src/index.js";

const [spec, count, label] = process.argv.slice(2);
const db = await openDatabase(spec, { migrations: [AUDIT_MIGRATIONS], maxConnections: 4 });
try {
  const ids = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) =>
      appendAudit(db, { actor: { kind: "user", name: `clerk-${label}`, role: "clerk" }, action: "inbox.read", target: String(i), source: "127.0.0.1", outcome: "ok", status: 200, details: { process: label, i } }).then((e) => e.id),
    ),
  );
  process.stdout.write(JSON.stringify(ids));
} finally {
  await db.close();
}
