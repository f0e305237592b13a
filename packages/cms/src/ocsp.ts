import {
  KysoError, bytesEqual, children, decodeOid, digest, digestFromOid, oid, octetString, readTlv, sequence, tlv,
  DIGEST_OIDS, derNull, type Der, type DerNode, type DigestAlgorithm,
} from "@kyso/core";
import {
  PKIX_OID, certificateNames, certificateValidity, extendedKeyUsages, isIssuedBy,
  parseAsn1Time, subjectPublicKeyBits, verifySignatureValue,
} from "./pkix.js";
import { REVOCATION_REASONS } from "./crl.js";

/**
 * OCSP (RFC 6960): requests, responses, and the checks that make a response usable evidence of a
 * certificate's status (the right certificate, a signature by its CA or the CA's delegated
 * responder, times).
 */

function trimInt(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i);
}

/**
 * CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
 *   issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }   (RFC 6960 §4.1.1)
 * SHA-1 is what responders universally accept for the CertID (it names, it does not protect).
 */
export function ocspCertId(certDer: Uint8Array, issuerDer: Uint8Array, alg: DigestAlgorithm = "SHA-1"): Der {
  const cert = certificateNames(certDer);
  const issuer = certificateNames(issuerDer);
  return sequence(
    sequence(oid(DIGEST_OIDS[alg]), derNull()),
    octetString(digest(alg, issuer.subject)),
    octetString(digest(alg, subjectPublicKeyBits(issuerDer))),
    tlv(0x02, cert.serial),
  );
}

/** OCSPRequest with one CertID and a nonce extension (RFC 6960 §4.1.1, §4.4.1). */
export function buildOcspRequest(certDer: Uint8Array, issuerDer: Uint8Array, nonce?: Uint8Array): Der {
  const parts: Der[] = [sequence(sequence(ocspCertId(certDer, issuerDer)))];
  if (nonce) parts.push(tlv(0xa2, sequence(sequence(oid(PKIX_OID.ocspNonce), octetString(octetString(nonce))))));
  return sequence(sequence(...parts));
}

export type CertStatus = "good" | "revoked" | "unknown";

