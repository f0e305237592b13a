/**
 * Issue 15: Ctrl-C (a real SIGINT) while `kyso sign --csc-async` waits for the officer's phone. The
 * run stops as a token batch does on Ctrl-C (test/bulk/interrupt.test.ts): exit 130, one line with
 * the count and the command that resumes, the documents of approved groups written whole, nothing
 * else; the request left pending is never used; the printed `--resume` command, with the phone
 * approving, signs each remaining document exactly once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_PIN, ready, startCscServer, type CscServer } from "@kyso/certs-test";
import { cliBin, cliEnv, documentCopies as documents, listFiles, pdfsigAll, signatureCount, startCli, tempDir, type CliResult } from "../bulk/helpers.js";
import { opensslCmsVerify } from "../support/judges.js";

const TOTAL = 5;
const MULTISIGN = 2;

// No OTP: with --csc-async the phone is the second factor.
const env = (): NodeJS.ProcessEnv => ({ KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET, KYSO_CSC_PIN: CSC_PIN, KYSO_CSC_OTP: undefined });

/** The stderr lines of the run: without the certificate check's notes (the test root is not in this machine's store). */
const runLines = (stderr: string): string[] => stderr.trim().split("\n").filter((l) => l && !/^kyso: (note|lưu ý): /.test(l));

