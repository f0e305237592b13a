import { parseAsn1, octets, oidOf, timeOf, asSet, type Asn1 } from "@kyso/core";
import { verifyDigestFromOid, type VerifyDigest } from "./algorithms.js";

export const OIDS = {
  signedData: "1.2.840.113549.1.7.2",
  data: "1.2.840.113549.1.7.1",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificate: "1.2.840.113549.1.9.16.2.12",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  timeStampToken: "1.2.840.113549.1.9.16.2.14",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  adbeRevocation: "1.2.840.113583.1.1.8",
  ocspBasic: "1.3.6.1.5.5.7.48.1.1",
} as const;

/** One SignerInfo (RFC 5652 §5.3). */
export interface SignerInfo {
  /** IssuerAndSerialNumber: issuer Name DER and serial hex; or a subject key identifier. */
  sid: { issuerDer?: Uint8Array; serialHex?: string; subjectKeyId?: string };
  digestAlgorithm: VerifyDigest | undefined;
  digestAlgorithmOid: string;
  /** DER of the signed attributes as signed (re-tagged as SET OF), or undefined when absent. */
  signedAttributes: Uint8Array | undefined;
  attributes: Map<string, Asn1[]>;
  unsignedAttributes: Map<string, Asn1[]>;
  signatureAlgorithm: Asn1;
  signature: Uint8Array;
}

/** A CMS SignedData (RFC 5652 §5.1), as found in a PDF /Contents or a timestamp token. */
export interface SignedData {
  eContentType: string;
  /** The encapsulated content, when not detached. */
  eContent: Uint8Array | undefined;
  certificates: Uint8Array[];
  crls: Uint8Array[];
  signerInfos: SignerInfo[];
}

function attributesOf(node: Asn1 | undefined): Map<string, Asn1[]> {
  const map = new Map<string, Asn1[]>();
  for (const attr of node?.children ?? []) {
    const oid = oidOf(attr.children[0]);
    map.set(oid, attr.children[1]?.children ?? []);
  }
  return map;
}

/**
 * The one reader of CMS SignedData in Kyso (RFC 5652 §5): PDF signatures, timestamp tokens, edXML's
 * neighbours. Tolerant of BER (indefinite lengths, constructed OCTET STRINGs) as old PKCS#7
 * signers write it; every part keeps its raw bytes so what was signed is checked as found.
 * ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, certificates [0]
 *   IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET OF SignerInfo }
 * Throws (plain Error) on anything that is not one.
 */
export function parseSignedData(der: Uint8Array): SignedData {
  const ci = parseAsn1(der);
  if (ci.tag !== 0x30 || oidOf(ci.children[0]) !== OIDS.signedData) throw new Error("not a CMS SignedData");
  const sd = ci.children[1]?.children[0];
  if (!sd || sd.tag !== 0x30) throw new Error("SignedData missing");
  const f = sd.children;
  const encap = f[2];
  const eContentType = oidOf(encap?.children[0]);
  const eContentNode = encap?.children[1]?.children[0];
  let k = 3;
  const certificates: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  if (f[k]?.tag === 0xa0) {
    for (const c of f[k].children) if (c.tag === 0x30) certificates.push(c.raw);
    k++;
  }
  if (f[k]?.tag === 0xa1) {
    for (const c of f[k].children) if (c.tag === 0x30) crls.push(c.raw);
    k++;
  }
  const signerInfos: SignerInfo[] = [];
  for (const si of f[k]?.children ?? []) {
    const s = si.children;
    const sidNode = s[1];
    const sid: SignerInfo["sid"] =
      sidNode.tag === 0x30
        ? { issuerDer: sidNode.children[0]?.raw, serialHex: Buffer.from(sidNode.children[1]?.value ?? []).toString("hex") }
        : { subjectKeyId: Buffer.from(sidNode.value).toString("hex") };
    const digestAlgorithmOid = oidOf(s[2]?.children[0]);
    let j = 3;
    let signedAttrsNode: Asn1 | undefined;
    if (s[j]?.tag === 0xa0) signedAttrsNode = s[j++];
    const signatureAlgorithm = s[j++];
    const signature = octets(s[j++]);
    const unsignedNode = s[j]?.tag === 0xa1 ? s[j] : undefined;
    signerInfos.push({
      sid,
      digestAlgorithm: verifyDigestFromOid(digestAlgorithmOid, s[2]?.children[1]),
      digestAlgorithmOid,
      signedAttributes: signedAttrsNode ? asSet(signedAttrsNode.raw) : undefined,
      attributes: attributesOf(signedAttrsNode),
      unsignedAttributes: attributesOf(unsignedNode),
      signatureAlgorithm,
      signature,
    });
  }
  return { eContentType, eContent: eContentNode ? octets(eContentNode) : undefined, certificates, crls, signerInfos };
}

/**
 * TSTInfo (RFC 3161 §2.4.2): the one reader.
 * TSTInfo ::= SEQUENCE { version, policy OID, messageImprint SEQUENCE { hashAlgorithm, hashedMessage },
 *   serialNumber INTEGER, genTime GeneralizedTime, accuracy OPTIONAL, ordering OPTIONAL,
 *   nonce INTEGER OPTIONAL, tsa [0] OPTIONAL, extensions [1] OPTIONAL }
 */
export interface TstInfo {
  policy: string;
  imprintAlgorithm: VerifyDigest | undefined;
  imprint: Uint8Array;
  genTime: Date | undefined;
  serialHex: string;
  /** The nonce's magnitude (leading zero bytes removed), when present. */
  nonce: Uint8Array | undefined;
}

export function parseTstInfo(der: Uint8Array): TstInfo {
  const t = parseAsn1(der);
  const [, policy, mi, serial, genTime] = t.children;
  let nonce: Uint8Array | undefined;
  for (const x of t.children.slice(5)) if (x.tag === 0x02) nonce = trimLeadingZeros(x.value);
  return {
    policy: oidOf(policy),
    imprintAlgorithm: verifyDigestFromOid(oidOf(mi?.children[0]?.children[0])),
    imprint: mi?.children[1]?.value ?? new Uint8Array(0),
    genTime: timeOf(genTime),
    serialHex: Buffer.from(serial?.value ?? []).toString("hex"),
    nonce,
  };
}

export function trimLeadingZeros(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i);
}

/** Revocation values in the Adobe attribute (adbe-revocationInfoArchival: [0] CRLs, [1] OCSP responses). */
export function adobeRevocationValues(attr: Asn1[] | undefined): { crls: Uint8Array[]; ocsps: Uint8Array[] } {
  const crls: Uint8Array[] = [];
  const ocsps: Uint8Array[] = [];
  for (const ria of attr ?? []) for (const part of ria.children) {
    if (part.tag === 0xa0) for (const c of part.children[0]?.children ?? part.children) crls.push(c.raw);
    if (part.tag === 0xa1) for (const c of part.children[0]?.children ?? part.children) ocsps.push(c.raw);
  }
  return { crls, ocsps };
}
