/**
 * The test PKI's online services on 127.0.0.1: an RFC 3161 time-stamp authority, an OCSP responder
 * (RFC 6960), the CRLs and the CA certificates over HTTP. The certificates name these URLs
 * (a port chosen when the PKI is generated, `out/server-port`), so tests and the demo start them
 * there. Test material only: the TSA and OCSP keys
 * are public.
 *
 * Failure modes for tests, chosen by path: `/tsa/slow`, `/tsa/wrong-imprint`, `/tsa/garbage`,
 * `/tsa/reject`, `/ocsp/slow`, `/ocsp/garbage`. `?genTime=ISO` on `/tsa` backdates a token
 * (a TSA whose clock is wrong; tests use it to place a signature before a revocation).
 */
import { createHash, createPrivateKey, randomBytes, sign as nodeSign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  certificatesFromPemOrDer, children, contextConstructed, decodeOid, derNull, generalizedTime, octetString, oid,
  readTlv, sequence, setOf, smallInteger, tlv, unsignedInteger, type Der, type DerNode,
} from "@kyso/core";
import { caDir, pki, serverPort } from "./layout.js";
import { serverLife } from "./server-life.js";

export interface TestServersOptions {
  /** Default: the port in the certificates (chosen when the PKI was generated). 0 picks a free one (then the certificates' URLs do not reach it). */
  port?: number;
  host?: string;
  /** The TSA's and OCSP responder's clock. */
  now?: () => Date;
  /** How long the `slow` modes wait before answering (default 30 s). */
  slowMs?: number;
}

export interface TestServers {
  /** e.g. `http://127.0.0.1:PORT` */
  readonly base: string;
  readonly tsaUrl: string;
  readonly ocspUrl: string;
  /** Requests served so far, by first path segment (`tsa`, `ocsp`, `crl`, `certs`). */
  readonly hits: Record<string, number>;
  /** Another process serves this port (same PKI): its clock and modes apply, hits are not counted. */
  readonly foreign?: boolean;
  close(): Promise<void>;
}

const OIDS = {
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  signedData: "1.2.840.113549.1.7.2",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  ocspBasic: "1.3.6.1.5.5.7.48.1.1",
  ocspNonce: "1.3.6.1.5.5.7.48.1.2",
  /** A policy under the arc reserved for examples; this TSA is not a real one. */
  tsaPolicy: "1.3.6.1.4.1.55555.7.1",
};
const HASH_NAMES: Record<string, string> = { [OIDS.sha1]: "sha1", [OIDS.sha256]: "sha256", [OIDS.sha384]: "sha384", [OIDS.sha512]: "sha512" };

interface Party {
  cert: Uint8Array;
  key: KeyObject;
}

interface Material {
  root: Party;
  intermediate: Party;
  tsa: Party;
  ocsp: Party;
  intermediateCrl: Uint8Array;
  rootCrl: Uint8Array;
}

function loadParty(certPath: string, keyPath: string): Party {
  return { cert: certificatesFromPemOrDer(new Uint8Array(readFileSync(certPath)))[0], key: createPrivateKey(readFileSync(keyPath)) };
}

function loadMaterial(): Material {
  return {
    root: loadParty(pki.root, pki.rootKey),
    intermediate: loadParty(pki.intermediate, pki.intermediateKey),
    tsa: loadParty(pki.tsa.cert, pki.tsa.key),
    ocsp: loadParty(pki.ocsp.cert, pki.ocsp.key),
    intermediateCrl: new Uint8Array(readFileSync(pki.intermediateCrl)),
    rootCrl: new Uint8Array(readFileSync(pki.rootCrl)),
  };
}

/** tbsCertificate fields of a certificate: issuer, subject, serial and the public key bits. */
function certFields(der: Uint8Array): { issuer: DerNode; subject: DerNode; serial: DerNode; keyBits: Uint8Array } {
  const f = children(children(readTlv(der))[0]);
  const i = f[0].tag === 0xa0 ? 1 : 0;
  return { serial: f[i], issuer: f[i + 2], subject: f[i + 4], keyBits: children(f[i + 5])[1].value.subarray(1) };
}

const hash = (name: string, data: Uint8Array): Uint8Array => new Uint8Array(createHash(name).update(data).digest());
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;
const trimInt = (v: Uint8Array): Uint8Array => {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i);
};
const signRsa = (key: KeyObject, data: Uint8Array): Uint8Array => new Uint8Array(nodeSign("sha256", data, key));
const bitString = (b: Uint8Array): Der => tlv(0x03, new Uint8Array([0]), b);
const sha256WithRsa = (): Der => sequence(oid(OIDS.sha256WithRSA), derNull());

