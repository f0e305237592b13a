import {
  DIGEST_OIDS, KysoError, bytesEqual, children, decodeOid, digest, digestFromOid, oid, octetString, readTlv,
  sequence, setOf, smallInteger, unsignedInteger, type Der, type DerNode, type DigestAlgorithm,
} from "@kyso/core";
import { OID } from "./oids.js";
import { PKIX_OID, buildChain, certificateNames, certificateValidity, extendedKeyUsages, parseAsn1Time, verifySignatureValue } from "./pkix.js";

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

export interface TstInfo {
  policy: string;
  digestAlgorithm: DigestAlgorithm | undefined;
  imprint: Uint8Array;
  serial: Uint8Array;
  genTime: Date;
  nonce: Uint8Array | undefined;
}

export interface ParsedTimeStampToken {
  /** The whole token (ContentInfo). */
  der: Uint8Array;
  tstInfo: TstInfo;
  /** The raw TSTInfo DER (the eContent). */
  tstInfoDer: Uint8Array;
  certificates: Uint8Array[];
  signer: {
    /** IssuerAndSerialNumber: issuer Name DER and serial contents; or a subjectKeyIdentifier. */
    issuer?: Uint8Array;
    serial?: Uint8Array;
    subjectKeyIdentifier?: Uint8Array;
    digestAlgorithm: DigestAlgorithm | undefined;
    /** The signed attributes re-tagged as SET OF (what is signed, RFC 5652 §5.4). */
    signedAttributes: Uint8Array | undefined;
    attributes: Map<string, DerNode[]>;
    signatureAlgorithm: DerNode;
    signature: Uint8Array;
  };
}

function trimInt(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i);
}