export interface SingleResponse {
  hashAlgorithm: DigestAlgorithm | undefined;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  serial: Uint8Array;
  status: CertStatus;
  revocationTime?: Date;
  revocationReason?: number;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface OcspResponse {
  /** The whole OCSPResponse DER (what a DSS /OCSPs stream holds). */
  der: Uint8Array;
  /** OCSPResponseStatus: 0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized. */
  responseStatus: number;
  basic?: {
    tbs: Uint8Array;
    responderName?: Uint8Array;
    responderKeyHash?: Uint8Array;
    producedAt: Date;
    responses: SingleResponse[];
    nonce?: Uint8Array;
    signatureAlgorithm: DerNode;
    signature: Uint8Array;
    certificates: Uint8Array[];
  };
}

/** Parses an OCSPResponse (RFC 6960 §4.2.1). Throws OCSP_MALFORMED for anything else. */
export function parseOcspResponse(der: Uint8Array): OcspResponse {
  try {
    const top = readTlv(der);
    if (top.tag !== 0x30 || top.end !== der.length) throw new Error("not a single DER SEQUENCE");
    const [status, bytes] = children(top);
    let basicDer: Uint8Array;
    let responseStatus = 0;
    if (status.tag === 0x30) {
      // A bare BasicOCSPResponse (some signers archive only that, RFC 6960 §4.2.1).
      basicDer = top.raw;
    } else {
      if (status.tag !== 0x0a) throw new Error("no response status");
      responseStatus = status.value[0];
      if (!bytes) return { der: top.raw, responseStatus };
      const [type, octets] = children(children(bytes)[0]);
      if (decodeOid(type.value) !== PKIX_OID.ocspBasic) throw new Error("not a basic OCSP response");
      basicDer = octets.value;
    }
    const [tbs, sigAlg, sig, certsTagged] = children(readTlv(basicDer));
    const t = children(tbs);
    let i = t[0].tag === 0xa0 ? 1 : 0;
    const rid = t[i++];
    const producedAt = parseAsn1Time(t[i++]);
    const responses: SingleResponse[] = children(t[i++]).map((sr) => {
      const f = children(sr);
      const [alg, nameHash, keyHash, serial] = children(f[0]);
      const st = f[1];
      const single: SingleResponse = {
        hashAlgorithm: digestFromOid(decodeOid(children(alg)[0].value)),
        issuerNameHash: nameHash.value,
        issuerKeyHash: keyHash.value,
        serial: trimInt(serial.value),
        status: st.tag === 0x80 ? "good" : st.tag === 0xa1 ? "revoked" : "unknown",
        thisUpdate: parseAsn1Time(f[2]),
      };
      if (st.tag === 0xa1) {
        const ri = children(st);
        single.revocationTime = parseAsn1Time(ri[0]);
        if (ri[1]) single.revocationReason = children(ri[1])[0].value[0];
      }
      for (const x of f.slice(3)) if (x.tag === 0xa0) single.nextUpdate = parseAsn1Time(children(x)[0]);
      return single;
    });
    let nonce: Uint8Array | undefined;
    const exts = t.slice(i).find((x) => x.tag === 0xa1);
    for (const e of exts ? children(children(exts)[0]) : []) {
      const p = children(e);
      if (decodeOid(p[0].value) === PKIX_OID.ocspNonce) {
        const v = p[p.length - 1].value;
        nonce = v[0] === 0x04 ? readTlv(v).value : v;
      }
    }
    const certificates = certsTagged ? children(children(certsTagged)[0]).map((c) => c.raw) : [];
    return {
      der: top.raw,
      responseStatus,
      basic: {
        tbs: tbs.raw,
        responderName: rid.tag === 0xa1 ? children(rid)[0].raw : undefined,
        responderKeyHash: rid.tag === 0xa2 ? children(rid)[0].value : undefined,
        producedAt,
        responses,
        nonce,
        signatureAlgorithm: sigAlg,
        signature: sig.value.subarray(1),
        certificates,
      },
    };
  } catch (e) {
    throw new KysoError("OCSP_MALFORMED", `not an OCSP response (${(e as Error).message})`, { cause: e });
  }
}

export interface OcspCheck {
  status: CertStatus;
  revocationTime?: Date;
  /** CRLReason name (RFC 5280 §5.3.1) of a revoked certificate, when given. */
  reason?: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  producedAt: Date;
  /** The certificate that signed the response (the CA or its delegated responder). */
  responderCertificate?: Uint8Array;
  /** Problems that make the response unusable (empty when usable). */
  problems: string[];
}

/** The single response about `certDer` issued by `issuerDer`, if the response has one. */
export function findSingleResponse(resp: OcspResponse, certDer: Uint8Array, issuerDer: Uint8Array): SingleResponse | undefined {
  const serial = trimInt(certificateNames(certDer).serial);
  return resp.basic?.responses.find((r) => {
    if (!bytesEqual(r.serial, serial)) return false;
    const alg = r.hashAlgorithm ?? "SHA-1";
    return bytesEqual(r.issuerNameHash, digest(alg, certificateNames(issuerDer).subject)) && bytesEqual(r.issuerKeyHash, digest(alg, subjectPublicKeyBits(issuerDer)));
  });
}

/**
 * Checks that an OCSP response is evidence about `certDer` (RFC 6960 §3.2): successful, about this
 * certificate, signed by its issuer or by a responder certificate the issuer gave id-kp-OCSPSigning,
 * and (with `nonce`) echoing the request. `extraCertificates` may supply the responder certificate.
 */
export function checkOcspResponse(
  der: Uint8Array,
  certDer: Uint8Array,
  issuerDer: Uint8Array,
  options: { nonce?: Uint8Array; extraCertificates?: readonly Uint8Array[] } = {},
): OcspCheck {
  const resp = parseOcspResponse(der);
  if (resp.responseStatus !== 0 || !resp.basic)
    return { status: "unknown", thisUpdate: new Date(0), producedAt: new Date(0), problems: [`the responder answered status ${resp.responseStatus} (not successful)`] };
  const b = resp.basic;
  const problems: string[] = [];
  const single = findSingleResponse(resp, certDer, issuerDer);
  if (!single) return { status: "unknown", thisUpdate: new Date(0), producedAt: b.producedAt, problems: ["the response is about another certificate"] };
  const candidates = [issuerDer, ...b.certificates, ...(options.extraCertificates ?? [])];
  const responder = candidates.find((c) => {
    if (b.responderKeyHash) return bytesEqual(digest("SHA-1", subjectPublicKeyBits(c)), b.responderKeyHash);
    return b.responderName !== undefined && bytesEqual(certificateNames(c).subject, b.responderName);
  });
  if (!responder) problems.push("the responder's certificate is not available");
  else if (!verifySignatureValue(b.signatureAlgorithm, b.tbs, b.signature, responder)) problems.push("the response's signature does not verify");
  else if (!bytesEqual(responder, issuerDer)) {
    // A delegated responder: issued by the CA, with id-kp-OCSPSigning (RFC 6960 §4.2.2.2).
    if (!isIssuedBy(responder, issuerDer)) problems.push("the responder certificate is not issued by the certificate's CA");
    else if (!extendedKeyUsages(responder).includes(PKIX_OID.ekuOcspSigning)) problems.push("the responder certificate lacks id-kp-OCSPSigning");
    else {
      const v = certificateValidity(responder);
      if (b.producedAt < v.notBefore || b.producedAt > v.notAfter) problems.push("the responder certificate was not valid when the response was produced");
    }
  }
  // A responder may ignore the nonce (RFC 8954 §2.1); one that answers with another nonce is replaying.
  if (options.nonce && b.nonce && !bytesEqual(b.nonce, options.nonce)) problems.push("the response carries another request's nonce");
  return {
    status: single.status,
    revocationTime: single.revocationTime,
    reason: single.revocationReason !== undefined ? REVOCATION_REASONS[single.revocationReason] || undefined : undefined,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    producedAt: b.producedAt,
    responderCertificate: responder,
    problems,
  };
}