/**
 * TimeStampResp for a TimeStampReq (RFC 3161 §2.4): a granted token signed by the TSA key, with the
 * TSA certificate and the intermediate when certReq is set.
 */
function timeStampReply(m: Material, reqDer: Uint8Array, genTime: Date, mode: string): Uint8Array {
  const req = children(readTlv(reqDer));
  const imprint = req[1];
  const nonce = req.slice(2).find((n) => n.tag === 0x02);
  const certReq = req.slice(2).some((n) => n.tag === 0x01 && n.value[0] !== 0);
  if (mode === "reject") return sequence(sequence(smallInteger(2), sequence(tlv(0x0c, new Uint8Array(Buffer.from("request rejected (test mode)"))))));
  let imprintDer = imprint.raw;
  if (mode === "wrong-imprint") {
    imprintDer = new Uint8Array(imprint.raw);
    imprintDer[imprintDer.length - 1] ^= 0xff;
  }
  const tstParts: Der[] = [smallInteger(1), oid(OIDS.tsaPolicy), imprintDer, unsignedInteger(randomBytes(16)), generalizedTime(genTime)];
  tstParts.push(sequence(smallInteger(1))); // accuracy: 1 second
  if (nonce) tstParts.push(nonce.raw);
  const tstInfo = sequence(...tstParts);
  const tsa = certFields(m.tsa.cert);
  const attrs = setOf(
    sequence(oid(OIDS.contentType), setOf(oid(OIDS.tstInfo))),
    sequence(oid(OIDS.messageDigest), setOf(octetString(hash("sha256", tstInfo)))),
    // ESS signing-certificate-v2 with SHA-256 (the default algorithm, omitted) (RFC 5816).
    sequence(oid(OIDS.signingCertificateV2), setOf(sequence(sequence(sequence(octetString(hash("sha256", m.tsa.cert))))))),
  );
  const signature = signRsa(m.tsa.key, attrs);
  const signedAttrs = new Uint8Array(attrs);
  signedAttrs[0] = 0xa0;
  const signerInfo = sequence(
    smallInteger(1),
    sequence(tsa.issuer.raw, tsa.serial.raw),
    sequence(oid(OIDS.sha256)),
    signedAttrs,
    sha256WithRsa(),
    octetString(signature),
  );
  const parts: Der[] = [smallInteger(3), setOf(sequence(oid(OIDS.sha256))), sequence(oid(OIDS.tstInfo), contextConstructed(0, octetString(tstInfo)))];
  if (certReq) parts.push(contextConstructed(0, m.tsa.cert, m.intermediate.cert));
  parts.push(setOf(signerInfo));
  const token = sequence(oid(OIDS.signedData), contextConstructed(0, sequence(...parts)));
  return sequence(sequence(smallInteger(0)), token);
}

interface IndexEntry {
  revoked: boolean;
  revocationTime?: Date;
  reason?: number;
}

const REASONS: Record<string, number> = {
  unspecified: 0, keyCompromise: 1, CACompromise: 2, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5, certificateHold: 6,
};

