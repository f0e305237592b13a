import {
  DIGEST_OIDS, KysoError, bytesEqual, children, decodeOid, digest, digestFromOid, oid, octetString, readTlv,
  sequence, setOf, smallInteger, unsignedInteger, type Der, type DerNode, type DigestAlgorithm,
} from "@kyso/core";
import type { VerifyDigest } from "./algorithms.js";
import { CertificatePool, type Certificate } from "./certificate.js";
import { essNamesCertificate, verifyCmsSignature } from "./cms-verify.js";
import { OID } from "./oids.js";
import { buildPath } from "./path.js";
import { PKIX_OID } from "./pkix.js";
import { parseSignedData, parseTstInfo, trimLeadingZeros, type SignedData, type SignerInfo } from "./signed-data.js";

/**
 * RFC 3161 time-stamp protocol: the request, the response, and the checks a token must pass
 * before it is embedded or trusted.
 */

export interface TimeStampRequestInput {
  digestAlgorithm: DigestAlgorithm;
  /** The hash of the data to time-stamp (the messageImprint). */
  imprint: Uint8Array;
  /** A random nonce (big-endian magnitude) the response must echo. */
  nonce?: Uint8Array;
  /** Ask the TSA to include its certificate (certReq, RFC 3161 §2.4.1). */
  certReq?: boolean;
}

/**
 * TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
 *   reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE,
 *   extensions [0] IMPLICIT Extensions OPTIONAL }   (RFC 3161 §2.4.1)
 */
export function buildTimeStampRequest(input: TimeStampRequestInput): Der {
  const parts: Der[] = [smallInteger(1), sequence(sequence(oid(DIGEST_OIDS[input.digestAlgorithm])), octetString(input.imprint))];
  if (input.nonce) parts.push(unsignedInteger(input.nonce));
  if (input.certReq ?? true) parts.push(new Uint8Array([0x01, 0x01, 0xff]));
  return sequence(...parts);
}

export interface TimeStampResponse {
  /** PKIStatus: 0 granted, 1 grantedWithMods, 2 rejection, 3 waiting, 4 revocationWarning, 5 revocationNotification. */
  status: number;
  statusText: string[];
  failInfo: number | undefined;
  /** The TimeStampToken (a CMS ContentInfo), when granted. */
  token: Uint8Array | undefined;
}

/** TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL } (RFC 3161 §2.4.2). */
export function parseTimeStampResponse(der: Uint8Array): TimeStampResponse {
  try {
    const top = readTlv(der);
    if (top.tag !== 0x30 || top.end !== der.length) throw new Error("not a single DER SEQUENCE");
    const [statusInfo, token] = children(top);
    const si = children(statusInfo);
    const status = Number(Buffer.from(si[0].value).readUIntBE(0, si[0].value.length));
    const statusText: string[] = [];
    let failInfo: number | undefined;
    for (const x of si.slice(1)) {
      if (x.tag === 0x30) for (const s of children(x)) statusText.push(Buffer.from(s.value).toString("utf8"));
      else if (x.tag === 0x03) failInfo = x.value.length > 1 ? x.value[1] : 0;
    }
    return { status, statusText, failInfo, token: token?.raw };
  } catch (e) {
    throw new KysoError("TSA_GARBAGE", `the answer is not an RFC 3161 time-stamp response (${(e as Error).message})`, { cause: e });
  }
}

/** The TSTInfo of a token as the timestamp checks use it (read by the one TSTInfo reader, signed-data.ts). */
export interface TimeStampInfo {
  policy: string;
  digestAlgorithm: VerifyDigest | undefined;
  imprint: Uint8Array;
  serial: Uint8Array;
  genTime: Date;
  nonce: Uint8Array | undefined;
}

export interface ParsedTimeStampToken {
  /** The whole token (ContentInfo). */
  der: Uint8Array;
  tstInfo: TimeStampInfo;
  /** The raw TSTInfo DER (the eContent). */
  tstInfoDer: Uint8Array;
  certificates: Uint8Array[];
  signedData: SignedData;
  signer: SignerInfo;
}

/**
 * Parses a TimeStampToken: ContentInfo { signedData { eContentType id-ct-TSTInfo, eContent TSTInfo } }
 * (RFC 3161 §2.4.2), through the one SignedData reader. Throws TST_MALFORMED.
 */
export function parseTimeStampToken(der: Uint8Array): ParsedTimeStampToken {
  try {
    const sd = parseSignedData(der);
    if (sd.eContentType !== OID.tstInfo || !sd.eContent) throw new Error("the content is not a TSTInfo");
    if (sd.signerInfos.length !== 1) throw new Error(`${sd.signerInfos.length} SignerInfos instead of one`);
    const t = parseTstInfo(sd.eContent);
    if (!t.genTime) throw new Error("no genTime");
    return {
      der,
      tstInfoDer: sd.eContent,
      certificates: sd.certificates,
      signedData: sd,
      signer: sd.signerInfos[0],
      tstInfo: { policy: t.policy, digestAlgorithm: t.imprintAlgorithm, imprint: t.imprint, serial: new Uint8Array(Buffer.from(t.serialHex, "hex")), genTime: t.genTime, nonce: t.nonce },
    };
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw new KysoError("TST_MALFORMED", `the time-stamp token cannot be read (${(e as Error).message})`, { cause: e });
  }
}

