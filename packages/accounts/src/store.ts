import { KysoError, systemClock, type Clock } from "@kyso/core";
import { openDatabase, sql, type Database } from "@kyso/db";
import { ACCOUNTS_MIGRATIONS } from "./migrations.js";
import { dummyHash, hashPassword, verifyPassword } from "./password.js";
import { DEFAULT_LOCKOUT, Throttle, type LockoutPolicy } from "./throttle.js";
import { newApiKey, newSecret, secretHash } from "./tokens.js";

/**
 * Who may use the service: users (clerk, admin, auditor) who sign in with a password and get a
 * server-side session, and API keys with scopes for machines (the axis gateway). Knows no HTTP:
 * the service maps these answers to statuses and cookies.
 */
export const ROLES = ["clerk", "admin", "auditor"] as const;
export type Role = (typeof ROLES)[number];
export const SCOPES = ["inbox:write", "verify", "registry:read"] as const;
export type Scope = (typeof SCOPES)[number];

/** The authenticated party of a request (`res.locals.principal` in the service). */
export interface Principal {
  kind: "user" | "api-key";
  name: string;
  role?: Role;
  scopes?: Scope[];
}

export interface UserInfo {
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  passwordChangedAt: string;
}

export interface ApiKeyInfo {
  name: string;
  scopes: Scope[];
  /** The key's first characters, to recognise it (the key itself is never stored). */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface Session {
  user: { name: string; role: Role };
  /** The session's CSRF token (sent back by pages in X-CSRF-Token). */
  csrf: string;
  expiresAt: Date;
}

export type SignInResult =
  | { ok: true; session: Session; token: string }
  | { ok: false; reason: "invalid"; lockedForMs: number }
  | { ok: false; reason: "locked"; lockedForMs: number };

export type KeyResult = { ok: true; principal: Principal } | { ok: false; reason: "invalid" | "locked"; lockedForMs: number };

export interface AccountsOptions {
  clock?: Clock;
  /** Session lifetime (default 12 h, a working day). */
  sessionMs?: number;
  lockout?: Partial<LockoutPolicy>;
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u;
const iso = (ms: number | string | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

export function checkName(name: string, what = "user name"): string {
  const n = name.normalize("NFC");
  if (!NAME.test(n) || n.trim() !== n) throw new KysoError("USAGE", `The ${what} must be 1 to 64 letters, digits, spaces or . _ @ - (starting with a letter or digit)`, { details: { params: { what }, form: "accountName" } });
  return n;
}

export function parseScopes(scopes: readonly string[]): Scope[] {
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length || scopes.length === 0) throw new KysoError("USAGE", `Scopes are ${SCOPES.join(", ")} (at least one)${bad.length ? `; not ${bad.join(", ")}` : ""}`, {
      details: { params: { scopes: SCOPES.join(", "), bad: bad.join(", ") }, form: bad.length ? "scopesBad" : "scopes" },
    });
  return [...new Set(scopes as Scope[])].sort();
}

export class Accounts {
  readonly clock: Clock;
  readonly throttle: Throttle;
  private readonly sessionMs: number;

  constructor(
    readonly db: Database,
    options: AccountsOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.sessionMs = options.sessionMs ?? 12 * 3600_000;
    this.throttle = new Throttle(db, this.clock, { ...DEFAULT_LOCKOUT, ...options.lockout });
  }

