/**
 * Issuance registry benchmark: 100,000 certificates across about 11,000 units of one province,
 * imported through the library (10,000 per transaction), then the latency of the two queries an
 * administrator runs most, `kyso certs report` and `kyso certs list --expiring-within 30`, as the
 * median of several runs, on SQLite and (when KYSO_BENCH_PG_URL or KYSO_TEST_PG_URL is set) on
 * PostgreSQL. Also the same two commands as whole `kyso` processes, start-up included.
 *
 *   node bench/dist/registry.js [--certs 100000] [--runs 9]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import {
  DAY_MS,
  openRegistry,
  parseCertificates,
  type CertificateFacts,
  type CertificateImport,
  type UnitInput,
} from "@kyso/registry";
import { syntheticCertificate, syntheticIssuer } from "@kyso/registry/synthetic";
import { openDatabase } from "@kyso/db";

const argv = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const CERTS = arg("certs", 100_000);
const RUNS = arg("runs", 9);
const BATCH = 10_000;
const kysoBin = fileURLToPath(new URL("../../cli/dist/bin.js", import.meta.url));

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same province. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"];
const MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Quốc", "Thu", "Xuân"];
const GIVEN = ["An", "Bình", "Cường", "Dũng", "Em", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"];
const COMMUNE_UNITS = ["Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trạm Y tế", "Công an xã", "Ban Chỉ huy Quân sự", "Văn phòng HĐND-UBND"];

/**
 * A province as administrators see it: the province (UBND tỉnh), 30 departments (sở, ban,
 * ngành), 10 districts each with 12 offices (phòng) and 150 communes, and under the communes their
 * schools, health stations and offices, about 11,000 units in all.
 */
