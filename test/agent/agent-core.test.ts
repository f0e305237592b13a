// Issue 14: the agent's core, driven as a document system would drive it (the `ws` client, HTTP
// POST), with the demo token (SoftHSM) and a programmatic prompt through the prompt seam. The
// confirmation page in a real browser is covered by the Chromium tests beside these.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { certificatesFromPemOrDer } from "@kyso/core";
import { httpFetcher } from "@kyso/cms";
import { pki, pkcs11Lib, samples, token } from "@kyso/certs-test";
import { STATUS, pkcs11SignerFactory, preparePairing, startAgent, type AgentOptions, type AgentPrompt, type RunningAgent } from "@kyso/agent";
import { opensslCmsVerify, pdfsig, qpdfCheck, tool } from "../support/judges.js";

const work = mkdtempSync(join(tmpdir(), "kyso-agent-"));
const onePage = readFileSync(samples.onePage);
const rootDer = certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.root)));
const chain = certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.officerRsa.chain)));

/** A document system on 127.0.0.1: serves PDFs at /docs/NAME, takes uploads at /upload (multipart field `uploadfile`). */
class DocumentSite {
  server!: Server;
  origin = "";
  readonly uploads: { name: string; bytes: Buffer; authorization?: string; sessionId?: string }[] = [];
  readonly requests: string[] = [];
  readonly docs = new Map<string, Buffer>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  private async handle(req: IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    this.requests.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method === "GET" && req.url?.startsWith("/docs/")) {
      const doc = this.docs.get(decodeURIComponent(req.url.slice(6)));
      if (!doc) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/pdf" }).end(doc);
      return;
    }
    if (req.method === "GET" && req.url === "/redirect-away") {
      res.writeHead(302, { location: "http://localhost:9/elsewhere.pdf" }).end();
      return;
    }
    if (req.method === "POST" && req.url === "/upload") {
      const boundary = /boundary=(.+)$/.exec(String(req.headers["content-type"]))?.[1];
      assert.ok(boundary, "multipart upload");
      const part = parseMultipart(body, boundary);
      this.uploads.push({ ...part, authorization: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ FileServer: `/files/${part.name}`, FileName: part.name }));
      return;
    }
    res.writeHead(404).end();
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

/** The `uploadfile` part (and the SessionId field) of a multipart/form-data body (RFC 7578). */
function parseMultipart(body: Buffer, boundary: string): { name: string; bytes: Buffer; sessionId?: string } {
  const delimiter = Buffer.from(`--${boundary}`);
  let name = "";
  let bytes = Buffer.alloc(0);
  let sessionId: string | undefined;
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    if (/name="uploadfile"/.test(head)) {
      name = /filename="([^"]*)"/.exec(head)?.[1] ?? "";
      bytes = Buffer.from(content);
    } else if (/name="SessionId"/.test(head)) sessionId = content.toString("utf8");
    at = next;
  }
  return { name, bytes, sessionId };
}

/** The test's prompt: counts calls; answers as told (or never, to let a request time out). */
class TestPrompt implements AgentPrompt {
  confirms: { origin: string; operation: string; documents: { name: string; pages: number; kind: string }[] }[] = [];
  pins = 0;
  constructor(
    public answer: boolean | "never" = true,
    public pinValue: string = token.userPin,
  ) {}
  confirm(r: Parameters<AgentPrompt["confirm"]>[0]): Promise<boolean> {
    this.confirms.push({ origin: r.origin, operation: r.operation, documents: r.documents });
    if (this.answer === "never") return new Promise(() => undefined);
    return Promise.resolve(this.answer);
  }
  pin(): Promise<string | null> {
    this.pins++;
    return Promise.resolve(this.pinValue);
  }
}

interface Harness {
  agent: RunningAgent;
  prompt: TestPrompt;
  logins: { count: number };
  auditLog: string;
}

