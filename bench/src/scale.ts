/**
 * Issue 12 benchmark: the service scaled out as deploy/run-local.sh runs it (Debian's nginx in
 * front of `kyso serve` replicas on one PostgreSQL), with API keys and the hash-chained audit on.
 *
 * 1. Verification through nginx with 1 and 3 replicas at 16 and 128 connections (autocannon,
 *    1-page signed PDF, revocation online against the test PKI): good throughput (2xx/s), p99,
 *    the other answers (503 busy is the service refusing early, not an error). The point on a
 *    small machine: at 128 the good throughput stays at least 80% of that at 16.
 * 2. Inbox intake through nginx: distinct signed edXML packages (one signed PDF each) posted with
 *    an inbox:write key at concurrency 16, with the rate limiter on (counters in PostgreSQL).
 *
 *   source scripts/postgres.sh; npx tsc -b bench && node bench/dist/scale.js [--duration 15] [--packages 1000] [--max-conns 0]
 *
 * Needs nginx, PostgreSQL (KYSO_BENCH_PG_URL or KYSO_TEST_PG_URL: a fresh database per run) and
 * the test PKI (certs-test/out). Figures are printed, never asserted.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { p12Password, pki, samples, startTestServers } from "@kyso/certs-test";
import { buildEdxml, signEdxml, type MessageHeader } from "@kyso/edxml";
import { signPdfFile } from "@kyso/sign";
import { Pkcs12Signer } from "@kyso/signers";
import { fmt, percentile, table } from "./stats.js";
import { createApiKey } from "./credentials.js";

const argv = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const DURATION = arg("duration", Number(process.env.BENCH_DURATION ?? 15));
const PACKAGES = arg("packages", 1000);
/** nginx's bound of requests per replica (run-local.sh --max-conns; 0: none). */
const MAX_CONNS = arg("max-conns", 0);
const repo = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "kyso-bench-scale-"));

