/**
 * Issue 8 benchmark: intake of 1,000 edXML packages (each with two signed one-page PDFs and an
 * XML signature by the organization seal) through the HTTP API (`POST /api/v1/inbox`) of a real
 * `kyso serve` process, at concurrency 8: packages per second and latency percentiles. Every
 * package is distinct (its own header, so its own SHA-256 and record); the PDFs are drawn from 40
 * signed copies. The database is SQLite by default; with --pg (KYSO_BENCH_PG_URL or
 * KYSO_TEST_PG_URL) also a fresh PostgreSQL database.
 *
 *   npx tsc -b bench && node bench/dist/inbox.js [--packages 1000] [--concurrency 8] [--pg]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { p12Password, pki, samples } from "@kyso/certs-test";
import { openDatabase } from "@kyso/db";
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
const PACKAGES = arg("packages", 1000);
const CONCURRENCY = arg("concurrency", 8);
const PDFS = 40;
const kysoBin = fileURLToPath(new URL("../../cli/dist/bin.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "kyso-bench-inbox-"));

function header(n: number): MessageHeader {
  return {
    // From the organization whose seal signs the package (sender binding: anything else is SENDER_MISMATCH).
    from: { organId: "000.00.00.H46", organizationInCharge: "Ủy ban nhân dân tỉnh Phú Yên", organName: "Ủy ban nhân dân tỉnh Phú Yên" },
    to: [{ organId: "000.00.00.G22", organName: "Văn phòng Chính phủ" }],
    documentId: `000.00.00.H46,2026/01/05,${n}/VPCP-TTĐT`,
    code: { codeNumber: String(n), codeNotation: "VPCP-TTĐT" },
    promulgationInfo: { place: "Hà Nội", promulgationDate: "2026/01/05" },
    documentType: { type: "1", typeName: "Công văn" },
    subject: `V/v triển khai văn bản số ${n}`,
    signerInfo: { position: "PHÓ CHỦ NHIỆM", fullName: "Nguyễn Văn An" },
    dueDate: "2026/01/15",
    steeringType: "0",
  };
}

function startServe(db: string): Promise<{ url: string; proc: ChildProcess; auth: Record<string, string> }> {
  // The axis gateway's key (inbox:write), made with kyso api-keys create before the service starts.
  const auth = { authorization: `Bearer ${createApiKey(["inbox:write"], db)}` };
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [kysoBin, "serve", "--port", "0", "--trust", pki.root, "--db", db, "--audit-log", join(work, "audit.jsonl"), "--max-pending", "256"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    proc.stdout!.on("data", (c) => {
      out += c;
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], proc, auth });
    });
    proc.once("exit", (code) => reject(new Error(`kyso serve exited ${code}`)));
  });
}

async function run(label: string, db: string, bodies: Buffer[]): Promise<(string | number)[]> {
  const { url, proc, auth } = await startServe(db);
  try {
    // Warm-up: open and migrate the database, start the workers' JIT (these packages are not counted).
    for (let i = 0; i < 16; i++) {
      const warm = Buffer.from(signEdxml(buildEdxml({ header: header(900_000 + i), traces: [], attachments: [] }), orgKey));
      await fetch(`${url}/api/v1/inbox`, { method: "POST", headers: { ...auth, "content-type": "application/xml" }, body: warm });
    }
    const latencies: number[] = [];
    const verdicts = new Map<string, number>();
    let next = 0;
    let created = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < bodies.length; i = next++) {
          const s = performance.now();
          const res = await fetch(`${url}/api/v1/inbox`, { method: "POST", headers: { ...auth, "content-type": "application/xml" }, body: bodies[i] });
          const j = (await res.json()) as { indication: string };
          latencies.push(performance.now() - s);
          if (res.status === 201) created++;
          else throw new Error(`package ${i}: HTTP ${res.status} ${JSON.stringify(j)}`);
          verdicts.set(j.indication, (verdicts.get(j.indication) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    if (created !== bodies.length || verdicts.get("TOTAL_PASSED") !== bodies.length) throw new Error(`${label}: ${created} created, verdicts ${JSON.stringify([...verdicts])}`);
    return [label, bodies.length, fmt(bodies.length / seconds), fmt(percentile(latencies, 50)), fmt(percentile(latencies, 99)), fmt(Math.max(...latencies))];
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  }
}

let orgKey: { privateKeyPem: string; certificatesPem: string };

async function main(): Promise<void> {
  orgKey = { privateKeyPem: readFileSync(pki.orgSeal.key, "utf8"), certificatesPem: readFileSync(pki.orgSeal.cert, "utf8") + readFileSync(pki.intermediate, "utf8") };
  const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
  const pdfs: Uint8Array[] = [];
  for (let i = 0; i < PDFS; i++) {
    const out = join(work, `vb-${i}.pdf`);
    await signPdfFile(samples.onePage, out, signer, { overwrite: true, reason: `Bản ${i}` } as never);
    pdfs.push(new Uint8Array(readFileSync(out)));
  }
  const bodies: Buffer[] = [];
  for (let i = 0; i < PACKAGES; i++) {
    const attachments = [0, 1].map((k) => ({ contentId: `vb-${i}-${k}`, name: `van-ban-${k + 1}.pdf`, contentType: "application/pdf", bytes: pdfs[(2 * i + k) % PDFS] }));
    bodies.push(Buffer.from(signEdxml(buildEdxml({ header: header(10_000 + i), traces: [{ organId: "000.00.00.G22", timestamp: "2026/01/05 08:00:00" }], attachments }), orgKey)));
  }
  const avg = bodies.reduce((s, b) => s + b.length, 0) / bodies.length;
  const rows: (string | number)[][] = [["database", "packages", "packages/s", "p50 ms", "p99 ms", "max ms"]];
  rows.push(await run("SQLite", `sqlite:${join(work, "inbox.db")}`, bodies));
  const pg = process.env.KYSO_BENCH_PG_URL ?? process.env.KYSO_TEST_PG_URL;
  if (argv.includes("--pg") && pg) {
    const name = `kyso_bench_inbox_${process.pid}`;
    const admin = await openDatabase(pg);
    await admin.exec(`CREATE DATABASE ${name}`);
    try {
      const u = new URL(pg);
      u.pathname = `/${name}`;
      rows.push(await run("PostgreSQL", u.toString(), bodies));
    } finally {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    }
  }
  console.log(`Inbox intake: ${PACKAGES} edXML packages (2 signed one-page PDFs each, ~${Math.round(avg / 1024)} KiB), concurrency ${CONCURRENCY}, ${cpus().length} cores, kyso serve with default workers`);
  console.log(table(rows));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
