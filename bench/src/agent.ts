// Issue 14 benchmark (bench/agent): a batch of one-page documents through the local signing agent
// on loopback, beside `kyso sign` of the same files.
//
// The agent side is the real `kyso agent --no-tls --port 0 --prompt page` process (as users run it;
// a new one for each run, the site paired beforehand as an administrator would), the demo document
// system (certs-test docsys, HTTPS with a certificate from the test PKI, trusted by the agent with
// --ca) serving the documents and receiving the multipart `uploadfile` posts, and an officer who
// answers the agent's confirmation page over HTTP (one confirmation, one PIN for the batch). Timed
// per call: from opening the WebSocket to the answer (confirmation, PIN, C_Login, the certificate
// check online, downloads, signing, uploads). Two calls: the compatible contract with `Files: [...]`
// (SignApproved) and Kyso's v1 `batch` op, both with the personal appearance; and v1 `batch` with
// appearance none beside `kyso sign` invisible. The CLI side is the whole `kyso sign FOLDER
// --appearance personal|none` process (start-up, PIN, login, check, signing, report), the SoftHSM demo token KYSO-DEMO, key officer-rsa. Both sides check the certificate online
// (the test PKI's OCSP responder, started here) with an empty revocation cache. Median of BENCH_RUNS
// (3) runs. Every uploaded PDF of the first run is checked with pdfsig afterwards (not timed).
//
// Run: pnpm -s build && node bench/dist/run.js agent   (or node bench/dist/agent.js [COUNT]; needs the
// test PKI: pnpm certs). Uses Node's WebSocket client (global from Node 22; re-run with
// --experimental-websocket on Node 20).
import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nssDb, pki, pkcs11Lib, samples, softhsmConf, spawnAgent, startDocsys, startTestServers, token, type RunningDocsys } from "@kyso/certs-test";
import { fmt, median, runProcess, table } from "./stats.js";

interface MinimalWebSocket {
  onopen: (() => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: (() => void) | null;
  send(data: string): void;
  close(): void;
}
type WebSocketClass = new (url: string, init: { headers: Record<string, string> }) => MinimalWebSocket;

if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") {
  const r = spawnSync(process.execPath, ["--experimental-websocket", "--no-warnings", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
const WS = (globalThis as unknown as { WebSocket: WebSocketClass }).WebSocket;

const here = fileURLToPath(new URL(".", import.meta.url));
const kysoBin = join(here, "..", "..", "cli", "dist", "bin.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function httpsText(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", reject);
    }).on("error", reject);
  });
}

/** One call on a new WebSocket from the site's origin: the answer (JSON) and the time from connect to answer. */
function call(url: string, origin: string, message: unknown): Promise<{ ms: number; answer: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WS(url, { headers: { origin } });
    ws.onopen = () => ws.send(JSON.stringify(message));
    ws.onmessage = (ev) => {
      const ms = performance.now() - t0;
      ws.close();
      resolve({ ms, answer: JSON.parse(String(ev.data)) as Record<string, any> });
    };
    ws.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
  });
}

interface AgentRun {
  ms: number;
  /** From spawning `kyso agent` to the answer. */
  withStartMs: number;
  signed: number;
  uploads: string[];
}

type Protocol = "compat" | "v1" | "v1-none";