describe("kyso sign --csc-async: Ctrl-C while waiting for the phone, then --resume", function () {
  let server: CscServer;
  const testUrl = (path: string): string => server.url.replace(/\/csc\/v2$/, `/csc/test/${path}`);
  const pendingIds = async (): Promise<string[]> => [...(await (await fetch(testUrl("pending"))).text()).matchAll(/data-response-id="([^"]+)"/g)].map((m) => m[1]);
  const approve = async (responseID: string): Promise<Response> =>
    fetch(testUrl("approve"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ responseID }) });

  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer({ asyncApproval: true, multisign: MULTISIGN });
  });
  after(async () => server?.close());

  /** The test "phone": approves every pending request not in `ignore`, until told to stop. */
  function phone(ignore: ReadonlySet<string>): { approved: string[]; stop: () => Promise<void> } {
    const approved: string[] = [];
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        for (const id of await pendingIds()) {
          if (ignore.has(id) || approved.includes(id)) continue;
          const r = await approve(id);
          assert.equal(r.status, 200, await r.text());
          approved.push(id);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    return { approved, stop: async () => void ((stopped = true), await loop) };
  }

  it("exit 130, one line saying how to resume, approved groups written whole and nothing else; --resume signs the rest once", async function () {
    const work = tempDir("csc-sigint");
    const inputs = documents(join(work, "in"), TOTAL);
    const args = ["sign", "in", "--out-dir", "out", "--csc", server.url, "--csc-credential", "officer-ec", "--csc-client-id", CSC_CLIENT_ID, "--csc-async", "--concurrency", "1"];

    // First run: the phone approves the first group (2 documents); at the second "waiting" line, Ctrl-C.
    const child = startCli(args, { cwd: work, env: env() });
    let stdout = "";
    let stderr = "";
    let sent = false;
    let firstApproved: string | undefined;
    const approving: Promise<unknown>[] = [];
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const waits = (stderr.match(/^Waiting for approval on your phone…/gm) ?? []).length;
      if (waits === 1 && firstApproved === undefined) {
        firstApproved = "";
        approving.push(
          pendingIds().then(async (ids) => {
            assert.equal(ids.length, 1, "one pending request for the first group");
            firstApproved = ids[0];
            assert.equal((await approve(ids[0])).status, 200);
          }),
        );
      }
      if (waits === 2 && !sent) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const first = await new Promise<CliResult & { signal: NodeJS.Signals | null }>((res) => child.on("close", (status, signal) => res({ status, signal, stdout, stderr })));
    await Promise.all(approving);
    assert.ok(sent, `SIGINT sent at the second wait:\n${first.stderr}`);

    assert.equal(first.signal, null, "kyso handles SIGINT itself");
    assert.equal(first.status, 130, first.stderr);
    const lines = runLines(first.stderr);
    const waiting = lines.filter((l) => /^Waiting for approval on your phone… \(\d+ document\(s\), \d+ s\)$/.test(l));
    assert.equal(waiting.length, 2, first.stderr);
    const rest = lines.filter((l) => !waiting.includes(l) && !/^Approved on the phone/.test(l));
    assert.equal(rest.length, 1, `exactly one line besides the phone's progress:\n${first.stderr}`);
    const m = /^interrupted: (\d+) of 5 signed; resume with: (kyso sign .* --resume)$/.exec(rest[0]);
    assert.ok(m, rest[0]);
    assert.equal(lines[lines.length - 1], rest[0], "the summary is the last line");
    assert.doesNotMatch(first.stderr, /CSC_CANCELLED|Cancelled while waiting|stopped|failed/i, "Ctrl-C is not reported as a failure");
    assert.equal(Number(m[1]), MULTISIGN, "the approved group, nothing more");
    assert.equal((first.stdout.match(/^signed {2}/gm) ?? []).length, MULTISIGN);

    // On disk: the approved group's documents, whole (the input plus one signature); no temp file.
    const outRoot = join(work, "out");
    const written = listFiles(outRoot).filter((f) => f.endsWith(".pdf"));
    assert.equal(written.length, MULTISIGN, written.join(", "));
    assert.deepEqual(listFiles(outRoot).filter((f) => f.endsWith(".tmp")), []);
    for (const f of written) {
      const input = readFileSync(join(work, "in", f));
      const out = readFileSync(join(outRoot, f));
      assert.ok(out.length > input.length && out.subarray(0, input.length).equals(input), `${f} is the input plus a signature`);
      assert.equal(signatureCount(join(outRoot, f)), 1);
    }

    // The second group's request is still pending: the client did not get it approved or use it.
    let s = server.stats();
    assert.equal(s.calls["credentials/authorize"], 2);
    assert.equal(s.calls["signatures/signHash"], 1, "only the approved group was signed");
    assert.equal(s.hashesSigned, MULTISIGN);
    const stale = await pendingIds();
    assert.equal(stale.length, 1, "the interrupted request is left pending");
    assert.notEqual(stale[0], firstApproved);
    // The officer approves it late, on the phone: nothing is signed with it (the client is gone).
    assert.equal((await approve(stale[0])).status, 200);
    s = server.stats();
    assert.equal(s.calls["signatures/signHash"], 1);
    assert.equal(s.hashesSigned, MULTISIGN);

    // The printed command, run as printed through a shell, with the phone approving each new request.
    const p = phone(new Set(stale));
    let second: CliResult;
    try {
      second = await new Promise<CliResult>((res, rej) => {
        const c = spawn("sh", ["-c", `"${process.execPath}" "${cliBin}" ${m[2].slice("kyso ".length)}`], { cwd: work, env: cliEnv(env()), stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        c.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
        c.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
        c.on("error", rej);
        c.on("close", (status) => res({ status, stdout: out, stderr: err }));
      });
    } finally {
      await p.stop();
    }
    assert.equal(second.status, 0, second.stderr);
    const remaining = TOTAL - MULTISIGN;
    assert.equal((second.stdout.match(/^signed {2}/gm) ?? []).length, remaining, "only the rest is signed");
    assert.equal(p.approved.length, Math.ceil(remaining / MULTISIGN), "one approval per group of the rest");
    assert.ok(!p.approved.includes(stale[0]));
    s = server.stats();
    assert.equal(s.hashesSigned, TOTAL, "every document signed by the service exactly once over both runs");
    assert.equal(s.calls["signatures/signHash"], 1 + Math.ceil(remaining / MULTISIGN));
    assert.match(second.stderr, new RegExp(`^${MULTISIGN} file\\(s\\) already signed in an earlier run`, "m"));

    const outs = inputs.map((f) => join(outRoot, f.slice(join(work, "in").length + 1)));
    for (const o of outs) assert.equal(signatureCount(o), 1, `${o}: exactly one signature`);
    assert.deepEqual(listFiles(outRoot).filter((f) => f.endsWith(".tmp")), []);
    const judged = await pdfsigAll(outs);
    for (const [f, r] of judged) {
      assert.ok(r.ok, `pdfsig ${f}\n${r.out}`);
      assert.equal(r.signatures, 1);
    }
    for (const o of outs) assert.equal((await opensslCmsVerify(o, 0)).code, 0, `openssl cms ${o}`);
    assert.ok(existsSync(join(outRoot, ".kyso-journal.jsonl")));
  });
});