  /** Opens the accounts in a database (`sqlite:PATH`, a path, or `postgres://...`), migrating it. */
  static async open(spec: string, options: AccountsOptions & { cwd?: string } = {}): Promise<Accounts> {
    const clock = options.clock;
    const db = await openDatabase(spec, { cwd: options.cwd, migrations: [ACCOUNTS_MIGRATIONS], now: clock && (() => clock.now()) });
    return new Accounts(db, options);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  // ---- users ----

  async addUser(name: string, role: Role, password: string): Promise<UserInfo> {
    const n = checkName(name);
    if (!ROLES.includes(role)) throw new KysoError("USAGE", `The role is one of ${ROLES.join(", ")}`, { details: { params: { roles: ROLES.join(", ") }, form: "role" } });
    const hash = await hashPassword(password);
    const now = this.now();
    const row = await this.db.get<{ id: number }>(
      sql`INSERT INTO accounts_users (name, role, password_hash, disabled, created_at, password_changed_at) VALUES (${n}, ${role}, ${hash}, 0, ${now}, ${now}) ON CONFLICT (name) DO NOTHING RETURNING id`,
    );
    if (!row) throw new KysoError("USER_EXISTS", `There is already a user named ${n}`, { details: { params: { name: n } } });
    return (await this.user(n))!;
  }

  async user(name: string): Promise<UserInfo | undefined> {
    const r = await this.db.get<{ name: string; role: Role; disabled: number | string; created_at: number; password_changed_at: number }>(
      sql`SELECT name, role, disabled, created_at, password_changed_at FROM accounts_users WHERE name = ${name.normalize("NFC")}`,
    );
    return r && { name: r.name, role: r.role, disabled: Number(r.disabled) === 1, createdAt: iso(r.created_at)!, passwordChangedAt: iso(r.password_changed_at)! };
  }

  async listUsers(): Promise<UserInfo[]> {
    const rows = (await this.db.all<{ name: string }>(sql`SELECT name FROM accounts_users`)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return Promise.all(rows.map(async (r) => (await this.user(r.name))!));
  }

  /** Disables (or enables again) a user; a disabled user's sessions end at once. */
  async setDisabled(name: string, disabled: boolean): Promise<void> {
    const n = name.normalize("NFC");
    await this.db.transaction(async (tx) => {
      const changed = await tx.run(sql`UPDATE accounts_users SET disabled = ${disabled ? 1 : 0} WHERE name = ${n}`);
      if (changed === 0) throw new KysoError("USER_NOT_FOUND", `No user named ${n}`, { details: { params: { name: n } } });
      if (disabled) await tx.run(sql`DELETE FROM accounts_sessions WHERE user_id IN (SELECT id FROM accounts_users WHERE name = ${n})`);
    });
  }

  /** Sets a new password; the user's sessions end (a changed password signs everyone out). */
  async setPassword(name: string, password: string): Promise<void> {
    const n = name.normalize("NFC");
    const hash = await hashPassword(password);
    await this.db.transaction(async (tx) => {
      const changed = await tx.run(sql`UPDATE accounts_users SET password_hash = ${hash}, password_changed_at = ${this.now()} WHERE name = ${n}`);
      if (changed === 0) throw new KysoError("USER_NOT_FOUND", `No user named ${n}`, { details: { params: { name: n } } });
      await tx.run(sql`DELETE FROM accounts_sessions WHERE user_id IN (SELECT id FROM accounts_users WHERE name = ${n})`);
    });
    await this.throttle.clear(`user:${n}`);
  }

  // ---- sessions ----

  /**
   * Checks a password and opens a session. A locked name is refused before its password is
   * checked; an unknown or disabled name costs the same scrypt work as a known one and counts as a
   * failure of that name (no difference an attacker could measure).
   */
  async signIn(name: string, password: string): Promise<SignInResult> {
    const n = name.normalize("NFC");
    const key = `user:${n}`;
    const locked = await this.throttle.lockedFor(key);
    if (locked > 0) return { ok: false, reason: "locked", lockedForMs: locked };
    const row = await this.db.get<{ id: number | string; role: Role; password_hash: string; disabled: number | string }>(
      sql`SELECT id, role, password_hash, disabled FROM accounts_users WHERE name = ${n}`,
    );
    const good = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    if (!row || !good || Number(row.disabled) === 1) {
      const f = await this.throttle.fail(key);
      return { ok: false, reason: "invalid", lockedForMs: f.lockedForMs };
    }
    await this.throttle.clear(key);
    const token = newSecret();
    const csrf = newSecret();
    const now = this.now();
    const expiresAt = now + this.sessionMs;
    await this.db.run(sql`INSERT INTO accounts_sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (${secretHash(token)}, ${Number(row.id)}, ${csrf}, ${now}, ${expiresAt})`);
    // The user's expired sessions go at each sign-in (the table does not grow with time).
    await this.db.run(sql`DELETE FROM accounts_sessions WHERE user_id = ${Number(row.id)} AND expires_at <= ${now}`);
    return { ok: true, token, session: { user: { name: n, role: row.role }, csrf, expiresAt: new Date(expiresAt) } };
  }

  /** The live session of a token (not expired, user not disabled), if any. */
  async session(token: string): Promise<Session | undefined> {
    if (token.length > 200) return undefined;
    const r = await this.db.get<{ name: string; role: Role; csrf: string; expires_at: number | string }>(
      sql`SELECT u.name, u.role, s.csrf, s.expires_at FROM accounts_sessions s JOIN accounts_users u ON u.id = s.user_id
          WHERE s.token_hash = ${secretHash(token)} AND u.disabled = 0 AND s.expires_at > ${this.now()}`,
    );
    return r && { user: { name: r.name, role: r.role }, csrf: r.csrf, expiresAt: new Date(Number(r.expires_at)) };
  }

  async endSession(token: string): Promise<void> {
    await this.db.run(sql`DELETE FROM accounts_sessions WHERE token_hash = ${secretHash(token)}`);
  }

  /** Deletes expired sessions; answers how many. */
  async pruneSessions(): Promise<number> {
    return this.db.run(sql`DELETE FROM accounts_sessions WHERE expires_at <= ${this.now()}`);
  }

  // ---- API keys ----

  /** Creates a key; the key itself is answered once and only its SHA-256 is stored. */
  async createApiKey(name: string, scopes: readonly string[]): Promise<ApiKeyInfo & { key: string }> {
    const n = checkName(name, "key name");
    const s = parseScopes(scopes);
    const key = newApiKey();
    const prefix = key.slice(0, 12);
    const row = await this.db.get<{ id: number }>(
      sql`INSERT INTO accounts_api_keys (name, scopes, key_hash, prefix, created_at) VALUES (${n}, ${s.join(" ")}, ${secretHash(key)}, ${prefix}, ${this.now()}) ON CONFLICT (name) DO NOTHING RETURNING id`,
    );
    if (!row) throw new KysoError("API_KEY_EXISTS", `There is already an API key named ${n}`, { details: { params: { name: n } } });
    return { ...(await this.apiKeyInfo(n))!, key };
  }

  private async apiKeyInfo(name: string): Promise<ApiKeyInfo | undefined> {
    const r = await this.db.get<{ name: string; scopes: string; prefix: string; created_at: number; revoked_at: number | null; last_used_at: number | null }>(
      sql`SELECT name, scopes, prefix, created_at, revoked_at, last_used_at FROM accounts_api_keys WHERE name = ${name}`,
    );
    return r && { name: r.name, scopes: r.scopes.split(" ") as Scope[], prefix: r.prefix, createdAt: iso(r.created_at)!, revokedAt: iso(r.revoked_at), lastUsedAt: iso(r.last_used_at) };
  }

  async listApiKeys(): Promise<ApiKeyInfo[]> {
    const rows = (await this.db.all<{ name: string }>(sql`SELECT name FROM accounts_api_keys`)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return Promise.all(rows.map(async (r) => (await this.apiKeyInfo(r.name))!));
  }

  async revokeApiKey(name: string): Promise<void> {
    const n = name.normalize("NFC");
    const changed = await this.db.run(sql`UPDATE accounts_api_keys SET revoked_at = ${this.now()} WHERE name = ${n} AND revoked_at IS NULL`);
    if (changed === 0) {
      const known = await this.apiKeyInfo(n);
      throw new KysoError(known ? "API_KEY_REVOKED" : "API_KEY_NOT_FOUND", known ? `The API key ${n} is already revoked` : `No API key named ${n}`, { details: { params: { name: n } } });
    }
  }

  /**
   * The principal of a presented key. Failures count against the client's address (`client`):
   * past the lockout policy that address gets `locked` for any key, good or bad.
   */
  async authenticateKey(key: string, client: string): Promise<KeyResult> {
    const throttleKey = `addr:${client}`;
    const locked = await this.throttle.lockedFor(throttleKey);
    if (locked > 0) return { ok: false, reason: "locked", lockedForMs: locked };
    const r =
      key.length <= 200
        ? await this.db.get<{ name: string; scopes: string; last_used_at: number | string | null }>(
            sql`SELECT name, scopes, last_used_at FROM accounts_api_keys WHERE key_hash = ${secretHash(key)} AND revoked_at IS NULL`,
          )
        : undefined;
    if (!r) {
      const f = await this.throttle.fail(throttleKey);
      return { ok: false, reason: "invalid", lockedForMs: f.lockedForMs };
    }
    const now = this.now();
    // Last use to the minute: one write a minute per key, not one per request.
    if (r.last_used_at === null || now - Number(r.last_used_at) > 60_000) await this.db.run(sql`UPDATE accounts_api_keys SET last_used_at = ${now} WHERE name = ${r.name}`);
    return { ok: true, principal: { kind: "api-key", name: r.name, scopes: r.scopes.split(" ") as Scope[] } };
  }
}
