// Issue 12, "Bounded work": request timeouts on every route, refused bodies not read on, overload
// refused before the body is read, uploads on disk (0600 in a 0700 folder) and deleted after the job.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import { buildEdxml } from "@kyso/edxml";
import { header, pkg } from "../edxml/support.js";
import { serve, type Served } from "../service/support.js";
import { sign, tempDir } from "../verify/support.js";
import { heavyPackage, openRaw } from "./support.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("security: bounded requests", function () {
  const dir = tempDir("kyso-sec-bounds-");
  const tmp = tempDir("kyso-sec-tmp-");
  let srv: Served;
  let good: Buffer;
  before(async () => {
    good = readFileSync(await sign(samples.onePage, join(dir, "good.pdf")));
    srv = await serve(["--trust", pki.root, "--revocation", "embedded", "--db", `sqlite:${join(dir, "kyso.db")}`, "--audit-log", join(dir, "audit.jsonl"), "--body-limit", "1", "--request-timeout", "2"], { TMPDIR: tmp });
  });
  after(async () => srv?.stop());

  for (const path of ["/api/v1/verify", "/api/v1/inbox"]) {
    it(`a body sent one byte a second to ${path} is cut at the request timeout (408, connection closed)`, async () => {
      const raw = await openRaw(srv.url, `POST ${path} HTTP/1.1\r\nHost: kyso\r\nAuthorization: Bearer ${srv.key}\r\nContent-Type: application/pdf\r\nContent-Length: 1000\r\n\r\n`);
      const drip = setInterval(() => raw.socket.writable && raw.socket.write("%"), 1000);
      try {
        const ms = await Promise.race([raw.closed, sleep(15_000).then(() => -1)]);
        assert.ok(ms > 0, "the connection was still open after 15 s");
        assert.ok(ms >= 1500 && ms < 5000, `closed after ${ms} ms (timeout 2 s)`);
        assert.match(raw.received(), /^HTTP\/1\.1 408 /);
      } finally {
        clearInterval(drip);
        raw.socket.destroy();
      }
    });
  }

  it("headers sent one byte a second (slowloris) are cut at the timeout too", async () => {
    const raw = await openRaw(srv.url, "GET /healthz HTTP/1.1\r\nHost: kyso\r\n");
    const drip = setInterval(() => raw.socket.writable && raw.socket.write("X"), 1000);
    try {
      const ms = await Promise.race([raw.closed, sleep(15_000).then(() => -1)]);
      assert.ok(ms > 0 && ms < 5000, `closed after ${ms} ms`);
    } finally {
      clearInterval(drip);
      raw.socket.destroy();
    }
  });

  for (const [what, head] of [
    ["declared (Content-Length: 20 MB)", "Content-Length: 20971520"],
    ["streamed (chunked, no length)", "Transfer-Encoding: chunked"],
  ] as const) {
    it(`a body over the limit, ${what}, gets 413 with Connection: close and is not read on`, async () => {
      const raw = await openRaw(srv.url, `POST /api/v1/verify HTTP/1.1\r\nHost: kyso\r\nAuthorization: Bearer ${srv.key}\r\nContent-Type: application/pdf\r\n${head}\r\n\r\n`);
      const chunked = head.startsWith("Transfer");
      const block = Buffer.alloc(64 * 1024, 0x25);
      let sent = 0;
      let open = true;
      void raw.closed.then(() => (open = false));
      // Keep sending (20 MB in all) as a client that ignores the answer would.
      while (open && sent < 20 * 1024 * 1024) {
        const ok = raw.socket.write(chunked ? Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from("\r\n")]) : block);
        sent += block.length;
        if (!ok) await Promise.race([new Promise((r) => raw.socket.once("drain", r)), raw.closed, sleep(2000)]);
      }
      const ms = await Promise.race([raw.closed, sleep(10_000).then(() => -1)]);
      assert.ok(ms > 0, "the connection stayed open after the 413");
      assert.match(raw.received(), /^HTTP\/1\.1 413 /);
      assert.match(raw.received(), /\r\nconnection: close\r\n/i);
      assert.ok(sent < 20 * 1024 * 1024, `the whole 20 MB body was taken (${sent} bytes sent)`);
    });
  }

  it("an upload is a 0600 file in a 0700 folder while it is verified, and is deleted after", async () => {
    const raw = await openRaw(srv.url, `POST /api/v1/verify?name=q.pdf HTTP/1.1\r\nHost: kyso\r\nAuthorization: Bearer ${srv.key}\r\nContent-Type: application/pdf\r\nContent-Length: ${good.length}\r\nConnection: close\r\n\r\n`);
    raw.socket.write(good.subarray(0, good.length >> 1));
    let folder: string | undefined;
    let files: string[] = [];
    for (let i = 0; i < 50 && files.length === 0; i++) {
      await sleep(50);
      folder = readdirSync(tmp).find((n) => n.startsWith("kyso-uploads-"));
      files = folder ? readdirSync(join(tmp, folder)) : [];
    }
    assert.ok(folder, `no upload folder in ${tmp}`);
    assert.equal(files.length, 1, "the half-sent body is not on disk");
    assert.equal(statSync(join(tmp, folder)).mode & 0o777, 0o700);
    assert.equal(statSync(join(tmp, folder, files[0])).mode & 0o777, 0o600);
    raw.socket.write(good.subarray(good.length >> 1));
    // (No half-close: a client FIN aborts the request in Node's server.) Connection: close ends it.
    await raw.closed;
    assert.match(raw.received(), /^HTTP\/1\.1 200 /);
    assert.match(raw.received(), /"indication":"(TOTAL_PASSED|INDETERMINATE)"/);
    assert.match(raw.received(), /"file":"q\.pdf"/);
    for (let i = 0; i < 40 && readdirSync(join(tmp, folder)).length > 0; i++) await sleep(50);
    assert.deepEqual(readdirSync(join(tmp, folder)), []);
  });
});

