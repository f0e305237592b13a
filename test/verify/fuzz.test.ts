import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { join } from "node:path";
import { samples } from "@kyso/certs-test";
import { VerifyPool, type FileReport } from "@kyso/verify";
import { attacks, load } from "./attacks.js";
import { anchors, sign, tempDir } from "./support.js";

/** A small deterministic PRNG (mulberry32), so that a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ["obj", "endobj", "stream", "endstream", "xref", "trailer", "startxref", "%%EOF", "R", "<<", ">>", "[", "]", "/ByteRange", "/Contents", "/Prev", "/Length", "/Type /XRef", "/ObjStm", "9999999999", "-1", "0 0 R", "1 0 R"];

function mutate(src: Buffer, rand: () => number): Buffer {
  let b = Buffer.from(src);
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rand() * b.length);
    switch (Math.floor(rand() * 7)) {
      case 0: // flip bits
        for (let i = 0; i < 1 + rand() * 8; i++) b[Math.min(b.length - 1, at + i)] ^= 1 << Math.floor(rand() * 8);
        break;
      case 1: // truncate
        b = b.subarray(0, at);
        break;
      case 2: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rand() * 200)))]);
        break;
      case 3: // insert a PDF token
        b = Buffer.concat([b.subarray(0, at), Buffer.from(` ${TOKENS[Math.floor(rand() * TOKENS.length)]} `), b.subarray(at)]);
        break;
      case 4: // duplicate a chunk elsewhere
        {
          const from = Math.floor(rand() * b.length);
          const chunk = b.subarray(from, from + Math.floor(rand() * 500));
          b = Buffer.concat([b.subarray(0, at), chunk, b.subarray(at)]);
        }
        break;
      case 5: // replace a number with a huge or negative one
        {
          const s = b.toString("latin1");
          const re = /\d+/g;
          re.lastIndex = at;
          const m = re.exec(s);
          if (m) b = Buffer.concat([b.subarray(0, m.index), Buffer.from(rand() < 0.5 ? "99999999999" : "-7"), b.subarray(m.index + m[0].length)]);
        }
        break;
      default: // random bytes
        for (let i = 0; i < 1 + rand() * 64 && at + i < b.length; i++) b[at + i] = Math.floor(rand() * 256);
    }
    if (b.length === 0) break;
  }
  return b;
}

/** Hostile hand-made files: reference loops, a decompression bomb, deep nesting, random bytes. */
function hostile(rand: () => number): Buffer[] {
  const bomb = deflateSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
  const xrefOf = (body: string, root = "1 0 R", extra = ""): Buffer => {
    const offsets: number[] = [];
    const re = /(\d+) 0 obj/g;
    for (let m = re.exec(body); m; m = re.exec(body)) offsets[Number(m[1])] = m.index + 9;
    const head = "%PDF-1.7\n";
    let x = `xref\n0 ${offsets.length}\n0000000000 65535 f \n`;
    for (let i = 1; i < offsets.length; i++) x += `${String((offsets[i] ?? 0)).padStart(10, "0")} 00000 n \n`;
    const start = head.length + body.length;
    return Buffer.from(`${head}${body}${x}trailer\n<< /Size ${offsets.length} /Root ${root} ${extra}>>\nstartxref\n${start}\n%%EOF\n`, "latin1");
  };
  const files: Buffer[] = [
    xrefOf("1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Fields [4 0 R] >>\nendobj\n4 0 obj\n<< /FT /Sig /Kids [4 0 R] /V 4 0 R /Parent 4 0 R >>\nendobj\n"),
    xrefOf("1 0 obj\n2 0 R\nendobj\n2 0 obj\n1 0 R\nendobj\n"),
    xrefOf("1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\n", "1 0 R", "/Prev 9 "),
    Buffer.concat([Buffer.from("%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /N 1000000 /First 0 /Filter /FlateDecode /Length " + bomb.length + " >>\nstream\n"), bomb, Buffer.from("\nendstream\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 3 /Root 2 0 R >>\nstartxref\n0\n%%EOF\n")]),
    Buffer.concat([Buffer.from("%PDF-1.7\n1 0 obj\n<< /Type /XRef /W [1 4 2] /Size 100000000 /Filter /FlateDecode /Length " + bomb.length + " >>\nstream\n"), bomb, Buffer.from("\nendstream\nendobj\nstartxref\n9\n%%EOF\n")]),
    Buffer.from("%PDF-1.7\n" + "[".repeat(100_000) + "\n%%EOF\n"),
    Buffer.from("%PDF-1.7\n1 0 obj\n<< /A " + "<< /B ".repeat(50_000) + "\nstartxref\n9\n%%EOF\n"),
  ];
  for (let i = 0; i < 20; i++) files.push(Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.from(Array.from({ length: Math.floor(rand() * 20_000) }, () => Math.floor(rand() * 256)))]));
  return files;
}

describe("verify: fuzzing (mutated and hostile PDFs)", function () {
  this.timeout(240_000);
  const COUNT = Number(process.env.KYSO_FUZZ_COUNT ?? 3000);
  const dir = tempDir("kyso-fuzz-");
  let pool: VerifyPool;
  const seeds: Buffer[] = [];

  before(async function () {
    const a = await sign(samples.onePage, join(dir, "a.pdf"));
    seeds.push(load(a));
    seeds.push(load(await sign(a, join(dir, "b.pdf"), "orgSeal")));
    seeds.push(load(await sign(samples.objstm, join(dir, "objstm.pdf"), "officerEc")));
    seeds.push(load(await sign(samples.onePage, join(dir, "cert.pdf"), "officerRsa", { certify: 2, subFilter: "pkcs7" })));
    seeds.push(load(samples.presignedPdfsig));
    seeds.push(attacks.isaPageContent(seeds[0]));
    pool = new VerifyPool({ size: 2, maxPending: 100_000, timeoutMs: 10_000, maxHeapMb: 256, trustAnchors: anchors });
  });
  after(async () => pool?.close());

  it(`every one of ${COUNT} mutated files and the hostile ones gets a report within the bounds`, async function () {
    const rand = rng(0x6b79736f);
    const inputs: { name: string; bytes: Buffer }[] = hostile(rand).map((bytes, i) => ({ name: `hostile-${i}`, bytes }));
    for (let i = 0; i < COUNT; i++) inputs.push({ name: `mutant-${i}`, bytes: mutate(seeds[i % seeds.length], rand) });
    const reports: FileReport[] = [];
    // Bounded concurrency: 16 documents in flight.
    let next = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < inputs.length) {
          const input = inputs[next++];
          try {
            reports.push(await pool.verify({ bytes: input.bytes, name: input.name }));
          } catch (e) {
            failures.push(`${input.name}: ${(e as Error).message}`);
          }
        }
      }),
    );
    assert.deepEqual(failures, [], "the verifier threw (a bug) on some inputs");
    assert.equal(reports.length, inputs.length);
    for (const r of reports) {
      assert.ok(["TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE", "NO_SIGNATURE"].includes(r.indication), `${r.file}: ${r.indication}`);
      assert.match(r.sha256, /^[0-9a-f]{64}$/, `${r.file} has its SHA-256`);
    }
    const bounded = reports.filter((r) => r.reasons.some((x) => x.startsWith("The document could not be verified")));
    assert.deepEqual(bounded.map((r) => `${r.file}: ${r.reasons[0]}`), [], "no file hit the time or memory bound");
    // The hostile files are never reported valid.
    for (const r of reports.filter((x) => x.file.startsWith("hostile-"))) assert.notEqual(r.indication, "TOTAL_PASSED", r.file);
  });
});