function parseCaTime(s: string): Date {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error(`bad time in index.txt: ${s}`);
  const y = m[1].length === 2 ? 2000 + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** The intermediate CA's `openssl ca` database, read per request so that a revocation shows at once. */
function readIndex(): Map<string, IndexEntry> {
  const out = new Map<string, IndexEntry>();
  const text = readFileSync(join(caDir, "intermediate", "index.txt"), "utf8");
  for (const line of text.split("\n")) {
    const f = line.split("\t");
    if (f.length < 4) continue;
    const serial = f[3].toLowerCase().replace(/^(00)+/, "");
    if (f[0] === "R") {
      const [when, reason] = f[2].split(",");
      out.set(serial, { revoked: true, revocationTime: parseCaTime(when), reason: reason ? REASONS[reason] : undefined });
    } else if (f[0] === "V") out.set(serial, { revoked: false });
  }
  return out;
}

/** Serials listed by a DER CRL (RFC 5280 §5.1), with revocation dates. */
function crlEntries(crl: Uint8Array): Map<string, Date> {
  const out = new Map<string, Date>();
  const tbs = children(children(readTlv(crl))[0]);
  let i = (tbs[0].tag === 0x02 ? 1 : 0) + 3; // version?, signature, issuer, thisUpdate
  if (tbs[i] && (tbs[i].tag === 0x17 || tbs[i].tag === 0x18)) i++; // nextUpdate
  const list = tbs[i];
  if (list && list.tag === 0x30) {
    for (const e of children(list)) {
      const [serial, date] = children(e);
      const t = Buffer.from(date.value).toString("latin1");
      out.set(Buffer.from(trimInt(serial.value)).toString("hex"), parseCaTime(t));
    }
  }
  return out;
}

/**
 * OCSPResponse for an OCSPRequest (RFC 6960 §4.2): statuses of certificates issued by the
 * intermediate (from `index.txt`, else its CRL), signed by the delegated responder; certificates
 * issued by the root (the intermediate) are answered by the root itself.
 */
function ocspReply(m: Material, reqDer: Uint8Array, now: Date): Uint8Array {
  const tbsRequest = children(readTlv(reqDer))[0];
  const parts = children(tbsRequest);
  const requestList = parts.find((p) => p.tag === 0x30) as DerNode;
  const reqExts = parts.find((p) => p.tag === 0xa2);
  let nonceExt: Der | undefined;
  if (reqExts) {
    for (const ext of children(children(reqExts)[0])) if (decodeOid(children(ext)[0].value) === OIDS.ocspNonce) nonceExt = ext.raw;
  }
  const index = readIndex();
  const crlRevoked = crlEntries(m.intermediateCrl);
  let responder: Party = m.ocsp;
  const singles: Der[] = [];
  const nextUpdate = new Date(now.getTime() + 24 * 3600 * 1000);
  for (const r of children(requestList)) {
    const certId = children(r)[0];
    const [alg, nameHash, keyHash, serial] = children(certId);
    const h = HASH_NAMES[decodeOid(children(alg)[0].value)];
    const issuers = [m.intermediate, m.root];
    const issuer = h ? issuers.find((p) => sameBytes(hash(h, certFields(p.cert).subject.raw), nameHash.value) && sameBytes(hash(h, certFields(p.cert).keyBits), keyHash.value)) : undefined;
    const serialHex = Buffer.from(trimInt(serial.value)).toString("hex");
    let status: Der = new Uint8Array([0x82, 0x00]); // unknown
    if (issuer === m.intermediate) {
      const e = index.get(serialHex);
      const crlTime = crlRevoked.get(serialHex);
      if (e?.revoked && e.revocationTime) {
        const info: Der[] = [generalizedTime(e.revocationTime)];
        if (e.reason !== undefined) info.push(contextConstructed(0, tlv(0x0a, new Uint8Array([e.reason]))));
        status = tlv(0xa1, ...info);
      } else if (crlTime) status = tlv(0xa1, generalizedTime(crlTime));
      else if (e) status = new Uint8Array([0x80, 0x00]);
    } else if (issuer === m.root) {
      responder = m.root;
      const crlTime = crlEntries(m.rootCrl).get(serialHex);
      status = crlTime ? tlv(0xa1, generalizedTime(crlTime)) : sameBytes(trimInt(certFields(m.intermediate.cert).serial.value), trimInt(serial.value)) ? new Uint8Array([0x80, 0x00]) : status;
    }
    singles.push(sequence(certId.raw, status, generalizedTime(now), contextConstructed(0, generalizedTime(nextUpdate))));
  }
  const tbsParts: Der[] = [
    tlv(0xa2, octetString(hash("sha1", certFields(responder.cert).keyBits))), // responderID byKey
    generalizedTime(now),
    sequence(...singles),
  ];
  if (nonceExt) tbsParts.push(tlv(0xa1, sequence(nonceExt)));
  const tbs = sequence(...tbsParts);
  const basicParts: Der[] = [tbs, sha256WithRsa(), bitString(signRsa(responder.key, tbs))];
  if (responder !== m.root) basicParts.push(contextConstructed(0, sequence(responder.cert)));
  const basic = sequence(...basicParts);
  return sequence(tlv(0x0a, new Uint8Array([0])), contextConstructed(0, sequence(oid(OIDS.ocspBasic), octetString(basic))));
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new Error("request too large");
    chunks.push(c as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Starts the TSA, OCSP responder, CRL and certificate server. Close it with `close()`. */
/**
 * Servers on the certificates' port are shared within a process: the whole test run keeps one
 * listening (test/support/servers-hook.cjs) so that default (online) revocation checking finds its
 * responders, and a test that asks for its own gets a lease on it, with its own clock, slowness and
 * hit counters until it closes the lease. Port 0 always starts a separate server.
 */
interface Shared {
  servers: TestServers;
  setOptions(o: TestServersOptions, hits: Record<string, number> | undefined): void;
  leases: number;
}
const shared = new Map<number, Shared>();

export async function startTestServers(options: TestServersOptions = {}): Promise<TestServers> {
  const port = options.port ?? serverPort;
  const existing = port !== 0 ? shared.get(port) : undefined;
  if (existing) {
    const hits: Record<string, number> = {};
    existing.leases++;
    existing.setOptions(options, hits);
    let closed = false;
    return {
      base: existing.servers.base,
      tsaUrl: existing.servers.tsaUrl,
      ocspUrl: existing.servers.ocspUrl,
      hits,
      close: async () => {
        if (closed) return;
        closed = true;
        existing.leases--;
        existing.setOptions({}, undefined);
      },
    };
  }
  let started: Awaited<ReturnType<typeof startServers>>;
  try {
    started = await startServers(options);
  } catch (e) {
    // Another test run on this machine (same PKI) already serves the port: use its servers. Its
    // clock and failure modes are its own, and its hits are not counted here.
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || !(await answersAsTestServer(port))) throw e;
    const base = `http://127.0.0.1:${port}`;
    return { base, tsaUrl: `${base}/tsa`, ocspUrl: `${base}/ocsp`, hits: {}, foreign: true, close: async () => {} };
  }
  if (port !== 0) {
    const entry: Shared = { servers: started.servers, setOptions: started.setOptions, leases: 0 };
    shared.set(port, entry);
    const close = started.servers.close;
    return { ...started.servers, close: async () => { shared.delete(port); await close(); } };
  }
  return started.servers;
}

async function answersAsTestServer(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/certs/root.cer`, { signal: AbortSignal.timeout(2000) });
    return res.ok && Buffer.from(await res.arrayBuffer()).equals(Buffer.from(loadMaterial().root.cert));
  } catch {
    return false;
  }
}

async function startServers(options: TestServersOptions): Promise<{ servers: TestServers; setOptions: Shared["setOptions"] }> {
  const m = loadMaterial();
  let now = options.now ?? (() => new Date());
  let slowMs = options.slowMs ?? 30_000;
  const hits: Record<string, number> = {};
  let leaseHits: Record<string, number> | undefined;
  const setOptions = (o: TestServersOptions, h: Record<string, number> | undefined): void => {
    now = o.now ?? (() => new Date());
    slowMs = o.slowMs ?? 30_000;
    leaseHits = h;
  };
  const life = serverLife();

  const send = (res: ServerResponse, status: number, type: string, body: Uint8Array | string): void => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const segs = url.pathname.split("/").filter(Boolean);
    hits[segs[0] ?? ""] = (hits[segs[0] ?? ""] ?? 0) + 1;
    if (leaseHits) leaseHits[segs[0] ?? ""] = (leaseHits[segs[0] ?? ""] ?? 0) + 1;
    if (segs[0] === "tsa" && req.method === "POST") {
      const mode = segs[1] ?? "ok";
      const body = await readBody(req);
      if (mode === "slow") await life.later(slowMs);
      if (mode === "garbage") return send(res, 200, "application/timestamp-reply", "<html>this is not a time-stamp</html>");
      const at = url.searchParams.get("genTime");
      const genTime = at ? new Date(at) : now();
      try {
        return send(res, 200, "application/timestamp-reply", timeStampReply(m, body, genTime, mode));
      } catch {
        return send(res, 400, "text/plain", "bad time-stamp request");
      }
    }
    if (segs[0] === "ocsp") {
      const mode = req.method === "POST" ? segs[1] ?? "ok" : "ok";
      let body: Uint8Array;
      if (req.method === "POST") body = await readBody(req);
      else body = new Uint8Array(Buffer.from(decodeURIComponent(segs.slice(1).join("/")), "base64"));
      if (mode === "slow") await life.later(slowMs);
      if (mode === "garbage") return send(res, 200, "application/ocsp-response", "garbage, not an OCSP response");
      try {
        return send(res, 200, "application/ocsp-response", ocspReply(m, body, now()));
      } catch {
        // malformedRequest (RFC 6960 §4.2.1)
        return send(res, 200, "application/ocsp-response", sequence(tlv(0x0a, new Uint8Array([1]))));
      }
    }
    if (req.method === "GET" && segs[0] === "crl" && segs[1] === "intermediate.crl") return send(res, 200, "application/pkix-crl", m.intermediateCrl);
    if (req.method === "GET" && segs[0] === "crl" && segs[1] === "root.crl") return send(res, 200, "application/pkix-crl", m.rootCrl);
    if (req.method === "GET" && segs[0] === "certs" && segs[1] === "intermediate.cer") return send(res, 200, "application/pkix-cert", m.intermediate.cert);
    if (req.method === "GET" && segs[0] === "certs" && segs[1] === "root.cer") return send(res, 200, "application/pkix-cert", m.root.cert);
    return send(res, 404, "text/plain", "not found");
  };

  const server: Server = life.attach(
    createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, "text/plain", String(e));
        else res.destroy();
      });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? serverPort, options.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const base = `http://${addr.address}:${addr.port}`;
  const servers: TestServers = {
    base,
    tsaUrl: `${base}/tsa`,
    ocspUrl: `${base}/ocsp`,
    hits,
    close: () => life.close(),
  };
  return { servers, setOptions };
}