let n = 0;
async function makeAgent(site: DocumentSite, o: { prompt?: TestPrompt; keyLabel?: string; pair?: boolean; options?: Partial<AgentOptions> } = {}): Promise<Harness> {
  const dir = join(work, `agent-${++n}`);
  const pairingStore = join(dir, "pairing.json");
  if (o.pair !== false) await preparePairing(pairingStore, [site.origin]);
  const logins = { count: 0 };
  const prompt = o.prompt ?? new TestPrompt();
  const auditLog = join(dir, "audit.jsonl");
  const agent = await startAgent({
    port: 0,
    allowedOrigins: [site.origin],
    allowHttp: true,
    pairingStore,
    prompt,
    auditLog,
    signerFactory: pkcs11SignerFactory({
      library: pkcs11Lib(), tokenLabel: token.label, keyLabel: o.keyLabel ?? token.keys.officerRsa.label, extraCertificates: chain,
      onLogin: () => logins.count++,
    }),
    certificateCheck: { trustAnchors: rootDer, fetcher: httpFetcher(5000), revocation: "online" },
    ...o.options,
  });
  return { agent, prompt, logins, auditLog };
}

function connect(agent: RunningAgent, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(agent.url, { origin });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`handshake refused: HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
    ws.once("error", reject);
  });
}

function call(ws: WebSocket, message: unknown): Promise<Record<string, any>> {
  return new Promise((resolve) => {
    ws.once("message", (data) => resolve(JSON.parse(data.toString())));
    ws.send(JSON.stringify(message));
  });
}

async function judgeSigned(bytes: Buffer, name: string): Promise<string> {
  const file = join(work, `${++n}-${name}`);
  writeFileSync(file, bytes);
  assert.ok(bytes.subarray(0, onePage.length).equals(onePage), "the source is a byte-identical prefix of the signed file");
  const sigs = await pdfsig(file);
  assert.equal(sigs.length, 1, `pdfsig sees one signature in ${name}`);
  assert.ok(sigs[0].signatureValid, sigs[0].raw);
  assert.ok(sigs[0].certificateTrusted, sigs[0].raw);
  assert.ok(sigs[0].totalDocument, sigs[0].raw);
  assert.equal((await qpdfCheck(file)).code, 0);
  return file;
}

describe("kyso agent core (issue 14)", function () {
  let site: DocumentSite;
  let other: DocumentSite;
  before(async function () {
    site = await new DocumentSite().start();
    other = await new DocumentSite().start();
    site.docs.set("qd-01.pdf", onePage);
    other.docs.set("qd-01.pdf", onePage);
    for (let i = 1; i <= 20; i++) site.docs.set(`lo-${i}.pdf`, onePage);
  });
  after(async function () {
    await site?.close();
    await other?.close();
  });

  it("SignApproved: downloads from the calling site, one confirmation showing the document, signs with the token, uploads as uploadfile with the JWT; valid in pdfsig, with the personal appearance", async function () {
    const h = await makeAgent(site);
    try {
      const ws = await connect(h.agent, site.origin);
      const answer = await call(ws, {
        FunctionName: "SignApproved",
        // Parameters as a JSON string, as some VGCA versions send them.
        Parameters: JSON.stringify({
          FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload"), SessionId: "S-1", JWTToken: "jwt-abc",
          MetaData: [{ Key: "page", Value: "1" }],
        }),
      });
      ws.close();
      assert.equal(answer.Status, STATUS.OK, answer.Message);
      assert.equal(answer.FunctionName, "SignApproved");
      assert.equal(answer.FileServer, "/files/qd-01.pdf");
      assert.equal(h.prompt.confirms.length, 1);
      assert.deepEqual(h.prompt.confirms[0].documents, [{ name: "qd-01.pdf", pages: 1, sizeBytes: onePage.length, kind: "personal" }]);
      assert.equal(h.prompt.pins, 1);
      assert.equal(h.logins.count, 1);
      assert.equal(site.uploads.length, 1);
      const up = site.uploads[0];
      assert.equal(up.name, "qd-01.pdf");
      assert.equal(up.authorization, "Bearer jwt-abc");
      assert.equal(up.sessionId, "S-1");
      await judgeSigned(up.bytes, "approved.pdf");
      // The personal appearance: a visible widget on page 1 with an appearance stream (the signature image).
      const update = up.bytes.subarray(onePage.length).toString("latin1");
      assert.match(update, /\/AP\s*<<\s*\/N/);
      const rect = /\/Rect\s*\[\s*([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s*\]/.exec(update);
      assert.ok(rect && Number(rect[3]) > Number(rect[1]) && Number(rect[4]) > Number(rect[2]), "a visible box");
      await h.agent.close();
      const audit = readFileSync(h.auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      const ok = audit.find((e) => e.operation === "SignApproved" && e.outcome === "ok");
      assert.ok(ok, JSON.stringify(audit));
      assert.equal(ok.origin, site.origin);
      assert.equal(ok.sha256, createHash("sha256").update(onePage).digest("hex"));
      assert.ok(!readFileSync(h.auditLog, "utf8").includes(token.userPin), "the audit log never holds the PIN");
      assert.ok(!readFileSync(h.auditLog, "utf8").includes("jwt-abc"), "nor the JWT");
    } finally {
      await h.agent.close();
      site.uploads.length = 0;
    }
  });

  it("a batch of 20 (Files) needs one confirmation, one PIN and one C_Login; all 20 uploaded and valid", async function () {
    const h = await makeAgent(site);
    try {
      const ws = await connect(h.agent, site.origin);
      const files = Array.from({ length: 20 }, (_, i) => ({ FileID: `F${i + 1}`, FileName: `lo-${i + 1}.pdf`, URL: site.url(`/docs/lo-${i + 1}.pdf`) }));
      const answer = await call(ws, { FunctionName: "SignApproved", FileUploadHandler: site.url("/upload"), Files: files });
      ws.close();
      assert.equal(answer.Status, STATUS.OK, answer.Message);
      assert.equal(answer.Files.length, 20);
      assert.deepEqual(answer.Files.map((f: { FileID: string }) => f.FileID), files.map((f) => f.FileID));
      assert.equal(h.prompt.confirms.length, 1, "one confirmation for the batch");
      assert.equal(h.prompt.confirms[0].documents.length, 20);
      assert.equal(h.prompt.pins, 1, "one PIN entry");
      assert.equal(h.logins.count, 1, "one C_Login");
      assert.equal(site.uploads.length, 20);
      for (const up of site.uploads) await judgeSigned(up.bytes, up.name);
      // The session stays logged in: a second request needs a confirmation but no PIN.
      const ws2 = await connect(h.agent, site.origin);
      const again = await call(ws2, { FunctionName: "SignPDF", FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload") });
      ws2.close();
      assert.equal(again.Status, STATUS.OK, again.Message);
      assert.equal(h.prompt.confirms.length, 2);
      assert.equal(h.prompt.pins, 1);
      assert.equal(h.logins.count, 1);
    } finally {
      await h.agent.close();
      site.uploads.length = 0;
    }
  });

  it("a page from a non-allowed origin is refused at the handshake (403) and logged", async function () {
    const h = await makeAgent(site);
    try {
      await assert.rejects(connect(h.agent, "https://evil.example"), (e: { statusCode?: number }) => e.statusCode === 403);
      await assert.rejects(connect(h.agent, other.origin), (e: { statusCode?: number }) => e.statusCode === 403);
      // And over HTTP: no CORS for it, 403.
      const r = await fetch(`${h.agent.httpUrl}/v1/certificates`, { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: "{}" });
      assert.equal(r.status, 403);
      assert.equal(r.headers.get("access-control-allow-origin"), null);
      await h.agent.close();
      const audit = readFileSync(h.auditLog, "utf8");
      assert.match(audit, /"origin":"https:\/\/evil\.example","operation":"connect","outcome":"refused"/);
      assert.equal(h.prompt.confirms.length, 0);
    } finally {
      await h.agent.close();
    }
  });

  it("a FileName on another host is refused before anything is fetched (and a redirect elsewhere too)", async function () {
    const h = await makeAgent(site);
    try {
      const ws = await connect(h.agent, site.origin);
      const before = other.requests.length;
      const a = await call(ws, { FunctionName: "SignApproved", FileName: other.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload") });
      assert.equal(a.Status, STATUS.URL_NOT_ALLOWED, a.Message);
      assert.equal(other.requests.length, before, "the other host was never asked");
      const b = await call(ws, { FunctionName: "SignApproved", FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: other.url("/upload") });
      assert.equal(b.Status, STATUS.URL_NOT_ALLOWED, "an upload elsewhere is refused too");
      const c = await call(ws, { FunctionName: "SignApproved", FileName: site.url("/redirect-away"), FileUploadHandler: site.url("/upload") });
      assert.equal(c.Status, STATUS.URL_NOT_ALLOWED, c.Message);
      ws.close();
      assert.equal(h.prompt.confirms.length, 0);
      assert.equal(h.logins.count, 0);
    } finally {
      await h.agent.close();
    }
  });

  it("http:// documents are refused unless the configuration allows them", async function () {
    const h = await makeAgent(site, { options: { allowHttp: false } });
    try {
      const ws = await connect(h.agent, site.origin);
      const a = await call(ws, { FunctionName: "SignApproved", FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload") });
      ws.close();
      assert.equal(a.Status, STATUS.URL_NOT_ALLOWED);
      assert.match(a.Message, /https/);
    } finally {
      await h.agent.close();
    }
  });

  it("a request left unconfirmed times out with its own Status: no login, nothing uploaded", async function () {
    const h = await makeAgent(site, { prompt: new TestPrompt("never"), options: { limits: { confirmTimeoutMs: 300 } } });
    try {
      const ws = await connect(h.agent, site.origin);
      const a = await call(ws, { FunctionName: "SignApproved", FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload") });
      ws.close();
      assert.equal(a.Status, STATUS.CONFIRM_TIMEOUT, a.Message);
      assert.equal(h.logins.count, 0);
      assert.equal(site.uploads.length, 0);
    } finally {
      await h.agent.close();
    }
  });

  it("a refusal by the officer ends the request with its Status", async function () {
    const h = await makeAgent(site, { prompt: new TestPrompt(false) });
    try {
      const ws = await connect(h.agent, site.origin);
      const a = await call(ws, { FunctionName: "SignCopy", FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload") });
      ws.close();
      assert.equal(a.Status, STATUS.REJECTED);
      assert.equal(h.prompt.confirms[0].documents[0].kind, "copy");
      assert.equal(h.logins.count, 0);
      assert.equal(site.uploads.length, 0);
    } finally {
      await h.agent.close();
    }
  });

  it("a wrong PIN ends the request with one C_Login and nothing uploaded", async function () {
    const h = await makeAgent(site, { prompt: new TestPrompt(true, "000000") });
    try {
      const ws = await connect(h.agent, site.origin);
      const files = [1, 2, 3].map((i) => ({ FileID: `F${i}`, URL: site.url(`/docs/lo-${i}.pdf`) }));
      const a = await call(ws, { FunctionName: "SignApproved", FileUploadHandler: site.url("/upload"), Files: files });
      ws.close();
      assert.equal(a.Status, STATUS.PIN_FAILED, a.Message);
      assert.match(a.Message, /Wrong PIN/);
      assert.equal(h.prompt.pins, 1);
      assert.equal(h.logins.count, 1, "exactly one login attempt");
      assert.equal(site.uploads.length, 0);
      await h.agent.close();
      assert.ok(!readFileSync(h.auditLog, "utf8").includes("000000"), "the audit log never holds the PIN");
    } finally {
      await h.agent.close();
    }
  });

  it("SignIssued on a document with no earlier signature returns a non-zero Status with a clear message, before any confirmation", async function () {
    const h = await makeAgent(site);
    try {
      const ws = await connect(h.agent, site.origin);
      const a = await call(ws, { FunctionName: "SignIssued", FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload") });
      ws.close();
      assert.equal(a.Status, STATUS.DOCUMENT_REFUSED);
      assert.match(a.Message, /signature/i);
      assert.equal(h.prompt.confirms.length, 0);
      assert.equal(h.logins.count, 0);
    } finally {
      await h.agent.close();
    }
  });

  it("a revoked certificate is refused before the PIN is asked", async function () {
    const h = await makeAgent(site, { keyLabel: token.keys.revoked.label });
    try {
      const ws = await connect(h.agent, site.origin);
      const a = await call(ws, { FunctionName: "SignApproved", FileName: site.url("/docs/qd-01.pdf"), FileUploadHandler: site.url("/upload") });
      ws.close();
      assert.equal(a.Status, STATUS.CERTIFICATE_REFUSED, a.Message);
      assert.equal(a.Code, "CERT_REVOKED");
      assert.equal(h.prompt.pins, 0);
      assert.equal(h.logins.count, 0);
      assert.equal(site.uploads.length, 0);
    } finally {
      await h.agent.close();
    }
  });

  it("the first request of an unpaired origin asks to pair it once; a refusal is its own Status", async function () {
    const prompt = new TestPrompt(false);
    const h = await makeAgent(site, { prompt, pair: false });
    try {
      const ws = await connect(h.agent, site.origin);
      const a = await call(ws, { v: 1, id: "c1", op: "certificates" });
      assert.equal(a.ok, false);
      assert.equal(a.status, STATUS.NOT_PAIRED);
      assert.equal(prompt.confirms[0].operation, "pair");
      prompt.answer = true;
      const b = await call(ws, { v: 1, id: "c2", op: "certificates" });
      assert.equal(b.ok, true, JSON.stringify(b));
      const c = await call(ws, { FunctionName: "GetCertInfo" });
      // The same call JSON-encoded twice, as some page scripts send it, is the same call.
      const twice = await call(ws, JSON.stringify({ FunctionName: "GetCertInfo" }));
      assert.equal(twice.Status, STATUS.OK, JSON.stringify(twice));
      const byId = (l: Array<{ KeyId: string; SerialNumber: string }>): string[] => l.map((x) => `${x.KeyId}/${x.SerialNumber}`).sort();
      assert.deepEqual(byId(twice.Certificates), byId(c.Certificates));
      ws.close();
      assert.equal(prompt.confirms.length, 2, "paired once, remembered");
      assert.equal(c.Status, STATUS.OK);
      assert.ok(c.Certificates.some((x: { CommonName: string; Label: string }) => x.Label === token.keys.officerRsa.label));
      assert.ok(b.result.certificates.length >= 1);
      assert.equal(h.logins.count, 0, "certificates are read without login");
    } finally {
      await h.agent.close();
    }
  });

  it("signHash (v1 over the socket): a detached CMS SignedData that openssl cms verifies over the content", async function () {
    const h = await makeAgent(site);
    try {
      const content = Buffer.from("the byte ranges of a PDF the caller prepared itself");
      const digest = createHash("sha256").update(content).digest("base64");
      const ws = await connect(h.agent, site.origin);
      const a = await call(ws, { v: 1, id: "h1", op: "signHash", digest, digestAlgorithm: "SHA-256", name: "qd-99.pdf" });
      ws.close();
      assert.equal(a.ok, true, JSON.stringify(a));
      assert.equal(a.id, "h1");
      writeFileSync(join(work, "hash.cms"), Buffer.from(a.result.cms, "base64"));
      writeFileSync(join(work, "hash.content"), content);
      const r = await tool("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", join(work, "hash.cms"), "-content", join(work, "hash.content"), "-CAfile", pki.root, "-purpose", "any", "-out", "/dev/null"]);
      assert.equal(r.code, 0, r.stderr);
      writeFileSync(join(work, "hash.other"), Buffer.from("something else"));
      const wrong = await tool("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", join(work, "hash.cms"), "-content", join(work, "hash.other"), "-CAfile", pki.root, "-purpose", "any", "-out", "/dev/null"]);
      assert.notEqual(wrong.code, 0, "other content must not verify");
      assert.equal(h.prompt.confirms[0].operation, "signHash");
    } finally {
      await h.agent.close();
    }
  });

  it("v1 over HTTP POST: sign with the document's bytes returns the signed bytes (CORS for the allowed origin only); verify reports it", async function () {
    const h = await makeAgent(site);
    try {
      const r = await fetch(`${h.agent.httpUrl}/v1/sign`, {
        method: "POST",
        headers: { origin: site.origin, "content-type": "application/json" },
        body: JSON.stringify({ id: "p1", document: { name: "cv-12.pdf", data: onePage.toString("base64") }, appearance: { kind: "incoming", arrivalNo: "1234" }, reason: "Tiếp nhận" }),
      });
      const a = (await r.json()) as Record<string, any>;
      assert.equal(r.status, 200, JSON.stringify(a));
      assert.equal(r.headers.get("access-control-allow-origin"), site.origin);
      assert.equal(a.ok, true);
      const signed = Buffer.from(a.result.data, "base64");
      const file = await judgeSigned(signed, "incoming.pdf");
      assert.equal((await opensslCmsVerify(file, 0)).code, 0);
      assert.match((await tool("pdftotext", [file, "-"])).stdout, /1234/);
      assert.equal(h.prompt.confirms[0].documents[0].kind, "incoming");

      const pre = await fetch(`${h.agent.httpUrl}/v1/sign`, { method: "OPTIONS", headers: { origin: site.origin, "access-control-request-method": "POST" } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get("access-control-allow-origin"), site.origin);

      const v = await fetch(`${h.agent.httpUrl}/v1/verify`, { method: "POST", headers: { origin: site.origin, "content-type": "application/json" }, body: JSON.stringify({ document: { name: "incoming.pdf", data: signed.toString("base64") } }) });
      const report = ((await v.json()) as Record<string, any>).result.report;
      assert.equal(report.signatures.length, 1);
    } finally {
      await h.agent.close();
    }
  });

  it("the confirmation page: answers only by a POST from the agent's own origin with the request's token; never framed", async function () {
    const dir = join(work, "page");
    await preparePairing(join(dir, "pairing.json"), [site.origin]);
    const agent = await startAgent({
      port: 0, allowedOrigins: [site.origin], allowHttp: true, pairingStore: join(dir, "pairing.json"), auditLog: join(dir, "audit.jsonl"),
      signerFactory: pkcs11SignerFactory({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label }),
      limits: { confirmTimeoutMs: 60_000 },
    });
    try {
      const ws = await connect(agent, site.origin);
      const pending = call(ws, { FunctionName: "SignApproved", FileName: site.url("/docs/qd-01.pdf") });
      let html = "";
      for (let i = 0; i < 100 && !html.includes('data-action="approve"'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        const page = await fetch(`${agent.httpUrl}/confirm`);
        assert.equal(page.headers.get("x-frame-options"), "DENY");
        assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
        html = await page.text();
      }
      assert.match(html, /qd-01\.pdf/);
      assert.match(html, new RegExp(site.origin.replace(/[.:/]/g, "\\$&")));
      assert.match(html, /Đồng ý ký/);
      const key = /name="key" value="([^"]+)"/.exec(html)![1];
      const tok = /name="token" value="([^"]+)"/.exec(html)![1];
      const form = (action: string, t = tok) => new URLSearchParams({ key, token: t, action }).toString();
      const post = (origin: string, body: string) =>
        fetch(`${agent.httpUrl}/confirm/answer`, { method: "POST", redirect: "manual", headers: { origin, "content-type": "application/x-www-form-urlencoded" }, body });
      assert.equal((await post(site.origin, form("approve"))).status, 403, "the document site cannot approve");
      assert.equal((await post("https://evil.example", form("approve"))).status, 403);
      assert.equal((await post(agent.httpUrl, form("approve", "wrong-token"))).status, 409, "a guessed token is refused");
      // The officer refuses (the approving path is the Chromium tests'): the request ends with REJECTED.
      assert.equal((await post(agent.httpUrl, form("reject"))).status, 303);
      const a = await pending;
      ws.close();
      assert.equal(a.Status, STATUS.REJECTED);
    } finally {
      await agent.close();
    }
  });
});