async function agentRun(protocol: Protocol, site: RunningDocsys, jwt: string, ids: string[], work: string, run: number): Promise<AgentRun> {
  const home = join(work, `agent-${protocol}-${run}`);
  const config = join(home, "config");
  mkdirSync(join(config, "kyso", "agent"), { recursive: true });
  // Paired beforehand, as `kyso agent install --allow-origin` users do once.
  writeFileSync(join(config, "kyso", "agent", "pairing.json"), JSON.stringify({ version: 1, origins: { [site.url]: { pairedAt: new Date().toISOString() } } }));
  const env: NodeJS.ProcessEnv = { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), XDG_CONFIG_HOME: config, XDG_CACHE_HOME: join(home, "cache"), DISPLAY: "", WAYLAND_DISPLAY: "" };
  delete env.KYSO_PIN;
  const before = site.uploads.length;
  const t0 = performance.now();
  const agent = await spawnAgent({
    kysoBin,
    args: ["--no-tls", "--port", "0", "--prompt", "page", "--allow-origin", site.url, "--ca", pki.root, "--trust", pki.root, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--chain", pki.officerRsa.chain, "--lang", "en"],
    env,
    pin: token.userPin,
  });
  try {
    const files = ids.map((id) => ({ id, url: `${site.url}/files/${id}`, upload: `${site.url}/upload/${id}` }));
    const message =
      protocol === "compat"
        ? { FunctionName: "SignApproved", SessionId: `bench-${run}`, JWTToken: jwt, MetaData: [], Files: files.map((f) => ({ FileID: f.id, FileName: `${f.id}.pdf`, URL: f.url, FileUploadHandler: f.upload })) }
        : { v: 1, id: `bench-${run}`, op: "batch", appearance: protocol === "v1" ? "personal" : "none", bearer: jwt, documents: files.map((f) => ({ name: `${f.id}.pdf`, url: f.url, uploadUrl: f.upload, fileId: f.id })) };
    const { ms, answer } = await call(agent.url, site.url, message);
    const withStartMs = performance.now() - t0;
    const ok = protocol === "compat" ? answer.Status === 0 : answer.ok === true;
    if (!ok) throw new Error(`agent ${protocol} batch failed: ${JSON.stringify(answer).slice(0, 600)}\n${agent.stderr()}`);
    const signed = protocol === "compat" ? (answer.Files as { Status: number }[]).filter((f) => f.Status === 0).length : (answer.result as { signed: number }).signed;
    const confirms = agent.answers.filter((a) => a.kind === "confirm");
    const pins = agent.answers.filter((a) => a.kind === "pin");
    if (confirms.length !== 1 || pins.length !== 1 || confirms[0].documents !== ids.length)
      throw new Error(`expected one confirmation of ${ids.length} documents and one PIN, got ${JSON.stringify(agent.answers)}`);
    return { ms, withStartMs, signed, uploads: site.uploads.slice(before).map((u) => u.path) };
  } finally {
    await agent.stop();
  }
}

/** The whole `kyso sign` process; spawned asynchronously, as the test PKI's servers run in this process. */
async function cliRun(inDir: string, work: string, run: number, appearance: "personal" | "none"): Promise<{ ms: number; signed: number; outDir: string }> {
  const outDir = join(work, `cli-${appearance}-${run}`);
  const report = join(work, `cli-${appearance}-${run}.json`);
  const env = { ...process.env, SOFTHSM2_CONF: softhsmConf, KYSO_PKCS11_LIB: pkcs11Lib(), KYSO_PIN: token.userPin, XDG_CONFIG_HOME: join(outDir, "config"), XDG_CACHE_HOME: join(outDir, "cache") };
  const args = [kysoBin, "sign", inDir, "--out-dir", outDir, "--appearance", appearance, "--trust", pki.root, "--token-label", token.label, "--key-label", token.keys.officerRsa.label, "--chain", pki.officerRsa.chain, "--report", report, "--lang", "en"];
  const r = await runProcess(process.execPath, args, env);
  const ms = r.ms;
  if (r.code !== 0) throw new Error(`kyso sign failed (${r.code}): ${r.stderr}`);
  const summary = (JSON.parse(readFileSync(report, "utf8")) as { summary: { signed: number } }).summary;
  return { ms, signed: summary.signed, outDir };
}