export interface TimeStampProblem {
  code: "TST_IMPRINT_MISMATCH" | "TST_NONCE_MISMATCH" | "TST_SIGNATURE_INVALID" | "TST_SIGNER_UNKNOWN" | "TST_NOT_TIMESTAMPING_CERT" | "TST_CERT_EXPIRED" | "TST_ESS_MISMATCH";
  message: string;
}

export interface TimeStampCheck {
  token: ParsedTimeStampToken;
  genTime: Date;
  /** The TSA's certificate (from the token or from `extraCertificates`), when found. */
  tsaCertificate: Uint8Array | undefined;
  /** The TSA's certificate as a value, when found. */
  tsa?: Certificate;
  /** The TSA certificate's chain from the certificates at hand, nearest first (unverified trust). */
  tsaChain: Uint8Array[];
  problems: TimeStampProblem[];
}

export interface TimeStampExpectations {
  /** The hash the token must carry, computed with `digestAlgorithm` (default the token's own). */
  imprint?: Uint8Array;
  nonce?: Uint8Array;
  /** Certificates to look for the TSA's (e.g. from a DSS) if the token does not carry it. */
  extraCertificates?: readonly Uint8Array[];
  /** The certificate pool of the caller (a verification's); a small private one otherwise. */
  pool?: CertificatePool;
}

const tokenPool = new CertificatePool(128);

/**
 * Checks a time-stamp token (RFC 3161 §2.4.2, RFC 5816): the imprint and nonce, the CMS signature
 * over the signed attributes, the message-digest of the TSTInfo, the ESS signing certificate, and
 * that the signer certificate is a TSA's (extended key usage timeStamping, RFC 3161 §2.3) valid at
 * genTime. Trust in the TSA's chain is left to the caller. Throws only for a token that cannot be read.
 */
export function checkTimeStampToken(der: Uint8Array, expect: TimeStampExpectations = {}): TimeStampCheck {
  const token = parseTimeStampToken(der);
  const problems: TimeStampProblem[] = [];
  const { tstInfo } = token;
  if (expect.imprint && !bytesEqual(tstInfo.imprint, expect.imprint))
    problems.push({ code: "TST_IMPRINT_MISMATCH", message: "the time-stamp is for other data (message imprint differs)" });
  if (expect.nonce && (!tstInfo.nonce || !bytesEqual(tstInfo.nonce, trimLeadingZeros(expect.nonce))))
    problems.push({ code: "TST_NONCE_MISMATCH", message: "the time-stamp does not echo the request's nonce" });
  const pool = expect.pool ?? tokenPool;
  const extra = pool.certificates(expect.extraCertificates ?? []);
  // The one CMS check: message digest of the TSTInfo, signature, ESS binding, content type id-ct-TSTInfo.
  const cms = verifyCmsSignature(token.signedData, { bytes: () => token.tstInfoDer }, { pool, extraCertificates: extra, contentType: OID.tstInfo });
  const tsa = cms.signer;
  if (!tsa) {
    problems.push({ code: "TST_SIGNER_UNKNOWN", message: "the time-stamp's signer certificate is not available" });
    return { token, genTime: tstInfo.genTime, tsaCertificate: undefined, tsaChain: [], problems };
  }
  for (const p of cms.problems) {
    if (p.code === "CMS_ESS_MISMATCH") problems.push({ code: "TST_ESS_MISMATCH", message: "the time-stamp's signing-certificate attribute names another certificate" });
    else problems.push({ code: "TST_SIGNATURE_INVALID", message: `the time-stamp's signature is not valid: ${p.message}` });
  }
  if (!token.signer.signedAttributes) problems.push({ code: "TST_SIGNATURE_INVALID", message: "the time-stamp has no signed attributes (RFC 3161 §2.4.1)" });
  else if (essNamesCertificate(token.signer, tsa) === undefined) problems.push({ code: "TST_ESS_MISMATCH", message: "the time-stamp has no signing-certificate attribute (RFC 3161 §2.4.1)" });
  if (!(tsa.extendedKeyUsage ?? []).includes(PKIX_OID.ekuTimeStamping))
    problems.push({ code: "TST_NOT_TIMESTAMPING_CERT", message: "the time-stamp's signer certificate is not for time-stamping (no EKU timeStamping)" });
  if (tstInfo.genTime < tsa.notBefore || tstInfo.genTime > tsa.notAfter)
    problems.push({ code: "TST_CERT_EXPIRED", message: "the TSA certificate was not valid at the time-stamp's genTime" });
  const candidates = [...cms.certificates, ...extra];
  const chain = buildPath(tsa, { candidates, anchors: [], at: tstInfo.genTime, timeIsProven: true, now: tstInfo.genTime, pool });
  return { token, genTime: tstInfo.genTime, tsaCertificate: tsa.der, tsa, tsaChain: chain.path.slice(1).map((c) => c.der), problems };
}

/** The unsigned attribute id-aa-signatureTimeStampToken (RFC 3161 Appendix A) carrying `token`. */
export function signatureTimeStampAttribute(token: Uint8Array): Der {
  return sequence(oid(OID.signatureTimeStampToken), setOf(token));
}

/** The imprint of a CMS signature timestamp: the hash of the SignerInfo's signature value (RFC 3161 Appendix A). */
export function signatureTimeStampImprint(signatureValue: Uint8Array, alg: DigestAlgorithm = "SHA-256"): Uint8Array {
  return digest(alg, signatureValue);
}
