// Issue 14 x 15: the agent signs with every signer `kyso sign` has. A remote (CSC) credential and a
// PKCS#12 file, opened by the CLI's own code (agentSignerFactory over openSigner) with every secret
// asked in the agent's prompt; the phone's approval shown on /confirm; and the kept session ended as
// soon as the token goes (an injected presence probe here; a token really deleted from a private
// SoftHSM copy under the spawned agent in agent-token-removal.test.ts).
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { get as httpGet, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { certificatesFromPemOrDer } from "@kyso/core";
import { httpFetcher } from "@kyso/cms";
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, p12Password, pki, pkcs11Lib, samples, startCscServer, startDocsys, token, type CscServer, type RunningDocsys } from "@kyso/certs-test";
import {
  STATUS, pkcs11SignerFactory, preparePairing, startAgent,
  type AgentLogEvent, type AgentOptions, type AgentPrompt, type ConfirmRequest, type RunningAgent, type SecretRequest, type SignerFactory, type WaitingRequest,
} from "@kyso/agent";
import { agentSignerFactory } from "../../cli/src/commands/agent/signer-factory.js";
import type { Io } from "../../cli/src/command.js";
import { opensslCmsVerify, pdfsig, qpdfCheck } from "../support/judges.js";
import { callAgent, siteJwt } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "kyso-agent-signers-"));
const rootDer = certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.root)));
const onePage = readFileSync(samples.onePage);

/** The officer, played by the test: approves, types what each secret asks for, records everything. */
class OfficerPrompt implements AgentPrompt {
  confirms: ConfirmRequest[] = [];
  secrets: { kind: string; label: string }[] = [];
  waits: WaitingRequest[] = [];
  onWaiting: (r: WaitingRequest) => void = () => undefined;
  constructor(private readonly page?: AgentPrompt) {}
  confirm(r: ConfirmRequest): Promise<boolean> {
    this.confirms.push(r);
    return Promise.resolve(true);
  }
  pin(): Promise<string | null> {
    throw new Error("the agent asks through secret() when the prompt has it");
  }
  secret(r: SecretRequest): Promise<string | null> {
    this.secrets.push({ kind: r.kind, label: r.label });
    return Promise.resolve(r.kind === "otp" ? CSC_OTP : r.kind === "password" ? p12Password : r.label.startsWith("credential") ? CSC_PIN : token.userPin);
  }
  waiting(r: WaitingRequest): () => void {
    this.waits.push(r);
    const down = this.page?.waiting?.(r) ?? (() => undefined);
    this.onWaiting(r);
    return down;
  }
}

function testIo(env: NodeJS.ProcessEnv = {}): Io & { err: () => string } {
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (d: Buffer) => (text += d.toString("utf8")));
  return { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: { KYSO_LANG: "en", ...env }, cwd: work, err: () => text };
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

function postJson(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(data);
  });
}

let n = 0;
async function makeAgent(site: RunningDocsys, signerFactory: SignerFactory, prompt: AgentOptions["prompt"], extra: Partial<AgentOptions> = {}): Promise<RunningAgent> {
  const dir = join(work, `agent-${++n}`);
  const pairingStore = join(dir, "pairing.json");
  await preparePairing(pairingStore, [site.url]);
  return startAgent({
    port: 0,
    allowedOrigins: [site.url],
    allowHttp: true,
    pairingStore,
    auditLog: join(dir, "audit.jsonl"),
    prompt,
    signerFactory,
    certificateCheck: { trustAnchors: rootDer, fetcher: httpFetcher(5000), revocation: "online" },
    ...extra,
  });
}

/** Every upload of the batch: a valid signature over the whole document, trusted, by `name`; openssl cms agrees. */
async function judgeUploads(site: RunningDocsys, from: number, count: number, name: RegExp): Promise<void> {
  const ups = site.uploads.slice(from);
  assert.equal(ups.length, count, "every document was uploaded");
  for (const up of ups) {
    const signed = readFileSync(up.path);
    assert.ok(signed.subarray(0, onePage.length).equals(onePage), "the source is a byte-identical prefix of the upload");
    const sigs = await pdfsig(up.path);
    assert.equal(sigs.length, 1, `pdfsig sees one signature in ${up.path}`);
    assert.ok(sigs[0].signatureValid, sigs[0].raw);
    assert.ok(sigs[0].certificateTrusted, sigs[0].raw);
    assert.ok(sigs[0].totalDocument, sigs[0].raw);
    assert.match(sigs[0].raw, name);
    assert.equal((await qpdfCheck(up.path)).code, 0);
    assert.equal((await opensslCmsVerify(up.path, 0)).code, 0, `openssl cms ${up.path}`);
  }
}

