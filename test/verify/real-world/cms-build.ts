/**
 * CMS shapes openssl cannot make directly: a detached BER (indefinite-length) SignedData cut out of
 * openssl's streamed output, a certificate set in a chosen order with repeats, and a SignedData
 * built by hand (RFC 5652 §5) for what openssl 3.0 cannot sign (EdDSA with signed attributes, a
 * chosen signing-time).
 */
import { createHash, sign as nodeSign, type KeyObject } from "node:crypto";
import { children, contextConstructed, octetString, oid, readTlv, sequence, setOf, smallInteger, tlv, type Der } from "@kyso/core";

const OID = {
  signedData: "1.2.840.113549.1.7.2",
  data: "1.2.840.113549.1.7.1",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  timeStampToken: "1.2.840.113549.1.9.16.2.14",
};

interface BerNode {
  tag: number;
  start: number;
  /** Offset of the contents. */
  body: number;
  end: number;
  indefinite: boolean;
}

/** One BER element at `off` (X.690 §8.1.3.6: a length octet 0x80 means "until the end-of-contents octets"). */
function berAt(b: Uint8Array, off: number): BerNode {
  const tag = b[off];
  let p = off + 1;
  const first = b[p++];
  if (first === 0x80) {
    let q = p;
    while (!(b[q] === 0 && b[q + 1] === 0)) q = berAt(b, q).end;
    return { tag, start: off, body: p, end: q + 2, indefinite: true };
  }
  let len = first;
  if (first & 0x80) {
    len = 0;
    for (let i = 0; i < (first & 0x7f); i++) len = len * 256 + b[p++];
  }
  return { tag, start: off, body: p, end: p + len, indefinite: false };
}