function provinceTree(rand: () => number): UnitInput[] {
  const units: UnitInput[] = [{ code: "P", name: "UBND tỉnh", level: "province" }];
  for (let d = 1; d <= 30; d++) units.push({ code: `P.S${d}`, name: `Sở ${d}`, level: "department", parent: "P" });
  for (let h = 1; h <= 10; h++) {
    const district = `P.H${h}`;
    units.push({ code: district, name: `UBND huyện ${h}`, level: "district", parent: "P" });
    for (let p = 1; p <= 12; p++) units.push({ code: `${district}.P${p}`, name: `Phòng ${p} huyện ${h}`, level: "department", parent: district });
    for (let x = 1; x <= 150; x++) {
      const commune = `${district}.X${x}`;
      units.push({ code: commune, name: `UBND xã ${x} huyện ${h}`, level: "commune", parent: district });
      const n = 6 + (rand() < 0.23 ? 1 : 0);
      for (let k = 0; k < n; k++) units.push({ code: `${commune}.${k + 1}`, name: `${COMMUNE_UNITS[k]} xã ${x}`, level: "department", parent: commune });
    }
  }
  return units;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

interface Row {
  backend: string;
  importSeconds: number;
  perSecond: number;
  reportMs: number;
  expiringMs: number;
  expiringCount: number;
  cliReportMs: number;
  cliExpiringMs: number;
}

async function runBackend(name: string, spec: string, units: UnitInput[], items: CertificateImport[]): Promise<Row> {
  const registry = await openRegistry(spec, { actor: "bench" });
  try {
    await registry.addUnits(units);
    const [importMs] = await time(async () => {
      for (let i = 0; i < items.length; i += BATCH) await registry.importCertificates(items.slice(i, i + BATCH));
    });
    // What autovacuum does soon after a bulk load: statistics, and for PostgreSQL the visibility
    // map that lets the report's counts come from the indexes alone.
    if (registry.db.dialect === "postgres") await registry.db.exec("VACUUM ANALYZE units, holders, tokens, certificates, events");
    else await registry.db.exec("ANALYZE");
    const reportTimes: number[] = [];
    const expiringTimes: number[] = [];
    let expiringCount = 0;
    for (let r = 0; r < RUNS; r++) {
      reportTimes.push((await time(() => registry.report()))[0]);
      const [ms, list] = await time(() => registry.listCertificates({ expiringWithinDays: 30 }));
      expiringTimes.push(ms);
      expiringCount = list.length;
    }
    const cli = (args: string[]) => {
      const t0 = performance.now();
      execFileSync(process.execPath, [kysoBin, ...args, "--db", spec], { stdio: ["ignore", "ignore", "inherit"] });
      return performance.now() - t0;
    };
    const cliReport: number[] = [];
    const cliExpiring: number[] = [];
    for (let r = 0; r < 3; r++) {
      cliReport.push(cli(["certs", "report", "--json"]));
      cliExpiring.push(cli(["certs", "list", "--expiring-within", "30", "--json"]));
    }
    return {
      backend: name,
      importSeconds: importMs / 1000,
      perSecond: items.length / (importMs / 1000),
      reportMs: median(reportTimes),
      expiringMs: median(expiringTimes),
      expiringCount,
      cliReportMs: median(cliReport),
      cliExpiringMs: median(cliExpiring),
    };
  } finally {
    await registry.close();
  }
}

async function main(): Promise<void> {
  const rand = prng(20260101);
  const units = provinceTree(rand);
  const levelOf = new Map(units.map((u) => [u.code, u.level]));
  // Officers are spread over units; seals go to the province, departments, districts and communes.
  const sealUnits = units.filter((u) => u.level !== "department" || !u.code.split(".")[2]?.startsWith("X"));

  const t0 = performance.now();
  const issuer = syntheticIssuer([["C", "VN"], ["O", "Ban Co yeu Chinh phu (BENCH)"], ["CN", "Kyso Bench CA"]]);
  const now = Date.now();
  const ders: Uint8Array[] = [];
  const meta: { unit: string; holder: string; type: "personal" | "organization"; issuedAt: Date }[] = [];
  for (let i = 0; i < CERTS; i++) {
    const organization = rand() < 0.12;
    const unit = organization ? sealUnits[Math.floor(rand() * sealUnits.length)] : units[Math.floor(rand() * units.length)];
    const holder = organization
      ? unit.name
      : `${SURNAMES[Math.floor(rand() * SURNAMES.length)]} ${MIDDLE[Math.floor(rand() * MIDDLE.length)]} ${GIVEN[Math.floor(rand() * GIVEN.length)]} ${i}`;
    // Issued over the last three years, valid for up to five (Decree 68/2024), all still valid today.
    const issuedAt = new Date(now - Math.floor(rand() * 3 * 365) * DAY_MS - Math.floor(rand() * DAY_MS));
    const notAfter = new Date(now + Math.floor(1 + rand() * (5 * 365 - 1)) * DAY_MS);
    ders.push(
      syntheticCertificate(issuer, {
        serial: (0x10000000 + i).toString(16),
        subject: [["C", "VN"], ["O", unit.name], ["CN", holder]],
        notBefore: issuedAt,
        notAfter,
      }),
    );
    meta.push({ unit: unit.code, holder, type: organization ? "organization" : "personal", issuedAt });
  }
  const genMs = performance.now() - t0;
  const [parseMs, facts] = await time(async () => ders.map((d) => parseCertificates(d)[0] as CertificateFacts));
  const items: CertificateImport[] = facts.map((f, i) => ({
    facts: f,
    holder: { name: meta[i].holder },
    unit: meta[i].unit,
    type: meta[i].type,
    tokenSerial: `TK${(0x30000000 + i).toString(16).toUpperCase()}`,
    issuedAt: meta[i].issuedAt,
    source: `#${i}`,
  }));
  const byLevel = { province: 0, district: 0, commune: 0, department: 0 };
  for (const u of units) byLevel[levelOf.get(u.code)!]++;
  console.log(
    `registry benchmark: ${CERTS.toLocaleString("en")} certificates, ${units.length.toLocaleString("en")} units ` +
      `(${byLevel.province} province, ${byLevel.district} districts, ${byLevel.commune} communes, ${byLevel.department} departments and offices)`,
  );
  console.log(`generated in ${(genMs / 1000).toFixed(1)} s, parsed (pkijs) in ${(parseMs / 1000).toFixed(1)} s; ${RUNS} runs per query, median`);

  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), "kyso-bench-registry-"));
  try {
    rows.push(await runBackend("SQLite", `sqlite:${join(dir, "registry.db")}`, units, items));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = process.env.KYSO_BENCH_PG_URL ?? process.env.KYSO_TEST_PG_URL;
  if (pgUrl) {
    const admin = await openDatabase(pgUrl);
    const name = `kyso_bench_${process.pid}`;
    await admin.exec(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      rows.push(await runBackend("PostgreSQL", url.toString(), units, items));
    } finally {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    }
  } else {
    console.log("PostgreSQL skipped: set KYSO_BENCH_PG_URL or source scripts/postgres.sh");
  }

  const header = ["backend", "import", "certs/s", "report", "list --expiring-within 30", "kyso certs report", "kyso certs list --exp. 30"];
  const table = rows.map((r) => [
    r.backend,
    `${r.importSeconds.toFixed(1)} s`,
    Math.round(r.perSecond).toLocaleString("en"),
    `${r.reportMs.toFixed(1)} ms`,
    `${r.expiringMs.toFixed(1)} ms (${r.expiringCount})`,
    `${r.cliReportMs.toFixed(0)} ms`,
    `${r.cliExpiringMs.toFixed(0)} ms`,
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...table.map((r) => r[k].length)));
  for (const r of [header, widths.map((w) => "-".repeat(w)), ...table]) console.log(r.map((c, k) => c.padEnd(widths[k])).join("  "));
  console.log("report and list: library query time; kyso ...: whole process (node start-up, open, migrate check, query, print).");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
