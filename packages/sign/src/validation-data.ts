import { createHash, randomBytes } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { KysoError, bytesEqual, certificatesFromPemOrDer, describeError, nodeDigestName, systemClock, type Clock, type DigestAlgorithm } from "@kyso/core";
import {
  buildChain, buildOcspRequest, caIssuersUrls, checkCrl, checkOcspResponse, crlUrls, hasOcspNoCheck,
  certificateNames, isSelfIssued, ocspUrls, parseCrl, parseTimeStampToken, readSignedDataInfo,
} from "@kyso/cms";
import { buildDssUpdate, openWithUpdates, prepareSignature, readDss } from "@kyso/pdf";
import { commonName } from "@kyso/signers";
import { httpExchange, type NetworkOptions } from "./network.js";
import type { TimeStamper } from "./timestamper.js";

/** A signature (or document timestamp) whose validation data is to be collected. */
export interface SignatureToExtend {
  /** The DER CMS from /Contents. */
  cms: Uint8Array;
  /**
   * The signer's certificate must not have been revoked before the signing time (the signature
   * timestamp's genTime, else now); when it was, collecting stops with SIGNER_REVOKED.
   */
  requireGoodAtSigning: boolean;
  /** The time the signature is proven to exist at (default: its signature timestamp's genTime, else now). */
  signingTime?: Date;
}

export interface ValidationDataInput {
  /** The document on disk. */
  input: string;
  /** Its length (as prepared; informational). */
  inputLength?: number;
  /** Updates not yet written after it (the new signature's). */
  tail: Uint8Array[];
  signatures: SignatureToExtend[];
  /** With a stamper, a document timestamp follows the DSS (PAdES B-LTA). */
  archiveTimestamp?: TimeStamper;
  network?: NetworkOptions;
  clock?: Clock;
  /** Certificates where chains end (roots); a self-issued certificate ends a chain anyway. */
  trustAnchors?: readonly Uint8Array[];
}

