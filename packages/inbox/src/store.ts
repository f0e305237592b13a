import { KysoError, systemClock, type Clock } from "@kyso/core";
import { openDatabase, sql, type Database, type Db, type Kysely } from "@kyso/db";
import { INBOX_MIGRATIONS, type InboxTables } from "./migrations.js";

/**
 * The inbox of documents received from the interconnection axis (edXML packages, or bare PDFs
 * with their metadata): each distinct package once (by SHA-256), its attachments as received, its
 * verification report, and the clerks' events (received, registered with an arrival number,
 * returned with a reason). Nothing is deleted. Knows no HTTP and verifies nothing: the caller
 * hands in the verdicts.
 */
export type InboxStatus = "received" | "registered" | "returned";
export type InboxEventKind = InboxStatus;

export interface InboxAttachmentInput {
  name: string;
  contentType: string;
  sha256: string;
  bytes: Uint8Array;
  /** The PDF's verdict; null for attachments that are not verified (not PDFs). */
  indication: string | null;
}

export interface InboxReceipt {
  kind: "edxml" | "pdf";
  sha256: string;
  /** The package (or PDF) exactly as received. */
  body: Uint8Array;
  senderId?: string | null;
  senderName?: string | null;
  documentId?: string | null;
  codeNumber?: string | null;
  codeNotation?: string | null;
  subject?: string | null;
  promulgationDate?: string | null;
  indication: string;
  subIndication?: string | null;
  attachments: InboxAttachmentInput[];
  /** The verification report (stored as JSON). */
  report: unknown;
  /** SHA-256 of the content the package's XML signature covers, when it verified: the de-duplication key beside the bytes'. */
  signedDigest?: string | null;
}

export interface InboxSummary {
  id: number;
  kind: "edxml" | "pdf";
  sha256: string;
  size: number;
  receivedAt: string;
  senderId: string | null;
  senderName: string | null;
  documentId: string | null;
  codeNumber: string | null;
  codeNotation: string | null;
  subject: string | null;
  promulgationDate: string | null;
  attachmentCount: number;
  indication: string;
  subIndication: string | null;
  status: InboxStatus;
  arrivalNumber: string | null;
}

export interface InboxAttachmentInfo {
  n: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  indication: string | null;
}

export interface InboxEvent {
  at: string;
  actor: string;
  kind: InboxEventKind;
  details: Record<string, unknown>;
}

export interface InboxRecord extends InboxSummary {
  attachments: InboxAttachmentInfo[];
  events: InboxEvent[];
  report: unknown;
}

export interface InboxListOptions {
  indication?: string;
  /** Sender organization id, or part of its name. */
  sender?: string;
  status?: InboxStatus;
  limit?: number;
  /** Only records with an id below this one (the next page, newest first). */
  before?: number;
}

const SUMMARY_COLUMNS = [
  "id", "kind", "sha256", "size", "received_at", "sender_id", "sender_name", "document_id", "code_number", "code_notation",
  "subject", "promulgation_date", "attachment_count", "indication", "sub_indication", "status", "arrival_number",
] as const;

interface SummaryRow {
  id: number | string;
  kind: "edxml" | "pdf";
  sha256: string;
  size: number | string;
  received_at: number | string;
  sender_id: string | null;
  sender_name: string | null;
  document_id: string | null;
  code_number: string | null;
  code_notation: string | null;
  subject: string | null;
  promulgation_date: string | null;
  attachment_count: number | string;
  indication: string;
  sub_indication: string | null;
  status: InboxStatus;
  arrival_number: string | null;
}

function summary(r: SummaryRow): InboxSummary {
  return {
    id: Number(r.id),
    kind: r.kind,
    sha256: r.sha256,
    size: Number(r.size),
    receivedAt: new Date(Number(r.received_at)).toISOString(),
    senderId: r.sender_id,
    senderName: r.sender_name,
    documentId: r.document_id,
    codeNumber: r.code_number,
    codeNotation: r.code_notation,
    subject: r.subject,
    promulgationDate: r.promulgation_date,
    attachmentCount: Number(r.attachment_count),
    indication: r.indication,
    subIndication: r.sub_indication,
    status: r.status,
    arrivalNumber: r.arrival_number,
  };
}

function notFound(id: number): KysoError {
  return new KysoError("INBOX_NOT_FOUND", `No document ${id} in the inbox`, { details: { status: 404 } });
}

export class Inbox {
  readonly clock: Clock;
  readonly actor: string;