describe("security: the event loop and the pool under heavy packages", function () {
  const dir = tempDir("kyso-sec-heavy-");
  let srv: Served;
  let heavy: string;
  before(async () => {
    heavy = heavyPackage(buildEdxml(pkg(header(9902, "Gói tin nặng"), [])), 99_000);
    srv = await serve(["--trust", pki.root, "--revocation", "embedded", "--workers", "1", "--max-pending", "1", "--audit-log", join(dir, "audit.jsonl")]);
  });
  after(async () => srv?.stop());

  const pending = async (): Promise<number> => ((await (await fetch(`${srv.url}/healthz`)).json()) as { pending: number }).pending;

  it("/healthz answers within 1 s while a 3 MB package of 99k elements is parsed", async () => {
    assert.ok(heavy.length > 3_000_000, `package of ${heavy.length} bytes`);
    const t0 = performance.now();
    const posted = fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/xml" }, body: heavy }).then(async (r) => ({ status: r.status, body: (await r.json()) as { indication: string; kind: string }, ms: performance.now() - t0 }));
    while ((await pending()) === 0 && performance.now() - t0 < 10_000) await sleep(10);
    const times: number[] = [];
    let overlapped = 0;
    let done = false;
    void posted.then(() => (done = true));
    while (!done) {
      const s = performance.now();
      const busy = await pending();
      times.push(performance.now() - s);
      if (busy > 0 && !done) overlapped++;
      await sleep(50);
    }
    const r = await posted;
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, "edxml-package");
    assert.ok(overlapped >= 3, `only ${overlapped} health checks while the package was parsed (${r.ms.toFixed(0)} ms)`);
    assert.ok(Math.max(...times) < 1000, `slowest /healthz ${Math.max(...times).toFixed(0)} ms`);
  });

  it("overload is answered 503 + Retry-After before a byte of the body is sent", async () => {
    const posted = fetch(`${srv.url}/api/v1/verify`, { method: "POST", headers: { ...srv.auth, "content-type": "application/xml" }, body: heavy });
    const t0 = performance.now();
    while ((await pending()) === 0 && performance.now() - t0 < 10_000) await sleep(10);
    // Headers only: a server that waited for the body would never answer.
    const raw = await openRaw(srv.url, `POST /api/v1/verify HTTP/1.1\r\nHost: kyso\r\nAuthorization: Bearer ${srv.key}\r\nContent-Type: application/pdf\r\nContent-Length: 5000000\r\n\r\n`);
    const ms = await Promise.race([raw.closed, sleep(5000).then(() => -1)]);
    raw.socket.destroy();
    assert.ok(ms > 0 && ms < 2000, `answered and closed after ${ms} ms`);
    assert.match(raw.received(), /^HTTP\/1\.1 503 /);
    assert.match(raw.received(), /\r\nretry-after: 1\r\n/i);
    assert.match(raw.received(), /"code":"VERIFY_BUSY"/);
    assert.equal((await posted).status, 200);
  });
});