/** What was collected, for reports. */
export interface CollectedValidationData {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

const name = (c: Uint8Array): string => commonName(c) ?? "certificate";

function addUnique(list: Uint8Array[], item: Uint8Array): void {
  if (!list.some((x) => bytesEqual(x, item))) list.push(item);
}

/**
 * Collects the validation data of signatures (ETSI EN 319 142-1 §5.4, PAdES B-LT): every
 * certificate of the signer's and the TSAs' chains, and for each certificate below a root an OCSP
 * response (from its AIA) or else a CRL (from its distribution points), each checked before use.
 * Missing issuers are fetched from caIssuers. Network failures are KysoErrors naming the server.
 */
export async function collectValidationData(
  signatures: readonly SignatureToExtend[],
  existing: CollectedValidationData,
  options: { network?: NetworkOptions; clock?: Clock; trustAnchors?: readonly Uint8Array[] } = {},
): Promise<CollectedValidationData> {
  const clock = options.clock ?? systemClock;
  const pool: Uint8Array[] = [...existing.certs, ...(options.trustAnchors ?? [])];
  const out: CollectedValidationData = { certs: [], ocsps: [], crls: [] };
  const done = new Set<string>();
  const statuses = new Map<string, Status>();
  const targets: { cert: Uint8Array; notRevokedBefore?: Date; role: string }[] = [];

  for (const s of signatures) {
    const info = readSignedDataInfo(s.cms);
    for (const c of info.certificates) addUnique(pool, c);
    let signingTime: Date | undefined;
    for (const t of info.timestampTokens) {
      const ti = readSignedDataInfo(t);
      for (const c of ti.certificates) addUnique(pool, c);
      if (ti.signerCertificate) targets.push({ cert: ti.signerCertificate, role: "time-stamp authority" });
      const g = parseTimeStampToken(t).tstInfo.genTime;
      if (!signingTime || g < signingTime) signingTime = g;
    }
    if (info.isTimeStampToken) {
      if (info.signerCertificate) targets.push({ cert: info.signerCertificate, role: "time-stamp authority" });
      continue;
    }
    if (!info.signerCertificate) throw new KysoError("CMS_NO_SIGNER_CERT", "A signature does not carry its signer's certificate; its validation data cannot be collected");
    targets.push({ cert: info.signerCertificate, role: "signer", notRevokedBefore: s.requireGoodAtSigning ? s.signingTime ?? signingTime ?? clock.now() : undefined });
  }

  for (const target of targets) {
    const chain = await completeChain(target.cert, pool, options.network);
    const path = [target.cert, ...chain];
    for (const c of path) addUnique(out.certs, c);
    for (let i = 0; i < path.length; i++) {
      const cert = path[i];
      if (isSelfIssued(cert)) break;
      const issuer = path[i + 1];
      const key = Buffer.from(cert).toString("base64");
      let status = statuses.get(key);
      if (!status) {
        // The issuer is not at hand (a root the signer did not include): its CRL still goes in, to be
        // checked by the verifier against its own trust anchors.
        status = issuer ? await revocationOf(cert, issuer, out, pool, options.network, done.has(key)) : await crlWithoutIssuer(cert, out, options.network);
        statuses.set(key, status);
      }
      done.add(key);
      const at = i === 0 ? target.notRevokedBefore : undefined;
      if (status.revoked && at && status.revocationTime && status.revocationTime <= at)
        throw new KysoError(
          target.role === "signer" ? "SIGNER_REVOKED" : "CERT_REVOKED",
          `The ${target.role}'s certificate "${name(cert)}" was revoked on ${status.revocationTime.toISOString()}, before the signing time ${at.toISOString()} (${status.source})`,
        );
      if (status.revoked && i > 0)
        throw new KysoError("CERT_REVOKED", `The CA certificate "${name(cert)}" in the ${target.role}'s chain is revoked (${status.source})`);
    }
  }
  return out;
}

/** Issuers from the pool, then from caIssuers URLs (RFC 5280 §4.2.2.1) when the pool lacks one. */
async function completeChain(leaf: Uint8Array, pool: Uint8Array[], net?: NetworkOptions): Promise<Uint8Array[]> {
  for (let round = 0; round < 6; round++) {
    const chain = buildChain(leaf, pool);
    const top = chain.length ? chain[chain.length - 1] : leaf;
    if (isSelfIssued(top)) return chain;
    const urls = caIssuersUrls(top).filter((u) => u.startsWith("http"));
    let found = false;
    for (const url of urls) {
      try {
        const body = await httpExchange("CA_ISSUERS", url, { method: "GET", accept: "application/pkix-cert" }, net);
        for (const c of certificatesFromPemOrDer(body)) addUnique(pool, c);
        found = true;
        break;
      } catch {
        /* try the next URL */
      }
    }
    if (!found) return chain;
  }
  return buildChain(leaf, pool);
}

interface Status {
  revoked: boolean;
  revocationTime?: Date;
  source: string;
}

/**
 * Revocation evidence for one certificate, added to `out`: OCSP first (RFC 6960), then CRLs. The
 * responder's own certificate goes in too, and its status unless it has id-pkix-ocsp-nocheck.
 */
async function revocationOf(cert: Uint8Array, issuer: Uint8Array, out: CollectedValidationData, pool: Uint8Array[], net: NetworkOptions | undefined, cached: boolean): Promise<Status> {
  const failures: string[] = [];
  let lastError: KysoError | undefined;
  for (const url of ocspUrls(cert).filter((u) => u.startsWith("http"))) {
    try {
      const nonce = randomBytes(16);
      const body = await httpExchange("OCSP", url, { method: "POST", body: buildOcspRequest(cert, issuer, nonce), contentType: "application/ocsp-request", accept: "application/ocsp-response" }, net);
      let check;
      try {
        check = checkOcspResponse(body, cert, issuer, { nonce, extraCertificates: pool });
      } catch (e) {
        throw new KysoError("OCSP_GARBAGE", `OCSP responder ${url} did not answer with an OCSP response`, { cause: e });
      }
      if (check.problems.length) throw new KysoError("OCSP_BAD_RESPONSE", `OCSP responder ${url} sent an unusable response: ${check.problems.join("; ")}`);
      if (check.status === "unknown") throw new KysoError("OCSP_UNKNOWN", `OCSP responder ${url} does not know "${name(cert)}"`);
      addUnique(out.ocsps, body);
      if (check.responderCertificate && !bytesEqual(check.responderCertificate, issuer)) {
        addUnique(out.certs, check.responderCertificate);
        if (!hasOcspNoCheck(check.responderCertificate) && !cached) await revocationOf(check.responderCertificate, issuer, out, pool, net, true);
      }
      return { revoked: check.status === "revoked", revocationTime: check.revocationTime, source: `OCSP ${url}` };
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      lastError = e;
      failures.push(describeError(e));
    }
  }
  for (const url of crlUrls(cert).filter((u) => u.startsWith("http"))) {
    try {
      const body = await httpExchange("CRL", url, { method: "GET", accept: "application/pkix-crl" }, net);
      let check;
      try {
        check = checkCrl(body, cert, issuer);
      } catch (e) {
        throw new KysoError("CRL_GARBAGE", `CRL server ${url} did not send a CRL`, { cause: e });
      }
      if (check.problems.length) throw new KysoError("CRL_BAD", `The CRL from ${url} is unusable: ${check.problems.join("; ")}`);
      addUnique(out.crls, body);
      return { revoked: check.status === "revoked", revocationTime: check.revocationTime, source: `CRL ${url}` };
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      lastError = e;
      failures.push(describeError(e));
    }
  }
  if (!lastError) throw new KysoError("NO_REVOCATION_SOURCE", `"${name(cert)}" names no OCSP responder and no CRL distribution point; B-LT needs its revocation data`);
  throw new KysoError(lastError.code, `No revocation data for "${name(cert)}": ${failures.join("; ")}`, { cause: lastError });
}

/** A CRL for a certificate whose issuer is not available: matched by issuer name, signature unchecked. */
async function crlWithoutIssuer(cert: Uint8Array, out: CollectedValidationData, net: NetworkOptions | undefined): Promise<Status> {
  const failures: string[] = [];
  const issuerName = certificateNames(cert).issuer;
  const serial = Buffer.from(certificateNames(cert).serial).toString("hex").replace(/^(00)+(?=..)/, "");
  for (const url of crlUrls(cert).filter((u) => u.startsWith("http"))) {
    try {
      const body = await httpExchange("CRL", url, { method: "GET", accept: "application/pkix-crl" }, net);
      let crl;
      try {
        crl = parseCrl(body);
      } catch (e) {
        throw new KysoError("CRL_GARBAGE", `CRL server ${url} did not send a CRL`, { cause: e });
      }
      if (!bytesEqual(crl.issuer, issuerName)) throw new KysoError("CRL_BAD", `The CRL from ${url} is from another issuer`);
      addUnique(out.crls, body);
      const when = crl.revoked.get(serial);
      return { revoked: !!when, revocationTime: when, source: `CRL ${url}` };
    } catch (e) {
      if (!(e instanceof KysoError)) throw e;
      failures.push(describeError(e));
    }
  }
  throw new KysoError("CHAIN_INCOMPLETE", `The issuer of "${name(cert)}" cannot be found and no CRL for it could be fetched${failures.length ? `: ${failures.join("; ")}` : ""}`);
}

/** Hash of a file's first `length` bytes followed by in-memory parts, streamed. */
export async function digestFileAndParts(path: string, length: number, parts: readonly Uint8Array[], alg: DigestAlgorithm): Promise<Uint8Array> {
  const h = createHash(nodeDigestName(alg));
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; pos < length; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - pos), pos);
      if (bytesRead === 0) throw new KysoError("INPUT_CHANGED", `${path} shrank while it was being extended`);
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** A document timestamp appended after a document (and updates not yet written). */
export interface DocumentTimestampUpdate {
  /** The incremental update holding the /DocTimeStamp signature dictionary. */
  update: Uint8Array;
  /** Its RFC 3161 token (the CMS in /Contents). */
  token: Uint8Array;
}