/** Parses a TimeStampToken: ContentInfo { signedData { eContentType id-ct-TSTInfo, eContent TSTInfo } } (RFC 3161 §2.4.2). */
export function parseTimeStampToken(der: Uint8Array): ParsedTimeStampToken {
  try {
    const ci = readTlv(der);
    const [ctype, explicit] = children(ci);
    if (decodeOid(ctype.value) !== OID.signedData) throw new Error("not a CMS SignedData");
    const sd = children(children(explicit)[0]);
    const encap = sd[2];
    const [eType, eExplicit] = children(encap);
    if (decodeOid(eType.value) !== OID.tstInfo) throw new Error("the content is not a TSTInfo");
    const eContent = children(eExplicit)[0];
    const tstInfoDer = eContent.value;
    const certificates: Uint8Array[] = [];
    let k = 3;
    for (; k < sd.length && sd[k].tag !== 0x31; k++) {
      if (sd[k].tag === 0xa0) for (const c of children(sd[k])) if (c.tag === 0x30) certificates.push(c.raw);
    }
    const signerInfos = children(sd[k]);
    if (signerInfos.length !== 1) throw new Error(`${signerInfos.length} SignerInfos instead of one`);
    const si = children(signerInfos[0]);
    let j = 1;
    const sid = si[j++];
    const signer: ParsedTimeStampToken["signer"] = {
      digestAlgorithm: digestFromOid(decodeOid(children(si[j++])[0].value)),
      signedAttributes: undefined,
      attributes: new Map(),
      signatureAlgorithm: si[0],
      signature: new Uint8Array(0),
    };
    if (sid.tag === 0x30) {
      const [iss, ser] = children(sid);
      signer.issuer = iss.raw;
      signer.serial = ser.value;
    } else if (sid.tag === 0x80) signer.subjectKeyIdentifier = sid.value;
    if (si[j].tag === 0xa0) {
      const attrs = new Uint8Array(si[j].raw);
      attrs[0] = 0x31;
      signer.signedAttributes = attrs;
      for (const a of children(si[j])) {
        const [t, vals] = children(a);
        signer.attributes.set(decodeOid(t.value), children(vals));
      }
      j++;
    }
    signer.signatureAlgorithm = si[j++];
    signer.signature = si[j++].value;

    const t = children(readTlv(tstInfoDer));
    const [mAlg, mHash] = children(t[2]);
    let nonce: Uint8Array | undefined;
    for (const x of t.slice(5)) if (x.tag === 0x02) nonce = trimInt(x.value);
    return {
      der: ci.raw,
      tstInfoDer,
      certificates,
      signer,
      tstInfo: {
        policy: decodeOid(t[1].value),
        digestAlgorithm: digestFromOid(decodeOid(children(mAlg)[0].value)),
        imprint: mHash.value,
        serial: t[3].value,
        genTime: parseAsn1Time(t[4]),
        nonce,
      },
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
}

/**
 * Checks a time-stamp token (RFC 3161 §2.4.2, RFC 5816): the imprint and nonce, the CMS signature
 * over the signed attributes, the message-digest of the TSTInfo, the ESS signing certificate, and
 * that the signer certificate is a TSA's (extended key usage timeStamping, RFC 3161 §2.3) valid at
 * genTime. Trust in the TSA's chain is left to the caller. Throws only for a token that cannot be read.
 */
export function checkTimeStampToken(der: Uint8Array, expect: TimeStampExpectations = {}): TimeStampCheck {
  const token = parseTimeStampToken(der);
  const problems: TimeStampProblem[] = [];
  const { tstInfo, signer } = token;
  if (expect.imprint && !bytesEqual(tstInfo.imprint, expect.imprint))
    problems.push({ code: "TST_IMPRINT_MISMATCH", message: "the time-stamp is for other data (message imprint differs)" });
  if (expect.nonce && (!tstInfo.nonce || !bytesEqual(tstInfo.nonce, trimInt(expect.nonce))))
    problems.push({ code: "TST_NONCE_MISMATCH", message: "the time-stamp does not echo the request's nonce" });

  const pool = [...token.certificates, ...(expect.extraCertificates ?? [])];
  const tsaCertificate = pool.find((c) => {
    const n = certificateNames(c);
    if (signer.issuer && signer.serial) return bytesEqual(n.issuer, signer.issuer) && bytesEqual(trimInt(n.serial), trimInt(signer.serial));
    return false;
  });
  if (!tsaCertificate) {
    problems.push({ code: "TST_SIGNER_UNKNOWN", message: "the time-stamp's signer certificate is not available" });
    return { token, genTime: tstInfo.genTime, tsaCertificate, tsaChain: [], problems };
  }
  const d = signer.digestAlgorithm ?? "SHA-256";
  const md = signer.attributes.get(OID.messageDigest)?.[0];
  const ct = signer.attributes.get(OID.contentType)?.[0];
  if (!signer.signedAttributes || !md || !bytesEqual(md.value, digest(d, token.tstInfoDer)) || !ct || decodeOid(ct.value) !== OID.tstInfo)
    problems.push({ code: "TST_SIGNATURE_INVALID", message: "the time-stamp's signed attributes do not match its TSTInfo" });
  else if (!verifySignatureValue(signer.signatureAlgorithm, signer.signedAttributes, signer.signature, tsaCertificate, d))
    problems.push({ code: "TST_SIGNATURE_INVALID", message: "the time-stamp's signature does not verify with the TSA certificate" });
  const essV2 = signer.attributes.get(OID.signingCertificateV2)?.[0];
  const essV1 = signer.attributes.get(OID.signingCertificate)?.[0];
  if (essV2 || essV1) {
    const certIds = children(children(essV2 ?? essV1!)[0]);
    const first = children(certIds[0]);
    let alg: DigestAlgorithm = essV2 ? "SHA-256" : "SHA-1";
    let hash = first[0];
    if (essV2 && first[0].tag === 0x30) {
      alg = digestFromOid(decodeOid(children(first[0])[0].value)) ?? "SHA-256";
      hash = first[1];
    }
    if (!bytesEqual(hash.value, digest(alg, tsaCertificate)))
      problems.push({ code: "TST_ESS_MISMATCH", message: "the time-stamp's signing-certificate attribute names another certificate" });
  } else problems.push({ code: "TST_ESS_MISMATCH", message: "the time-stamp has no signing-certificate attribute (RFC 3161 §2.4.1)" });
  if (!extendedKeyUsages(tsaCertificate).includes(PKIX_OID.ekuTimeStamping))
    problems.push({ code: "TST_NOT_TIMESTAMPING_CERT", message: "the time-stamp's signer certificate is not for time-stamping (no EKU timeStamping)" });
  const v = certificateValidity(tsaCertificate);
  if (tstInfo.genTime < v.notBefore || tstInfo.genTime > v.notAfter)
    problems.push({ code: "TST_CERT_EXPIRED", message: "the TSA certificate was not valid at the time-stamp's genTime" });
  return { token, genTime: tstInfo.genTime, tsaCertificate, tsaChain: buildChain(tsaCertificate, pool), problems };
}

/** The unsigned attribute id-aa-signatureTimeStampToken (RFC 3161 Appendix A) carrying `token`. */
export function signatureTimeStampAttribute(token: Uint8Array): Der {
  return sequence(oid(OID.signatureTimeStampToken), setOf(token));
}

/** The imprint of a CMS signature timestamp: the hash of the SignerInfo's signature value (RFC 3161 Appendix A). */
export function signatureTimeStampImprint(signatureValue: Uint8Array, alg: DigestAlgorithm = "SHA-256"): Uint8Array {
  return digest(alg, signatureValue);
}