describe("kyso agent with every signer of kyso sign (PKCS#12, CSC) and the kept session's end", function () {
  let site: RunningDocsys;
  let jwt: string;
  let csc: CscServer;
  const docs = Array.from({ length: 5 }, (_, i) => ({ id: `lo-${i + 1}`, title: `Công văn ${i + 1}`, file: samples.onePage }));

  before(async function () {
    site = await startDocsys({ https: false, documents: docs });
    jwt = await siteJwt(site);
    csc = await startCscServer({ multisign: 2 });
  });
  after(async function () {
    await csc?.close();
    await site?.close();
  });

  const files = (): { FileID: string; FileName: string; URL: string }[] => docs.map((d) => ({ FileID: d.id, FileName: `${d.id}.pdf`, URL: `${site.url}/files/${d.id}` }));
  const cscArgs = { csc: "", cscCredential: "officer-ec", cscClientId: CSC_CLIENT_ID };

  it("CSC (officer-ec, multisign 2): a SignApproved batch of 5, one confirmation, the PIN once and an OTP per authorization in the agent's prompt, ceil(5/2) = 3 signHash calls, 5 valid uploads", async function () {
    csc.reset();
    const prompt = new OfficerPrompt();
    const io = testIo({ KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET });
    const agent = await makeAgent(site, agentSignerFactory({ ...cscArgs, csc: csc.url }, io), prompt);
    const before = site.uploads.length;
    try {
      const answer = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileUploadHandler: `${site.url}/upload/lo-1`, Files: files().map((f) => ({ ...f })) });
      assert.equal(answer.Status, STATUS.OK, JSON.stringify(answer));
      assert.equal(answer.Files.length, 5);
      assert.equal(prompt.confirms.length, 1, "one confirmation for the batch");
      assert.equal(prompt.confirms[0].documents.length, 5);
      const stats = csc.stats();
      assert.equal(stats.calls["signatures/signHash"], Math.ceil(5 / 2), "ceil(5 / multisign) signHash calls");
      assert.equal(stats.calls["credentials/authorize"], 3, "one authorization per group (a SAD is bound to its hashes)");
      assert.equal(stats.hashesSigned, 5);
      assert.deepEqual(prompt.secrets.map((s) => s.kind), ["pin", "otp", "otp", "otp"], "the PIN once for the request, an OTP for each authorization");
      assert.ok(prompt.secrets.every((s) => s.label === 'credential "officer-ec"'), JSON.stringify(prompt.secrets));
      await judgeUploads(site, before, 5, /Trần Thị Bình/);

      // The OAuth token is kept with the session: a second request signs in no more, but authorizes its own hashes.
      const tokens = csc.stats().calls["oauth2/token"] ?? 0;
      const again = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/lo-1`, FileUploadHandler: `${site.url}/upload/lo-1` });
      assert.equal(again.Status, STATUS.OK, JSON.stringify(again));
      assert.equal(csc.stats().calls["oauth2/token"] ?? 0, tokens, "no new sign-in while the session is kept");
      assert.equal(csc.stats().calls["credentials/authorize"], 4);
      assert.deepEqual(prompt.secrets.slice(4).map((s) => s.kind), ["pin", "otp"], "a new request: its own PIN and OTP");
      assert.doesNotMatch(io.err(), new RegExp(`${CSC_PIN}|${CSC_OTP}|${CSC_CLIENT_SECRET}`), "no secret is written out");
    } finally {
      await agent.close();
    }
  });

  it("CSC asynchronous approval: the request waits for the phone with the waiting card on /confirm, then signs once approved", async function () {
    csc.reset();
    csc.configure({ asyncApproval: true });
    const io = testIo({ KYSO_CSC_CLIENT_SECRET: CSC_CLIENT_SECRET });
    let prompt!: OfficerPrompt;
    let agentRef: RunningAgent | undefined;
    const seen: string[] = [];
    const agent = await makeAgent(site, agentSignerFactory({ ...cscArgs, csc: csc.url, cscAsync: true }, io), (page) => {
      prompt = new OfficerPrompt(page);
      prompt.onWaiting = () => {
        // The officer looks at the agent's page, then approves on the "phone" (the test server's control).
        void (async () => {
          seen.push(await fetchText(`${agentRef!.httpUrl}/confirm?lang=en`));
          const base = csc.url.replace(/\/csc\/v2$/, "");
          const pending = await fetchText(`${base}/csc/test/pending`);
          const id = /data-response-id="([^"]+)"/.exec(pending)?.[1];
          assert.ok(id, "a pending approval at the service");
          assert.equal(await postJson(`${base}/csc/test/approve`, { responseID: id }), 200);
        })().catch((e: Error) => seen.push(`error: ${e.message}`));
      };
      return prompt;
    });
    agentRef = agent;
    const before = site.uploads.length;
    try {
      const answer = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/lo-2`, FileUploadHandler: `${site.url}/upload/lo-2` });
      assert.equal(answer.Status, STATUS.OK, JSON.stringify(answer) + seen.join("\n"));
      assert.equal(prompt.waits.length, 1, "one wait for the phone");
      assert.equal(prompt.waits[0].count, 1);
      assert.match(seen[0], /<section class="card" data-kind="waiting" data-origin="[^"]+"><h2>Waiting for approval on your phone<\/h2>/);
      assert.match(seen[0], /approve signing 1 document/);
      const after = await fetchText(`${agent.httpUrl}/confirm?lang=en`);
      assert.doesNotMatch(after, /data-kind="waiting"/, "the card is gone once approved");
      await judgeUploads(site, before, 1, /Trần Thị Bình/);
    } finally {
      await agent.close();
      csc.reset();
    }
  });

  it("PKCS#12: the password asked once in the agent's prompt (kind password), then the file's key kept for the session; valid uploads", async function () {
    const prompt = new OfficerPrompt();
    const agent = await makeAgent(site, agentSignerFactory({ p12: pki.officerRsa.p12, chain: [pki.officerRsa.chain] }, testIo()), prompt);
    const before = site.uploads.length;
    try {
      for (const id of ["lo-3", "lo-4"]) {
        const answer = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/${id}`, FileUploadHandler: `${site.url}/upload/${id}` });
        assert.equal(answer.Status, STATUS.OK, JSON.stringify(answer));
      }
      assert.deepEqual(prompt.secrets, [{ kind: "password", label: "officer-rsa.p12" }], "the password once for the session");
      assert.equal(prompt.confirms.length, 2);
      await judgeUploads(site, before, 2, /Nguyễn Văn An/);
    } finally {
      await agent.close();
    }
  });

  it("a wrong PKCS#12 password ends the request with its code, nothing uploaded", async function () {
    const prompt = new OfficerPrompt();
    prompt.secret = () => Promise.resolve("not-the-password");
    const agent = await makeAgent(site, agentSignerFactory({ p12: pki.officerRsa.p12 }, testIo()), prompt);
    const before = site.uploads.length;
    try {
      const answer = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/lo-5`, FileUploadHandler: `${site.url}/upload/lo-5` });
      assert.notEqual(answer.Status, STATUS.OK);
      assert.equal(answer.Code, "P12_BAD_PASSWORD", JSON.stringify(answer));
      assert.equal(site.uploads.length, before);
    } finally {
      await agent.close();
    }
  });

  it("the token's presence is watched while the session is kept: gone (an injected probe), the session closes at once and the next request asks the PIN again", async function () {
    let present = true;
    const events: AgentLogEvent[] = [];
    const tokenFactory = pkcs11SignerFactory({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, extraCertificates: certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.officerRsa.chain))) });
    let probes = 0;
    const watched: SignerFactory = {
      certificates: () => tokenFactory.certificates(),
      open: async (hooks) => {
        const o = await tokenFactory.open(hooks);
        assert.equal(typeof o.present, "function", "the PKCS#11 signer has a presence probe");
        assert.equal(await o.present!(), true, "the real probe sees the token");
        return {
          ...o,
          present: () => {
            probes++;
            return present;
          },
        };
      },
    };
    const prompt = new OfficerPrompt();
    const agent = await makeAgent(site, watched, prompt, { sessionWatchMs: 50, log: (e) => events.push(e) });
    try {
      const first = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/lo-1`, FileUploadHandler: `${site.url}/upload/lo-1` });
      assert.equal(first.Status, STATUS.OK, JSON.stringify(first));
      assert.equal(prompt.secrets.filter((s) => s.kind === "pin").length, 1);
      while (probes < 2) await new Promise((r) => setTimeout(r, 20));
      assert.ok(!events.some((e) => e.code === "AGENT_SESSION_CLOSED"), "kept while the token is there");
      present = false;
      while (!events.some((e) => e.code === "AGENT_SESSION_CLOSED")) await new Promise((r) => setTimeout(r, 20));
      const closed = events.filter((e) => e.code === "AGENT_SESSION_CLOSED");
      assert.deepEqual(closed.map((e) => [e.params, e.message]), [[{ reason: "removed" }, "token session closed: the token was removed"]], events.map((e) => e.message).join("\n"));
      present = true;
      const second = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/lo-2`, FileUploadHandler: `${site.url}/upload/lo-2` });
      assert.equal(second.Status, STATUS.OK, JSON.stringify(second));
      assert.equal(prompt.secrets.filter((s) => s.kind === "pin").length, 2, "a new session: the PIN again");
    } finally {
      await agent.close();
    }
  });

  it("a locked screen (an injected probe) ends the kept session", async function () {
    let locked = false;
    const events: AgentLogEvent[] = [];
    const prompt = new OfficerPrompt();
    const factory = pkcs11SignerFactory({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, extraCertificates: certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.officerRsa.chain))) });
    const agent = await makeAgent(site, factory, prompt, { sessionWatchMs: 50, screenLocked: async () => locked, log: (e) => events.push(e) });
    try {
      const first = await callAgent(agent.url, site.url, { FunctionName: "SignApproved", JWTToken: jwt, FileName: `${site.url}/files/lo-3`, FileUploadHandler: `${site.url}/upload/lo-3` });
      assert.equal(first.Status, STATUS.OK, JSON.stringify(first));
      locked = true;
      while (!events.some((e) => e.code === "AGENT_SESSION_CLOSED")) await new Promise((r) => setTimeout(r, 20));
      const closed = events.filter((e) => e.code === "AGENT_SESSION_CLOSED");
      assert.deepEqual(closed.map((e) => [e.params, e.message]), [[{ reason: "locked" }, "token session closed: the screen was locked"]], events.map((e) => e.message).join("\n"));
    } finally {
      await agent.close();
    }
  });
});