/**
 * A document timestamp over the file's first `size` bytes and `tail` (ISO 32000-2 §12.8.5,
 * ETSI EN 319 142-1 §5.4.3: /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161), in its own incremental
 * update; nothing is written.
 */
export async function documentTimestampUpdate(input: string, size: number, tail: readonly Uint8Array[], stamper: TimeStamper): Promise<DocumentTimestampUpdate> {
  const reserve = await stamper.tokenReserve();
  const reader = openWithUpdates(input, tail);
  let prepared;
  try {
    prepared = prepareSignature(reader, { subFilter: "ETSI.RFC3161", contentsLength: reserve });
  } finally {
    reader.close();
  }
  const [a, b] = prepared.coveredUpdateParts();
  const imprint = await digestFileAndParts(input, size, [...tail, a, b], stamper.digestAlgorithm);
  const { token } = await stamper.stamp(imprint);
  prepared.embed(token);
  return { update: prepared.update, token };
}

/**
 * Builds the updates that take a document to B-LT (a DSS with the signatures' validation data,
 * ETSI EN 319 142-1 §5.4.2) and, with `archiveTimestamp`, to B-LTA (a document timestamp after that
 * DSS, covering it, §5.4.3 and §6.3 B-LTA). Returns the updates that follow `tail` (the DSS, then
 * the archive timestamp); nothing is written: the caller appends `tail` and the returned updates.
 */
export async function appendValidationData(input: ValidationDataInput): Promise<Uint8Array[]> {
  const size = input.inputLength ?? (await stat(input.input)).size;
  let reader = openWithUpdates(input.input, input.tail);
  let existing;
  try {
    existing = readDss(reader);
  } finally {
    reader.close();
  }
  const collected = await collectValidationData(input.signatures, existing, input);
  reader = openWithUpdates(input.input, input.tail);
  let dssUpdate: Uint8Array;
  try {
    dssUpdate = buildDssUpdate(reader, collected);
  } finally {
    reader.close();
  }
  if (!input.archiveTimestamp) return [dssUpdate];
  const archive = await documentTimestampUpdate(input.input, size, [...input.tail, dssUpdate], input.archiveTimestamp);
  return [dssUpdate, archive.update];
}
