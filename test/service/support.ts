import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Accounts, type Role, type Scope } from "@kyso/accounts";
import type { Browser } from "playwright-core";
import { pki, samples } from "@kyso/certs-test";
import { launchChromium } from "../support/chromium.js";
import { cliBin, flipByte, repoRoot, sign, tempDir } from "../verify/support.js";

/** A signed-in user's credentials for fetch: the session cookie and its CSRF token. */
export interface SignedIn {
  name: string;
  role: string;
  cookie: string;
  csrf: string;
  /** `cookie` and `x-csrf-token`, to spread into a request's headers. */
  headers: Record<string, string>;
}

export interface Served {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
  /** The database `kyso serve` uses (--db, else KYSO_DB, else the isolated default). */
  db: string;
  /** An API key with every scope (inbox:write, verify, registry:read). */
  key: string;
  /** Its name (the actor of what it does). */
  keyName: string;
  /** `Authorization: Bearer <key>`. */
  auth: Record<string, string>;
  /** Signs in through POST /login (a user made by `serve`: clerk, admin or auditor, or any name/password). */
  signIn: (name?: string, password?: string) => Promise<SignedIn>;
}

export interface ServeCredentials {
  users?: { name: string; role: Role; password: string }[];
  keys?: { name: string; scopes: Scope[] }[];
}

/** The users every served instance has: one per role, named after it. */
export const TEST_USERS: { name: string; role: Role; password: string }[] = [
  { name: "clerk", role: "clerk", password: "văn thư 2026!" },
  { name: "admin", role: "admin", password: "quản trị 2026!" },
  { name: "auditor", role: "auditor", password: "kiểm tra 2026!" },
];
export const passwordOf = (name: string): string => TEST_USERS.find((u) => u.name === name)?.password ?? "";

function dbOf(args: string[], env: NodeJS.ProcessEnv, dataHome: string): string {
  const i = args.indexOf("--db");
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith("--db="));
  if (eq) return eq.slice(5);
  return env.KYSO_DB ?? process.env.KYSO_DB ?? `sqlite:${join(dataHome, "kyso", "registry.db")}`;
}

/**
 * Makes users and API keys in a database before `kyso serve` opens it (the same rows `kyso users
 * add` and `kyso api-keys create` write; test/security/auth-cli.test.ts runs those commands).
 * Answers the key of each `keys` entry by name.
 */
export async function provision(db: string, c: ServeCredentials): Promise<Record<string, string>> {
  const accounts = await Accounts.open(db, { cwd: repoRoot });
  try {
    for (const u of c.users ?? [])
      await accounts.addUser(u.name, u.role, u.password).catch((e: { code?: string }) => {
        // Replicas sharing one database are provisioned at once: the users are made once.
        if (e.code !== "USER_EXISTS") throw e;
      });
    const out: Record<string, string> = {};
    for (const k of c.keys ?? []) out[k.name] = (await accounts.createApiKey(k.name, k.scopes)).key;
    return out;
  } finally {
    await accounts.close();
  }
}

/** Signs in through the sign-in page's protocol: GET /login for its CSRF pair, then POST /login. */
export async function signIn(url: string, name: string, password: string): Promise<SignedIn> {
  const page = await fetch(`${url}/login`);
  const loginCookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("kyso_login_csrf="));
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!loginCookie || !token) throw new Error("GET /login gave no CSRF pair");
  const res = await fetch(`${url}/login`, { method: "POST", headers: { "content-type": "application/json", cookie: loginCookie }, body: JSON.stringify({ name, password, csrf: token }) });
  if (res.status !== 200) throw new Error(`sign-in of ${name} answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { name: string; role: string; csrf: string };
  const session = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("kyso_session="));
  if (!session) throw new Error("no session cookie");
  return { name: body.name, role: body.role, cookie: session, csrf: body.csrf, headers: { cookie: session, "x-csrf-token": body.csrf } };
}

/**
 * Starts `kyso serve --port 0 ...` as a real process and waits for its URL. Before it starts, its
 * database gets the TEST_USERS (plus `credentials.users`) and an API key "test" with every scope
 * (plus `credentials.keys`).
 */
export async function serve(args: string[], env: NodeJS.ProcessEnv = {}, credentials: ServeCredentials = {}): Promise<Served & { keys: Record<string, string> }> {
  // Its own revocation cache and local trust store unless the test gives them.
  const isolated = { XDG_CACHE_HOME: tempDir("kyso-serve-cache-"), XDG_DATA_HOME: tempDir("kyso-serve-data-") };
  const allEnv = { ...isolated, ...env };
  const db = dbOf(args, env, allEnv.XDG_DATA_HOME);
  const keys = await provision(db, { users: [...TEST_USERS, ...(credentials.users ?? [])], keys: [{ name: `test-${Math.random().toString(36).slice(2, 8)}`, scopes: ["inbox:write", "verify", "registry:read"] }, ...(credentials.keys ?? [])] });
  const [keyName, key] = Object.entries(keys).find(([n]) => n.startsWith("test-"))!;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cliBin, "serve", "--port", "0", ...args], { cwd: repoRoot, env: { ...process.env, ...allEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stderr!.on("data", (c) => (err += c));
    const timer = setTimeout(() => reject(new Error(`kyso serve did not start: ${err}`)), 20_000);
    proc.stdout!.on("data", (c) => {
      out += c;
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const url = m[1];
        resolve({
          url,
          proc,
          db,
          key,
          keyName,
          keys,
          auth: { authorization: `Bearer ${key}` },
          signIn: (name = "clerk", password = passwordOf(name)) => signIn(url, name, password),
          stderr: () => err,
          stop: () =>
            new Promise<void>((done) => {
              if (proc.exitCode !== null) return done();
              proc.once("exit", () => done());
              proc.kill("SIGTERM");
            }),
        });
      }
    });
    proc.once("exit", (code) => reject(new Error(`kyso serve exited ${code}: ${err}`)));
  });
}

/**
 * Signs in through the real sign-in page in a browser: opens `path` (redirected to /login when
 * signed out), types the name and password, submits, and waits to be back on `path`.
 */
export async function signInPage(page: import("playwright-core").Page, url: string, path = "/", name = "clerk", password = passwordOf(name)): Promise<void> {
  await page.goto(url + path);
  await page.waitForURL(/\/login\?next=/);
  await page.fill("#name", name);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL((u) => u.pathname === new URL(url + path).pathname), page.click("#submit")]);
}

/** What a page test works on: a served instance, headless Chromium, a signed PDF and a tampered copy. */
export interface PageFixture {
  dir: string;
  srv: Served;
  browser: Browser;
  good: string;
  bad: string;
}

/**
 * Registers (inside a describe) the before/after hooks of a page test: signs `goodName` in a temp
 * folder, flips a byte of it for the tampered copy, starts `kyso serve` and Chromium, and stops them.
 */
export function usePageFixture(prefix: string, goodName: string): PageFixture {
  const f = { dir: tempDir(prefix) } as PageFixture;
  before(async function () {
    f.good = await sign(samples.onePage, join(f.dir, goodName), "officerRsa");
    f.bad = flipByte(f.good, join(f.dir, "bi-sua.pdf"), (b) => b.indexOf("/MediaBox"));
    f.srv = await serve(["--trust", pki.root, "--audit-log", join(f.dir, "audit.jsonl")]);
    f.browser = await launchChromium();
  });
  after(async () => {
    await f.browser?.close();
    await f.srv?.stop();
  });
  return f;
}
