import { KysoError, systemClock, type Clock } from "@kyso/core";
import { openDatabase, sql, type Database, type Db, type Kysely } from "@kyso/db";
import { GENESIS_HASH, rowHash } from "./canonical.js";
import { AUDIT_MIGRATIONS } from "./migrations.js";
import { entryOf, eventColumns, type EventColumns } from "./rows.js";
import type { AuditEntry, AuditEvent, AuditRow } from "./types.js";

/** The PostgreSQL advisory lock key under which appends run ("kyau"; the migration lock is "kyso"). */
export const AUDIT_LOCK = 0x6b796175;

/** Most events written in one transaction (group commit of what queued while the last one ran). */
const MAX_BATCH = 200;

export interface AuditTrailOptions {
  clock?: Clock;
  /** Called with each entry once it is committed (e.g. a JSON-lines copy); its errors are not the append's. */
  onAppend?: (entry: AuditEntry) => void;
}

export interface AuditListOptions {
  /** Entries at or after this time. */
  since?: Date;
  /** Entries before this time. */
  until?: Date;
  action?: string;
  /** Most entries (default 1,000; at most 100,000), oldest first. */
  limit?: number;
  /** Only entries with an id above this one (the next page). */
  afterId?: number;
}

/**
 * Writes one batch of events at the head of the chain, in one transaction. The read of the head
 * and the inserts are serialised between processes: in SQLite by the write lock `BEGIN IMMEDIATE`
 * takes; in PostgreSQL by a transaction-scoped advisory lock taken before the head is read (READ
 * COMMITTED alone would let two replicas read the same head). UNIQUE(prev_hash) is the backstop.
 */
async function writeBatch(tx: Db, events: EventColumns[], clock: Clock): Promise<AuditRow[]> {
  if (tx.dialect === "postgres") await tx.get(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const head = await tx.get<{ id: number | string; hash: string }>(sql`SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`);
  let id = head ? Number(head.id) : 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const time = clock.now().toISOString();
  const rows: AuditRow[] = events.map((c) => {
    const row = { id: ++id, time, ...c, prev_hash: prev };
    const hash = rowHash(row);
    prev = hash;
    return { ...row, hash };
  });
  await (tx.kysely as Kysely<{ audit: AuditRow }>).insertInto("audit").values(rows).execute();
  return rows;
}

/** Appends one event in a transaction of its own (commands; the service uses an AuditTrail). */
export async function appendAudit(db: Database, event: AuditEvent, options: { clock?: Clock } = {}): Promise<AuditEntry> {
  const cols = eventColumns(event);
  const [row] = await db.transaction((tx) => writeBatch(tx, [cols], options.clock ?? systemClock));
  return entryOf(row);
}

/**
 * The hash-chained audit of one database. `append` queues the event and resolves once it is
 * committed; events that queue while a transaction runs go together in the next one, so a busy
 * service pays one lock and one commit for many events. Entries are never changed or deleted.
 */
export class AuditTrail {
  private readonly clock: Clock;
  private readonly queue: { cols: EventColumns; resolve: (e: AuditEntry) => void; reject: (e: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    readonly db: Database,
    private readonly options: AuditTrailOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Opens (and migrates) the audit of a database: `sqlite:PATH`, a path, or `postgres://...`. */
  static async open(spec: string, options: AuditTrailOptions & { cwd?: string } = {}): Promise<AuditTrail> {
    const clock = options.clock;
    const db = await openDatabase(spec, { cwd: options.cwd, migrations: [AUDIT_MIGRATIONS], now: clock && (() => clock.now()) });
    return new AuditTrail(db, options);
  }

  /** Appends an event; resolves with its entry once committed. A malformed event throws AUDIT_EVENT at once. */
  append(event: AuditEvent): Promise<AuditEntry> {
    const cols = eventColumns(event);
    return new Promise((resolve, reject) => {
      this.queue.push({ cols, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      // The empty check and the reset happen in one synchronous step: an append that comes after
      // it finds `writing` unset and starts the next drain; one that comes before is in the queue.
      if (this.queue.length === 0) {
        this.writing = undefined;
        return;
      }
      const batch = this.queue.splice(0, MAX_BATCH);
      let rows: AuditRow[];
      try {
        rows = await this.db.transaction((tx) => writeBatch(tx, batch.map((b) => b.cols), this.clock));
      } catch (cause) {
        const e = new KysoError("AUDIT_APPEND", `Cannot append to the audit in ${this.db.description}`, { cause });
        for (const b of batch) b.reject(e);
        continue;
      }
      rows.forEach((row, i) => {
        const entry = entryOf(row);
        batch[i].resolve(entry);
        try {
          this.options.onAppend?.(entry);
        } catch {
          // a copy that fails (a full disk) does not undo the committed entry
        }
      });
    }
  }

  /** Resolves once every event appended so far is committed (or refused). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Entries oldest first, by time (and id). */
  async list(options: AuditListOptions = {}): Promise<AuditEntry[]> {
    return listAudit(this.db, options);
  }

  /** Flushes, then closes the database (only when this trail opened it: call it on open()'s result). */
  async close(): Promise<void> {
    await this.flush();
    await this.db.close();
  }
}

/** Entries oldest first (by id, the chain's order), filtered by time and action. */
export async function listAudit(db: Db, options: AuditListOptions = {}): Promise<AuditEntry[]> {
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 1000)), 100_000);
  let q = (db.kysely as Kysely<{ audit: AuditRow }>).selectFrom("audit").selectAll();
  if (options.since) q = q.where("time", ">=", options.since.toISOString());
  if (options.until) q = q.where("time", "<", options.until.toISOString());
  if (options.action) q = q.where("action", "=", options.action);
  if (options.afterId !== undefined) q = q.where("id", ">", options.afterId);
  const rows = await db.all<AuditRow>(q.orderBy("id").limit(limit));
  return rows.map(entryOf);
}
