/** `kyso csc credentials` against the CSC test server: the table, --json, and a refused client secret. */
import assert from "node:assert/strict";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, ready, startCscServer, type CscServer } from "@kyso/certs-test";
import { runCli } from "../bulk/helpers.js";

describe("kyso csc credentials", function () {
  let server: CscServer;
  before(async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    server = await startCscServer();
  });
  after(async () => server?.close());

  it("lists the credentials as a table (Vietnamese headers under a vi locale) and as JSON", async function () {
    const args = ["csc", "credentials", "--csc", server.url, "--csc-client-id", CSC_CLIENT_ID];
    const table = await runCli(args, { env: { KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET, LANG: "vi_VN.UTF-8" } });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^Mã\s+Chủ thể\s+Khóa\s+Hiệu lực đến/);
    assert.match(table.stdout, /officer-rsa\s+Nguyễn Văn An\s+RSA 2048/);
    assert.match(table.stdout, /officer-ec\s+Trần Thị Bình\s+EC P-256/);
    const json = await runCli([...args, "--json"], { env: { KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET } });
    assert.equal(json.status, 0, json.stderr);
    const v = JSON.parse(json.stdout) as { credentials: { id: string; multisign: number; scal: string; notAfter: string; certificates: number }[] };
    assert.deepEqual(v.credentials.map((c) => c.id).sort(), ["officer-ec", "officer-rsa"]);
    for (const c of v.credentials) {
      assert.equal(c.multisign, 50);
      assert.equal(c.scal, "2");
      assert.equal(c.certificates, 3);
      assert.match(c.notAfter, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
    }
  });

  it("a wrong client secret: exit 2 with the service's reason, the secret not shown", async function () {
    const r = await runCli(["csc", "credentials", "--csc", server.url, "--csc-client-id", CSC_CLIENT_ID], { env: { KYSO_CSC_CLIENT_SECRET: "not-the-secret-42" } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /invalid_client/);
    assert.ok(!r.stderr.includes("not-the-secret-42"));
  });

  it("--help: each example says what it does, in English and in Vietnamese", async function () {
    for (const [lang, heading, texts] of [
      ["C.UTF-8", "Examples:", [/List the credentials a service/, /Sign in as an officer in the/]],
      ["vi_VN.UTF-8", "Ví dụ:", [/Liệt kê các chứng thư số/, /Cán bộ đăng nhập trên trình/]],
    ] as const) {
      const r = await runCli(["csc", "--help"], { env: { LANG: lang } });
      assert.equal(r.status, 0, r.stderr);
      const examples = r.stdout.slice(r.stdout.indexOf(heading));
      assert.ok(r.stdout.includes(heading), r.stdout);
      // yargs sets a described example's text in a column beside its command (wrapped).
      for (const text of texts) assert.match(examples, new RegExp(`^  (KYSO_CSC_CLIENT_SECRET|kyso csc credentials)\\S*.*\\s{2,}${text.source}`, "m"));
    }
  });

  it("no secret and no terminal: a clear error, exit 2", async function () {
    const r = await runCli(["csc", "credentials", "--csc", server.url, "--csc-client-id", CSC_CLIENT_ID]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /client secret/i);
  });
});
