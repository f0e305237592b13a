import { DIGEST_LENGTHS, DIGEST_OIDS, digest, type DigestAlgorithm, type SignatureScheme, type KeyAlgorithm, maxSignatureLengthFor } from "@kyso/core";
import { contextConstructed, derNull, ecdsaRawToDer, octetString, oid, sequence, setOf, smallInteger, tlv, unsignedInteger, type Der } from "@kyso/core";
import { parseCertificate, type CertificateParts } from "@kyso/core";
import { ECDSA_OIDS, OID, RSA_PKCS1_OIDS } from "./oids.js";

/** AlgorithmIdentifier for a digest; parameters absent (RFC 5754 §2). */
export function digestAlgorithmId(alg: DigestAlgorithm): Der {
  return sequence(oid(DIGEST_OIDS[alg]));
}

/** AlgorithmIdentifier for the signature (RFC 4055 for PSS, RFC 5758 for ECDSA). */
export function signatureAlgorithmId(scheme: SignatureScheme, alg: DigestAlgorithm): Der {
  if (scheme === "RSASSA-PKCS1-v1_5") return sequence(oid(RSA_PKCS1_OIDS[alg]), derNull());
  if (scheme === "ECDSA") return sequence(oid(ECDSA_OIDS[alg]));
  // RSASSA-PSS-params: hash, MGF1 with the same hash, salt length = hash length (RFC 4055 §3.1).
  const hashId = sequence(oid(DIGEST_OIDS[alg]), derNull());
  return sequence(
    oid(OID.rsassaPss),
    sequence(
      tlv(0xa0, hashId),
      tlv(0xa1, sequence(oid(OID.mgf1), hashId)),
      tlv(0xa2, smallInteger(DIGEST_LENGTHS[alg])),
    ),
  );
}

function attribute(type: string, ...values: Der[]): Der {
  return sequence(oid(type), setOf(...values));
}

/** ESS signing-certificate-v2 (RFC 5035 §3): the hash of the signer certificate and its issuer and serial. */
export function signingCertificateV2(cert: CertificateParts, alg: DigestAlgorithm = "SHA-256"): Der {
  const issuerSerial = sequence(sequence(tlv(0xa4, cert.issuer)), tlv(0x02, cert.serial));
  const certId =
    alg === "SHA-256"
      ? sequence(octetString(digest(alg, cert.der)), issuerSerial) // SHA-256 is the DEFAULT and must be omitted in DER
      : sequence(digestAlgorithmId(alg), octetString(digest(alg, cert.der)), issuerSerial);
  return sequence(sequence(certId));
}

export interface SignedAttributesInput {
  /** Digest of the signed content (the PDF byte ranges). */
  contentDigest: Uint8Array;
  digestAlgorithm: DigestAlgorithm;
  signerCertificate: Uint8Array;
  /** Adds a signing-time attribute: only for CMS outside PAdES (adbe.pkcs7.detached); PAdES forbids it. */
  signingTime?: Date;
}

/**
 * The PAdES B-B signed attributes (ETSI EN 319 142-1 §5.3; EN 319 122-1 §5.2): content-type,
 * message-digest, signing-certificate-v2. Returns the DER SET OF (tag 0x31), which is what is signed
 * (RFC 5652 §5.4), its elements in DER order.
 */
export function buildSignedAttributes(input: SignedAttributesInput): Der {
  const cert = parseCertificate(input.signerCertificate);
  const attrs: Der[] = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(input.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(cert, input.digestAlgorithm === "SHA-1" ? "SHA-256" : input.digestAlgorithm)),
  ];
  if (input.signingTime) attrs.push(attribute(OID.signingTime, utcOrGeneralized(input.signingTime)));
  return setOf(...attrs);
}

function utcOrGeneralized(d: Date): Der {
  // RFC 5652 §11.3: UTCTime for 1950-2049.
  const y = d.getUTCFullYear();
  const iso = d.toISOString();
  if (y >= 1950 && y < 2050) {
    const s = iso.slice(2, 19).replace(/[-:T]/g, "") + "Z";
    return tlv(0x17, new Uint8Array(Buffer.from(s, "latin1")));
  }
  return tlv(0x18, new Uint8Array(Buffer.from(iso.replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z"), "latin1")));
}

export interface SignedDataInput {
  /** The DER SET OF signed attributes, as returned by buildSignedAttributes. */
  signedAttributes: Der;
  /** The signature value as the signer made it (ECDSA: raw r||s; it is converted to DER here). */
  signature: Uint8Array;
  scheme: SignatureScheme;
  digestAlgorithm: DigestAlgorithm;
  signerCertificate: Uint8Array;
  /** Further certificates (the chain), DER. */
  certificates: readonly Uint8Array[];
  /** Unsigned attributes (e.g. a signature timestamp), each a DER Attribute. */
  unsignedAttributes?: Der[];
}

/** Wraps everything into a detached CMS ContentInfo with SignedData (RFC 5652 §5), no eContent. */
export function buildSignedData(input: SignedDataInput): Der {
  const cert = parseCertificate(input.signerCertificate);
  const sigValue = input.scheme === "ECDSA" ? ecdsaRawToDer(input.signature) : input.signature;
  // The signed attributes go in as [0] IMPLICIT: same contents, tag 0xA0 instead of 0x31.
  const signedAttrs = new Uint8Array(input.signedAttributes);
  signedAttrs[0] = 0xa0;
  const signerInfoParts: Der[] = [
    smallInteger(1),
    sequence(cert.issuer, tlv(0x02, cert.serial)),
    digestAlgorithmId(input.digestAlgorithm),
    signedAttrs,
    signatureAlgorithmId(input.scheme, input.digestAlgorithm),
    octetString(sigValue),
  ];
  if (input.unsignedAttributes?.length) signerInfoParts.push(tlv(0xa1, ...input.unsignedAttributes));
  const certs = [input.signerCertificate, ...input.certificates.filter((c) => !sameBytes(c, input.signerCertificate))];
  const signedData = sequence(
    smallInteger(1),
    setOf(digestAlgorithmId(input.digestAlgorithm)),
    sequence(oid(OID.data)),
    contextConstructed(0, ...certs),
    setOf(sequence(...signerInfoParts)),
  );
  return sequence(oid(OID.signedData), contextConstructed(0, signedData));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** The largest DER signature value a key makes (ECDSA DER adds sign bytes and headers). */
export function maxSignatureValueLength(key: KeyAlgorithm): number {
  const raw = maxSignatureLengthFor(key);
  return key.name === "RSA" ? raw : raw + 9;
}

/**
 * The size of the CMS this signer will produce, from a dry run with a dummy signature of the
 * largest size, plus room for unsigned attributes (e.g. a timestamp token).
 */
export function estimateSignedDataLength(input: Omit<SignedDataInput, "signature" | "signedAttributes"> & { unsignedReserve?: number }): number {
  const cert = parseCertificate(input.signerCertificate);
  const attrs = buildSignedAttributes({ contentDigest: new Uint8Array(DIGEST_LENGTHS[input.digestAlgorithm]), digestAlgorithm: input.digestAlgorithm, signerCertificate: input.signerCertificate });
  const dummy = new Uint8Array(maxSignatureLengthFor(cert.keyAlgorithm)).fill(0xff);
  const der = buildSignedData({ ...input, signedAttributes: attrs, signature: dummy });
  return der.length + (input.unsignedReserve ?? 0) + 16;
}

export { unsignedInteger };
