/**
 * Issue 15 acceptance, "an expired access token refreshed transparently", through `kyso sign`: the
 * service account's access token lives 1 s and every call to the service takes 150 ms, so the batch
 * outlives several tokens; the run renews them itself (no 401 reaches the user), and every document
 * is signed once and valid. (The officer's refresh_token path: pkce-refresh.test.ts.)
 */
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, ready, samples, startCscServer, type CscServer } from "@kyso/certs-test";
import { pdfsigAll, runCli, tempDir } from "../bulk/helpers.js";

describe("kyso sign --csc: access tokens expiring during the batch", function () {
  let server: CscServer;
  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer({ accessTokenTtlSeconds: 1, latencyMs: 150, multisign: 2 });
  });
  after(async () => server?.close());

  it("renews them without a word to the user; 8 documents in 4 groups, each signed once and valid", async function () {
    const work = tempDir("csc-token-expiry");
    const inputs = Array.from({ length: 8 }, (_, i) => {
      mkdirSync(join(work, "in"), { recursive: true });
      const f = join(work, "in", `vb-${i}.pdf`);
      copyFileSync(samples.onePage, f);
      appendFileSync(f, `% copy ${i}\n`);
      return f;
    });
    const r = await runCli(["sign", "in", "--out-dir", "out", "--csc", server.url, "--csc-credential", "officer-rsa", "--csc-client-id", CSC_CLIENT_ID, "--json"], {
      cwd: work,
      env: { KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET, KYSO_CSC_PIN: CSC_PIN, KYSO_CSC_OTP: CSC_OTP },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /CSC_|invalid_token|expired/i);
    const s = server.stats();
    // At least 11 calls of 150 ms each (info, token, credentials/info, 4 x authorize + signHash): the
    // first token (renewed by the client after 0.8 s) cannot have lasted the run.
    assert.ok((s.calls["oauth2/token"] ?? 0) >= 2, JSON.stringify(s.calls));
    // Each hash signed once, in 4 groups (a call that met its token expiring on the way is retried once with a new one).
    assert.equal(s.hashesSigned, 8);
    assert.ok(s.calls["signatures/signHash"] >= 4 && s.calls["credentials/authorize"] >= 4, JSON.stringify(s.calls));
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { status?: string });
    assert.equal(events.filter((e) => e.status === "signed").length, 8);
    const judged = await pdfsigAll(inputs.map((f) => f.replace(`${work}/in`, `${work}/out`)));
    for (const [f, v] of judged) {
      assert.ok(v.ok, `pdfsig ${f}\n${v.out}`);
      assert.equal(v.signatures, 1);
    }
  });
});