interface Deployment {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

const pgAdmin = (): string => {
  const admin = process.env.KYSO_BENCH_PG_URL ?? process.env.KYSO_TEST_PG_URL;
  if (!admin) throw new Error("KYSO_BENCH_PG_URL or KYSO_TEST_PG_URL is needed (source scripts/postgres.sh)");
  return admin;
};

/** A new database for one deployment, and its name (dropped with dropDatabase). */
function freshDatabase(): { url: string; name: string } {
  const name = `kyso_bench_scale_${randomBytes(4).toString("hex")}`;
  const r = spawnSync("psql", [pgAdmin(), "-qc", `CREATE DATABASE ${name}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`CREATE DATABASE: ${r.stderr}`);
  const url = new URL(pgAdmin());
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

function dropDatabase(name: string): void {
  spawnSync("psql", [pgAdmin(), "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { encoding: "utf8" });
}

function deploy(db: string, replicas: number, serveArgs: string[]): Promise<Deployment> {
  const env = { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(work, "cache-")), XDG_DATA_HOME: mkdtempSync(join(work, "data-")) };
  const proc = spawn("bash", [join(repo, "deploy/run-local.sh"), "--replicas", String(replicas), "--db", db, "--dir", mkdtempSync(join(work, "deploy-")), "--max-conns", String(MAX_CONNS), "--", ...serveArgs], { env, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((done) => proc.once("exit", () => done()));
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (c) => {
      out += c;
      const m = /kyso: ready (http:\/\/\S+)/.exec(out);
      if (m)
        resolve({
          url: m[1],
          proc,
          stop: async () => {
            proc.kill("SIGTERM");
            await exited;
          },
        });
    });
    proc.once("exit", (code) => reject(new Error(`run-local.sh exited ${code}`)));
  });
}

function header(n: number): MessageHeader {
  return {
    from: { organId: "000.00.00.H46", organizationInCharge: "Ủy ban nhân dân tỉnh Phú Yên", organName: "Ủy ban nhân dân tỉnh Phú Yên" },
    to: [{ organId: "000.00.00.G22", organName: "Văn phòng Chính phủ" }],
    documentId: `000.00.00.H46,2026/01/05,${n}/VPCP-TTĐT`,
    code: { codeNumber: String(n), codeNotation: "VPCP-TTĐT" },
    promulgationInfo: { place: "Hà Nội", promulgationDate: "2026/01/05" },
    documentType: { type: "1", typeName: "Công văn" },
    subject: `V/v thử tải số ${n}`,
    signerInfo: { position: "PHÓ CHỦ NHIỆM", fullName: "Nguyễn Văn An" },
    dueDate: "2026/01/15",
    steeringType: "0",
  };
}

interface LoadRow {
  replicas: number;
  connections: number;
  good: number;
  p50: number;
  p99: number;
  other: number;
}

async function verifyLoad(url: string, key: string, body: Buffer, connections: number): Promise<Omit<LoadRow, "replicas">> {
  const opts = { url: `${url}/api/v1/verify`, method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/pdf" }, body, connections };
  await autocannon({ ...opts, duration: 3 });
  const r = await autocannon({ ...opts, duration: DURATION });
  const ok = (r as unknown as Record<string, number>)["2xx"];
  return { connections, good: ok / DURATION, p50: r.latency.p50, p99: r.latency.p99, other: r.non2xx + r.errors + r.timeouts };
}

async function intake(url: string, key: string, bodies: Buffer[], concurrency: number): Promise<{ rate: number; p50: number; p99: number; statuses: Record<number, number> }> {
  const times: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        for (;;) {
          const s = performance.now();
          const res = await fetch(`${url}/api/v1/inbox`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/xml" }, body });
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 503) continue;
          times.push(performance.now() - s);
          break;
        }
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  return { rate: bodies.length / s, p50: percentile(times, 50), p99: percentile(times, 99), statuses };
}

async function main(): Promise<void> {
  const servers = await startTestServers();
  const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
  const pdf = join(work, "one-page.pdf");
  await signPdfFile(samples.onePage, pdf, signer, { overwrite: true } as never);
  const body = readFileSync(pdf);
  const seal = { privateKeyPem: readFileSync(pki.orgSeal.key, "utf8"), certificatesPem: readFileSync(pki.orgSeal.cert, "utf8") + readFileSync(pki.intermediate, "utf8") };
  const attachment = { contentId: "quyet-dinh", name: "quyet-dinh.pdf", contentType: "application/pdf", bytes: new Uint8Array(body) };
  const t0 = performance.now();
  const packages = Array.from({ length: PACKAGES }, (_, i) => Buffer.from(signEdxml(buildEdxml({ header: header(30000 + i), traces: [{ organId: "000.00.00.H46", timestamp: "2026/01/05 10:15:00" }], attachments: [attachment] }), seal)));
  console.log(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at start; nginx max_conns ${MAX_CONNS || "unbounded"} per replica`);
  console.log(`${PACKAGES} packages built and signed in ${fmt((performance.now() - t0) / 1000, 1)} s (~${Math.round(packages[0].length / 1024)} KiB each); ${DURATION} s per load run`);

  const rows: LoadRow[] = [];
  const intakeRows: (string | number)[][] = [["replicas", "packages/s", "p50 ms", "p99 ms", "answers"]];
  try {
    for (const replicas of [1, 3]) {
      const { url: db, name } = freshDatabase();
      const key = createApiKey(["verify", "inbox:write"], db);
      const dep = await deploy(db, replicas, ["--trust", pki.root, "--rate-limit", "1000000/min"]);
      try {
        for (const connections of [16, 128]) rows.push({ replicas, ...(await verifyLoad(dep.url, key, body, connections)) });
        const r = await intake(dep.url, key, packages, 16);
        intakeRows.push([replicas, fmt(r.rate, 1), fmt(r.p50, 1), fmt(r.p99, 1), JSON.stringify(r.statuses)]);
      } finally {
        await dep.stop();
        dropDatabase(name);
      }
    }
  } finally {
    await servers.close();
  }
  console.log("\nverification through nginx (POST /api/v1/verify, 1-page PDF, API key, audit in PostgreSQL):");
  const table1: (string | number)[][] = [["replicas", "connections", "good/s (2xx)", "p50 ms", "p99 ms", "non-2xx/errors", "good vs 16"]];
  for (const r of rows) {
    const base = rows.find((x) => x.replicas === r.replicas && x.connections === 16)!;
    table1.push([r.replicas, r.connections, fmt(r.good, 1), r.p50, r.p99, r.other, `${Math.round((100 * r.good) / base.good)}%`]);
  }
  console.log(table(table1));
  console.log(`\ninbox intake through nginx (${PACKAGES} distinct packages, concurrency 16, inbox:write key, audit and rate limiter on):`);
  console.log(table(intakeRows));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
