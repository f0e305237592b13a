import { KysoError, type DerNode, type DigestAlgorithm } from "@kyso/core";
import { findSignerCertificate } from "./cms-verify.js";
import { parseCertificateDer, type Certificate } from "./certificate.js";
import { OID } from "./oids.js";
import { OIDS, parseSignedData } from "./signed-data.js";

/** What long-term validation needs from a CMS SignedData signature (RFC 5652 §5): no verification here. */
export interface SignedDataInfo {
  certificates: Uint8Array[];
  /** The signer's certificate, found by its SignerIdentifier among `certificates`. */
  signerCertificate: Uint8Array | undefined;
  digestAlgorithm: DigestAlgorithm | undefined;
  /** The signed attributes as signed (SET OF), if any. */
  signedAttributes: Uint8Array | undefined;
  /** messageDigest attribute value. */
  messageDigest: Uint8Array | undefined;
  signatureAlgorithm: DerNode;
  /** The signature value as the CMS carries it (the imprint of a signature timestamp). */
  signatureValue: Uint8Array;
  /** id-aa-signatureTimeStampToken values (RFC 3161 Appendix A). */
  timestampTokens: Uint8Array[];
  /** For a document timestamp (RFC 3161 token as the whole /Contents): true. */
  isTimeStampToken: boolean;
}

/** A view of the first SignerInfo, read by the one SignedData reader (signed-data.ts). Throws CMS_MALFORMED. */
export function readSignedDataInfo(der: Uint8Array): SignedDataInfo {
  try {
    const sd = parseSignedData(der);
    const si = sd.signerInfos[0];
    if (!si) throw new Error("no SignerInfo");
    const certs: Certificate[] = [];
    for (const c of sd.certificates) {
      try {
        certs.push(parseCertificateDer(c));
      } catch {
        /* an unreadable certificate cannot be the signer's */
      }
    }
    const digest = si.digestAlgorithm === "SHAKE256" ? undefined : si.digestAlgorithm;
    return {
      certificates: sd.certificates,
      signerCertificate: findSignerCertificate(si.sid, certs)?.der,
      digestAlgorithm: digest,
      signedAttributes: si.signedAttributes,
      messageDigest: si.attributes.get(OIDS.messageDigest)?.[0]?.value,
      signatureAlgorithm: si.signatureAlgorithm,
      signatureValue: si.signature,
      timestampTokens: (si.unsignedAttributes.get(OID.signatureTimeStampToken) ?? []).map((n) => n.raw),
      isTimeStampToken: sd.eContentType === OID.tstInfo,
    };
  } catch (e) {
    throw new KysoError("CMS_MALFORMED", `the signature is not a readable CMS SignedData (${(e as Error).message})`, { cause: e });
  }
}