  constructor(
    readonly db: Database,
    options: { clock?: Clock; actor?: string } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.actor = options.actor ?? "kyso";
  }

  /** Opens the inbox in a database (`sqlite:PATH`, a path, or `postgres://...`), migrating it. */
  static async open(spec: string, options: { clock?: Clock; actor?: string; cwd?: string } = {}): Promise<Inbox> {
    const clock = options.clock;
    const db = await openDatabase(spec, { cwd: options.cwd, migrations: [INBOX_MIGRATIONS], now: clock && (() => clock.now()) });
    return new Inbox(db, options);
  }

  /** The typed query builder over the inbox's tables. */
  private get q(): Kysely<InboxTables> {
    return this.db.kysely as Kysely<InboxTables>;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** The id of the record holding this package, if one does. */
  async findBySha256(sha256: string): Promise<number | undefined> {
    const row = await this.db.get<{ id: number | string }>(sql`SELECT id FROM inbox_packages WHERE sha256 = ${sha256}`);
    return row ? Number(row.id) : undefined;
  }

  /**
   * Stores a received package once. When another request (here or in another instance sharing
   * the database) stored the same bytes or the same signed content first, the UNIQUE constraints on
   * sha256 and signed_digest make this insert do nothing and the existing record's id is answered:
   * `created` is false.
   */
  async receive(r: InboxReceipt, actor = this.actor): Promise<{ id: number; created: boolean; indication: string }> {
    const now = this.clock.now().getTime();
    const inserted = await this.db.transaction(async (tx: Db) => {
      const row = await tx.get<{ id: number | string }>(
        sql`INSERT INTO inbox_packages (sha256, kind, received_at, sender_id, sender_name, document_id, code_number, code_notation, subject, promulgation_date, attachment_count, indication, sub_indication, status, arrival_number, size, body, signed_digest)
         VALUES (${r.sha256}, ${r.kind}, ${now}, ${r.senderId ?? null}, ${r.senderName ?? null}, ${r.documentId ?? null}, ${r.codeNumber ?? null}, ${r.codeNotation ?? null}, ${r.subject ?? null}, ${r.promulgationDate ?? null}, ${r.attachments.length}, ${r.indication}, ${r.subIndication ?? null}, 'received', NULL, ${r.body.length}, ${r.body}, ${r.signedDigest ?? null})
         ON CONFLICT DO NOTHING RETURNING id`,
      );
      if (!row) return undefined;
      const id = Number(row.id);
      for (const [n, a] of r.attachments.entries())
        await tx.run(sql`INSERT INTO inbox_attachments (package_id, n, name, content_type, size, sha256, indication, bytes) VALUES (${id}, ${n}, ${a.name}, ${a.contentType}, ${a.bytes.length}, ${a.sha256}, ${a.indication}, ${a.bytes})`);
      await tx.run(sql`INSERT INTO inbox_reports (package_id, report) VALUES (${id}, ${JSON.stringify(r.report)})`);
      await tx.run(sql`INSERT INTO inbox_events (package_id, at, actor, kind, details) VALUES (${id}, ${now}, ${actor}, 'received', ${JSON.stringify({ indication: r.indication })})`);
      return id;
    });
    if (inserted !== undefined) return { id: inserted, created: true, indication: r.indication };
    // The same bytes, or (a re-encoded copy) the same signed content, stored first here or by another instance.
    const existing = await this.db.get<{ id: number | string; indication: string }>(
      sql`SELECT id, indication FROM inbox_packages WHERE sha256 = ${r.sha256} OR signed_digest = ${r.signedDigest ?? null} ORDER BY id LIMIT 1`,
    );
    if (!existing) throw new KysoError("INBOX_CONFLICT", "The package was stored by another request but cannot be read back");
    return { id: Number(existing.id), created: false, indication: existing.indication };
  }

  /** Records, newest first, filtered by verdict, sender (id or part of the name) and status. */
  async list(options: InboxListOptions = {}): Promise<InboxSummary[]> {
    let query = this.q.selectFrom("inbox_packages").select(SUMMARY_COLUMNS);
    if (options.indication) query = query.where("indication", "=", options.indication);
    if (options.sender) {
      // SQLite's LOWER folds ASCII only, so the name is matched as typed and folded.
      const text = options.sender.replace(/[%_\\]/g, "");
      const sender = options.sender;
      query = query.where((eb) =>
        eb.or([eb("sender_id", "=", sender), eb("sender_name", "like", `%${text}%`), eb(eb.fn("lower", ["sender_name"]), "like", `%${text.toLowerCase()}%`)]),
      );
    }
    if (options.status) query = query.where("status", "=", options.status);
    if (options.before !== undefined) query = query.where("id", "<", options.before);
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    const rows = await this.db.all<SummaryRow>(query.orderBy("received_at", "desc").orderBy("id", "desc").limit(limit));
    return rows.map(summary);
  }

  async get(id: number): Promise<InboxRecord | undefined> {
    const row = await this.db.get<SummaryRow>(this.q.selectFrom("inbox_packages").select(SUMMARY_COLUMNS).where("id", "=", id));
    if (!row) return undefined;
    const atts = await this.db.all<{ n: number | string; name: string; content_type: string; size: number | string; sha256: string; indication: string | null }>(
      sql`SELECT n, name, content_type, size, sha256, indication FROM inbox_attachments WHERE package_id = ${id} ORDER BY n`,
    );
    const events = await this.db.all<{ at: number | string; actor: string; kind: InboxEventKind; details: string }>(sql`SELECT at, actor, kind, details FROM inbox_events WHERE package_id = ${id} ORDER BY id`);
    const rep = await this.db.get<{ report: string }>(sql`SELECT report FROM inbox_reports WHERE package_id = ${id}`);
    return {
      ...summary(row),
      attachments: atts.map((a) => ({ n: Number(a.n), name: a.name, contentType: a.content_type, size: Number(a.size), sha256: a.sha256, indication: a.indication })),
      events: events.map((e) => ({ at: new Date(Number(e.at)).toISOString(), actor: e.actor, kind: e.kind, details: JSON.parse(e.details) as Record<string, unknown> })),
      report: rep ? JSON.parse(rep.report) : null,
    };
  }

  /** The attachment's bytes exactly as received. */
  async attachment(id: number, n: number): Promise<{ name: string; contentType: string; bytes: Uint8Array } | undefined> {
    const row = await this.db.get<{ name: string; content_type: string; bytes: Uint8Array }>(sql`SELECT name, content_type, bytes FROM inbox_attachments WHERE package_id = ${id} AND n = ${n}`);
    return row ? { name: row.name, contentType: row.content_type, bytes: new Uint8Array(row.bytes) } : undefined;
  }

  /** The package exactly as received. */
  async body(id: number): Promise<Uint8Array | undefined> {
    const row = await this.db.get<{ body: Uint8Array }>(sql`SELECT body FROM inbox_packages WHERE id = ${id}`);
    return row ? new Uint8Array(row.body) : undefined;
  }

  /** Marks a received document registered under its arrival number (số đến). */
  async register(id: number, arrivalNumber: string, actor = this.actor): Promise<InboxRecord> {
    const number = arrivalNumber.trim();
    if (!number) throw new KysoError("USAGE", "An arrival number is needed to register a document", { details: { status: 400 } });
    return this.transition(id, "registered", { arrivalNumber: number }, actor);
  }

  /** Marks a received document returned to its sender, with the reason. */
  async returnToSender(id: number, reason: string, actor = this.actor): Promise<InboxRecord> {
    const why = reason.trim();
    if (!why) throw new KysoError("USAGE", "A reason is needed to return a document", { details: { status: 400 } });
    return this.transition(id, "returned", { reason: why }, actor);
  }

  private async transition(id: number, to: "registered" | "returned", details: { arrivalNumber?: string; reason?: string }, actor: string): Promise<InboxRecord> {
    const now = this.clock.now().getTime();
    await this.db.transaction(async (tx) => {
      // Only a document still "received" moves on; the conditional UPDATE settles races between clerks.
      const changed = await tx.run(sql`UPDATE inbox_packages SET status = ${to}, arrival_number = ${details.arrivalNumber ?? null} WHERE id = ${id} AND status = 'received'`);
      if (changed === 0) {
        const row = await tx.get<{ status: string }>(sql`SELECT status FROM inbox_packages WHERE id = ${id}`);
        if (!row) throw notFound(id);
        throw new KysoError("INBOX_STATE", `Document ${id} is already ${row.status}`, { details: { status: 409 } });
      }
      await tx.run(sql`INSERT INTO inbox_events (package_id, at, actor, kind, details) VALUES (${id}, ${now}, ${actor}, ${to}, ${JSON.stringify(details)})`);
    });
    return (await this.get(id))!;
  }
}
