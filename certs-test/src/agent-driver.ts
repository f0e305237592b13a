/**
 * The real `kyso agent` as a child process, and an officer that answers its confirmation page over
 * plain HTTP: for tests and benchmarks that need the agent exactly as users run it. Test material.
 *
 * The agent is started with `--port 0` (and usually `--no-tls --prompt page`); the first stderr line
 * holding `ws://127.0.0.1:PORT` (or wss://) gives the port, in whatever language the agent speaks.
 * Each time a line ends with the confirmation page's address (`… request from ORIGIN:
 * http://127.0.0.1:PORT/confirm`, a new card on the page), the officer GETs /confirm, reads the
 * pending cards (their `key` and `token` hidden fields, shown only on the agent's own page) and
 * POSTs the answer to /confirm/answer with the agent's own Origin, as the page's form does:
 * pairing and signing approved, the PIN given.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface SpawnedAgent {
  /** `ws://127.0.0.1:PORT` (or wss://). */
  url: string;
  port: number;
  /** `http://127.0.0.1:PORT` (or https://): the confirmation page is at `${httpUrl}/confirm`. */
  httpUrl: string;
  child: ChildProcess;
  /** Everything the agent wrote to stderr so far. */
  stderr(): string;
  /** The officer's answers so far: pairings, confirmations and PINs given, in order. */
  answers: { kind: "pair" | "confirm" | "pin"; origin: string; operation?: string; documents?: number }[];
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

export interface SpawnAgentOptions {
  /** The kyso command: node and the path of cli/dist/bin.js. */
  kysoBin: string;
  /** Arguments after `agent` (include `--port 0`). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The PIN the officer types; absent: the officer approves nothing (the driver stays off). */
  pin?: string;
  /** CA (PEM) of the agent's TLS certificate when it serves https (else plain http). */
  agentCa?: string | Buffer;
  /** How long to wait for the listening line (default 30 s). */
  startTimeoutMs?: number;
}

interface Card {
  kind: "pair" | "confirm" | "pin";
  key: string;
  token: string;
  origin: string;
  operation?: string;
  documents: number;
}

function exchange(url: string, method: "GET" | "POST", o: { body?: string; origin?: string; ca?: string | Buffer } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const request = u.protocol === "https:" ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {};
  if (o.body !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers["content-length"] = String(Buffer.byteLength(o.body));
  }
  if (o.origin) headers.origin = o.origin;
  return new Promise((resolve, reject) => {
    const req = request(u, { method, headers, ...(o.ca ? { ca: o.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(o.body);
  });
}

const unescape = (s: string): string => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The pending cards of the confirmation page's HTML (the page's own markup, see @kyso/agent page-prompt). */
export function confirmCards(html: string): Card[] {
  const cards: Card[] = [];
  for (const m of html.matchAll(/<section class="card" data-kind="(pin|pair|confirm)" data-origin="([^"]*)"(?: data-operation="([^"]*)")?>([\s\S]*?)<\/section>/g)) {
    const body = m[4];
    const key = /name="key" value="([^"]*)"/.exec(body)?.[1];
    const token = /name="token" value="([^"]*)"/.exec(body)?.[1];
    if (!key || !token) continue;
    cards.push({
      kind: m[1] as Card["kind"],
      key: unescape(key),
      token: unescape(token),
      origin: unescape(m[2]),
      operation: m[3] !== undefined ? unescape(m[3]) : undefined,
      documents: (body.match(/<td class="doc-name">/g) ?? []).length,
    });
  }
  return cards;
}

/** Starts `kyso agent …`, waits for its listening line, and (with `pin`) answers its page. */
export function spawnAgent(o: SpawnAgentOptions): Promise<SpawnedAgent> {
  const child = spawn(process.execPath, [o.kysoBin, "agent", ...o.args], { env: o.env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let busy = Promise.resolve();
  const answers: SpawnedAgent["answers"] = [];
  let httpUrl = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  /** One pass over the page: answers every card it shows. Serialised, so a card is answered once. */
  const answerPage = (): void => {
    busy = busy
      .then(async () => {
        const page = await exchange(`${httpUrl}/confirm?lang=en`, "GET", { ca: o.agentCa });
        for (const c of confirmCards(page.body)) {
          const form = new URLSearchParams({ key: c.key, token: c.token, lang: "en", action: c.kind === "pin" ? "pin-submit" : "approve" });
          if (c.kind === "pin") form.set("pin", o.pin as string);
          const r = await exchange(`${httpUrl}/confirm/answer`, "POST", { body: form.toString(), origin: httpUrl, ca: o.agentCa });
          if (r.status === 303 || r.status === 200) answers.push({ kind: c.kind, origin: c.origin, operation: c.operation, documents: c.documents });
        }
      })
      .catch((e: Error) => void (stderr += `[driver] ${e.message}\n`));
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kyso agent did not say where it listens within ${o.startTimeoutMs ?? 30_000} ms:\n${stderr}`));
    }, o.startTimeoutMs ?? 30_000);
    let pending = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      stderr += chunk;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const listening = /\b(wss?):\/\/127\.0\.0\.1:(\d+)\b/.exec(line);
        if (listening && !httpUrl) {
          clearTimeout(timer);
          const port = Number(listening[2]);
          httpUrl = `${listening[1] === "wss" ? "https" : "http"}://127.0.0.1:${port}`;
          resolve({
            url: `${listening[1]}://127.0.0.1:${port}`,
            port,
            httpUrl,
            child,
            stderr: () => stderr,
            answers,
            stop: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
              const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
              const code = await exited;
              clearTimeout(kill);
              await busy;
              return code;
            },
          });
        }
        if (httpUrl && o.pin !== undefined && line.endsWith(` ${httpUrl}/confirm`)) answerPage();
      }
    });
    void exited.then((code) => {
      if (!httpUrl) {
        clearTimeout(timer);
        reject(new Error(`kyso agent exited (${code}) before listening:\n${stderr}`));
      }
    });
  });
}