function pdfsigOk(file: string): boolean {
  const r = spawnSync("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file], { encoding: "utf8" });
  return r.status === 0 && /Signature Validation: Signature is Valid/.test(r.stdout) && /Certificate Validation: Certificate is Trusted/.test(r.stdout);
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100);
  const work = mkdtempSync(join(tmpdir(), "kyso-bench-agent-"));
  const inDir = join(work, "in");
  mkdirSync(inDir);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `doc-${String(i).padStart(3, "0")}`;
    ids.push(id);
    copyFileSync(samples.onePage, join(inDir, `${id}.pdf`));
    appendFileSync(join(inDir, `${id}.pdf`), `% copy ${i}\n%%EOF\n`); // a distinct document each time
  }
  const servers = await startTestServers();
  const rootPem = readFileSync(pki.root);
  const site = await startDocsys({ https: true, dataDir: join(work, "docsys"), documents: ids.map((id) => ({ id, title: id, file: join(inDir, `${id}.pdf`) })) });
  try {
    const page = await httpsText(`${site.url}/`, rootPem);
    const jwt = (JSON.parse(/<script type="application\/json" id="config">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? "{}") as { jwt?: string }).jwt;
    if (!jwt) throw new Error("the demo site's page has no JWT");
    console.log(`Agent benchmark (issue 14): ${count} one-page PDFs per batch, ${RUNS} runs, medians; ${process.arch}, node ${process.version}`);
    console.log(`document site ${site.url} (HTTPS, test PKI); agent = kyso agent --no-tls --port 0 --prompt page (spawned per run)\n`);

    const cli: number[] = [];
    const cliNone: number[] = [];
    const runs: Record<Protocol, AgentRun[]> = { compat: [], v1: [], "v1-none": [] };
    let firstCli = "";
    for (let r = 0; r < RUNS; r++) {
      for (const [appearance, list] of [["personal", cli], ["none", cliNone]] as const) {
        const c = await cliRun(inDir, work, r, appearance);
        if (c.signed !== count) throw new Error(`kyso sign signed ${c.signed} of ${count}`);
        if (r === 0 && appearance === "personal") firstCli = c.outDir;
        list.push(c.ms);
      }
      for (const protocol of ["compat", "v1", "v1-none"] as const) {
        const a = await agentRun(protocol, site, jwt, ids, work, r);
        if (a.signed !== count || a.uploads.length !== count) throw new Error(`agent ${protocol}: ${a.signed} signed, ${a.uploads.length} uploaded of ${count}`);
        runs[protocol].push(a);
      }
      process.stderr.write(`run ${r + 1}/${RUNS}: cli ${fmt(cli[r] / 1000, 2)} s, compat ${fmt(runs.compat[r].ms / 1000, 2)} s, v1 ${fmt(runs.v1[r].ms / 1000, 2)} s; invisible: cli ${fmt(cliNone[r] / 1000, 2)} s, v1 ${fmt(runs["v1-none"][r].ms / 1000, 2)} s\n`);
    }
    const rate = (ms: number): number => (count / ms) * 1000;
    const rows: (string | number)[][] = [["side", "seconds (median)", "docs/s", "agent / CLI"]];
    const ratios: number[] = [];
    const group = (title: string, cliTimes: number[], agents: [string, AgentRun[]][]): void => {
      const cliMs = median(cliTimes);
      rows.push([title, "", "", ""]);
      rows.push([`  kyso sign FOLDER (whole process)`, fmt(cliMs / 1000, 2), fmt(rate(cliMs)), "1.00"]);
      for (const [name, list] of agents) {
        const ms = median(list.map((a) => a.ms));
        ratios.push(rate(ms) / rate(cliMs));
        rows.push([`  ${name} (connect to answer)`, fmt(ms / 1000, 2), fmt(rate(ms)), fmt(rate(ms) / rate(cliMs), 2)]);
        const withStart = median(list.map((a) => a.withStartMs));
        rows.push([`    the same, the agent's start-up included`, fmt(withStart / 1000, 2), fmt(rate(withStart)), fmt(rate(withStart) / rate(cliMs), 2)]);
      }
    };
    group("personal appearance (signature image)", cli, [["agent, compatible contract SignApproved with Files[]", runs.compat], ["agent, Kyso v1 batch", runs.v1]]);
    group("invisible signature", cliNone, [["agent, Kyso v1 batch, appearance none", runs["v1-none"]]]);
    console.log(table(rows));
    const worst = Math.min(...ratios);
    console.log(`\ntarget (issue 14): the agent within 2x of the CLI batch rate (agent / CLI >= 0.50): lowest ${fmt(worst, 2)} ${worst >= 0.5 ? "met" : "NOT met"}`);

    // Not timed: every PDF uploaded in the first run, and the CLI's first outputs, through pdfsig.
    const uploaded = [...runs.compat[0].uploads, ...runs.v1[0].uploads, ...runs["v1-none"][0].uploads];
    const bad = uploaded.filter((f) => !pdfsigOk(f));
    console.log(`pdfsig on the ${uploaded.length} PDFs uploaded by the agent in run 1 (compat, v1, v1 invisible): ${bad.length === 0 ? "all valid, certificate trusted" : `${bad.length} INVALID (${bad.slice(0, 3).join(", ")})`}`);
    const cliOut = readdirSync(firstCli).filter((f) => f.endsWith(".pdf")).map((f) => join(firstCli, f));
    const cliBad = cliOut.filter((f) => !pdfsigOk(f));
    console.log(`pdfsig on the ${cliOut.length} PDFs written by kyso sign in run 1: ${cliBad.length === 0 ? "all valid, certificate trusted" : `${cliBad.length} INVALID`}`);
    console.log(`work folder: ${work}`);
    if (bad.length || cliBad.length) process.exitCode = 1;
  } finally {
    await site.close();
    await servers.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