function berChildren(b: Uint8Array, n: BerNode): BerNode[] {
  const out: BerNode[] = [];
  const stop = n.indefinite ? n.end - 2 : n.end;
  for (let p = n.body; p < stop; ) {
    const c = berAt(b, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

/**
 * openssl's streamed SignedData (`cms -sign -stream -outform DER`) is BER with indefinite lengths
 * but carries the content. This removes eContent from encapContentInfo (RFC 5652 §5.2: absent in
 * a detached signature). Every enclosing element has an indefinite length, so nothing else changes.
 */
export function detachStreamedCms(ber: Uint8Array): Uint8Array {
  const ci = berAt(ber, 0);
  const [, explicit] = berChildren(ber, ci);
  const [sd] = berChildren(ber, explicit);
  const encap = berChildren(ber, sd)[2];
  if (!ci.indefinite || !explicit.indefinite || !sd.indefinite || !encap.indefinite) throw new Error("not an indefinite-length SignedData");
  const [, eContent] = berChildren(ber, encap);
  if (!eContent) throw new Error("no eContent to remove");
  return Buffer.concat([ber.subarray(0, eContent.start), ber.subarray(eContent.end)]);
}

/** A DER SignedData whose certificate set is replaced by `certs` in that order, repeats kept. */
export function withCertificates(der: Uint8Array, certs: Uint8Array[]): Uint8Array {
  const ci = children(readTlv(der));
  const sd = children(children(ci[1])[0]);
  const rebuilt = sd.map((n) => (n.tag === 0xa0 ? contextConstructed(0, ...certs) : n.raw));
  return sequence(ci[0].raw, contextConstructed(0, sequence(...rebuilt)));
}

/** UTCTime (X.690 §11.8, RFC 5280 §4.1.2.5.1) of a date as written, with 'Z'. */
function utcTime(d: Date): Der {
  const s = d.toISOString();
  return tlv(0x17, new Uint8Array(Buffer.from(`${s.slice(2, 4)}${s.slice(5, 7)}${s.slice(8, 10)}${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`, "latin1")));
}

function attribute(type: string, ...values: Der[]): Der {
  return sequence(oid(type), setOf(...values));
}

export interface HandSignOptions {
  /** The detached content (the PDF's signed byte ranges). */
  content: Uint8Array;
  /** digestAlgorithm AlgorithmIdentifier and the function it names. */
  digestAlgorithm: Der;
  digest: (b: Uint8Array) => Uint8Array;
  /** signatureAlgorithm AlgorithmIdentifier. */
  signatureAlgorithm: Der;
  /** Signs the DER of the signed attributes; e.g. node:crypto sign(null, data, ed25519Key). */
  sign: (data: Uint8Array) => Uint8Array;
  signerCertificate: Uint8Array;
  certificates: Uint8Array[];
  /** The signing-time attribute's value, as written (RFC 5652 §11.3). */
  signingTime?: Date;
  /** Unsigned attributes made from the signature value (e.g. an RFC 3161 timestamp token). */
  unsigned?: (signature: Uint8Array) => Promise<Der[]>;
}

/**
 * SignedData with signed attributes (RFC 5652 §5.3, §5.4: the signature is over the DER of the
 * SET OF attributes), detached (eContent absent), the signer named by issuerAndSerialNumber.
 */
export async function handSignedData(o: HandSignOptions): Promise<Uint8Array> {
  const attrs = [attribute(OID.contentType, oid(OID.data)), attribute(OID.messageDigest, octetString(o.digest(o.content)))];
  if (o.signingTime) attrs.push(attribute(OID.signingTime, utcTime(o.signingTime)));
  const signedSet = setOf(...attrs);
  const signature = o.sign(signedSet);
  const tbs = children(children(readTlv(o.signerCertificate))[0]);
  const i = tbs[0].tag === 0xa0 ? 1 : 0;
  const sid = sequence(tbs[i + 2].raw, tbs[i].raw);
  const unsigned = o.unsigned ? await o.unsigned(signature) : [];
  const implicitAttrs = new Uint8Array(signedSet);
  implicitAttrs[0] = 0xa0; // [0] IMPLICIT SET OF Attribute
  const signerInfo = sequence(
    smallInteger(1),
    sid,
    o.digestAlgorithm,
    implicitAttrs,
    o.signatureAlgorithm,
    octetString(signature),
    ...(unsigned.length ? [tlv(0xa1, ...unsigned)] : []),
  );
  const sd = sequence(smallInteger(1), setOf(o.digestAlgorithm), sequence(oid(OID.data)), contextConstructed(0, ...o.certificates), setOf(signerInfo));
  return sequence(oid(OID.signedData), contextConstructed(0, sd));
}

export const algorithms = {
  sha256: sequence(oid("2.16.840.1.101.3.4.2.1")),
  sha512: sequence(oid("2.16.840.1.101.3.4.2.3")),
  /** RFC 8419 §2.3: SHAKE256 with its 512-bit output, id-shake256, parameters absent (as OpenSSL 3.2+ writes it). */
  shake256: sequence(oid("2.16.840.1.101.3.4.2.12")),
  /** The other form in RFC 8419's ASN.1 module: id-shake256-len with ShakeOutputLen 512. */
  shake256len512: sequence(oid("2.16.840.1.101.3.4.2.18"), tlv(0x02, new Uint8Array([0x02, 0x00]))),
  /** RFC 8419 §3.1: parameters absent. */
  ed25519: sequence(oid("1.3.101.112")),
  ed448: sequence(oid("1.3.101.113")),
  rsaEncryption: sequence(oid("1.2.840.113549.1.1.1"), new Uint8Array([0x05, 0x00])),
};

export const digests = {
  sha256: (b: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(b).digest()),
  sha512: (b: Uint8Array): Uint8Array => new Uint8Array(createHash("sha512").update(b).digest()),
  shake256x512: (b: Uint8Array): Uint8Array => new Uint8Array(createHash("shake256", { outputLength: 64 }).update(b).digest()),
};

/** PureEdDSA (RFC 8032) over the data itself: node:crypto with no digest name. */
export const eddsa = (key: KeyObject) => (data: Uint8Array): Uint8Array => new Uint8Array(nodeSign(null, data, key));
export const rsaSha256 = (key: KeyObject) => (data: Uint8Array): Uint8Array => new Uint8Array(nodeSign("sha256", data, key));

/**
 * An RFC 3161 timestamp token over `signature` from a TSA at `tsaUrl` (RFC 3161 §3.4 over HTTP), as
 * the unsigned attribute id-aa-timeStampToken (RFC 3161 Appendix A). The request is made by openssl ts.
 */
export async function timestampAttribute(tsaUrl: string, signature: Uint8Array, makeQuery: (data: Uint8Array) => Uint8Array): Promise<Der> {
  const res = await fetch(tsaUrl, { method: "POST", headers: { "content-type": "application/timestamp-query" }, body: Buffer.from(makeQuery(signature)), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`TSA answered ${res.status}`);
  const resp = children(readTlv(new Uint8Array(await res.arrayBuffer())));
  if (resp.length < 2) throw new Error("TSA granted no token");
  return attribute(OID.timeStampToken, resp[1].raw);
}
