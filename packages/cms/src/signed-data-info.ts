import { KysoError, bytesEqual, children, decodeOid, digestFromOid, readTlv, type DerNode, type DigestAlgorithm } from "@kyso/core";
import { OID } from "./oids.js";
import { certificateNames } from "./pkix.js";

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

/** Reads the first SignerInfo of a CMS ContentInfo with SignedData. Throws CMS_MALFORMED. */
export function readSignedDataInfo(der: Uint8Array): SignedDataInfo {
  try {
    const ci = readTlv(der);
    const [ctype, explicit] = children(ci);
    if (decodeOid(ctype.value) !== OID.signedData) throw new Error("not a SignedData");
    const sd = children(children(explicit)[0]);
    const eType = decodeOid(children(sd[2])[0].value);
    const certificates: Uint8Array[] = [];
    let k = 3;
    for (; k < sd.length && sd[k].tag !== 0x31; k++) if (sd[k].tag === 0xa0) for (const c of children(sd[k])) if (c.tag === 0x30) certificates.push(c.raw);
    const si = children(children(sd[k])[0]);
    const sid = si[1];
    let signerCertificate: Uint8Array | undefined;
    if (sid.tag === 0x30) {
      const [iss, ser] = children(sid);
      signerCertificate = certificates.find((c) => {
        const n = certificateNames(c);
        return bytesEqual(n.issuer, iss.raw) && bytesEqual(n.serial, ser.value);
      });
    }
    let j = 3;
    let signedAttributes: Uint8Array | undefined;
    let messageDigest: Uint8Array | undefined;
    if (si[j].tag === 0xa0) {
      signedAttributes = new Uint8Array(si[j].raw);
      signedAttributes[0] = 0x31;
      for (const a of children(si[j])) {
        const [t, vals] = children(a);
        if (decodeOid(t.value) === OID.messageDigest) messageDigest = children(vals)[0].value;
      }
      j++;
    }
    const signatureAlgorithm = si[j++];
    const signatureValue = si[j++].value;
    const timestampTokens: Uint8Array[] = [];
    const unsigned = si.slice(j).find((n) => n.tag === 0xa1);
    for (const a of unsigned ? children(unsigned) : []) {
      const [t, vals] = children(a);
      if (decodeOid(t.value) === OID.signatureTimeStampToken) for (const v of children(vals)) timestampTokens.push(v.raw);
    }
    return {
      certificates,
      signerCertificate,
      digestAlgorithm: digestFromOid(decodeOid(children(si[2])[0].value)),
      signedAttributes,
      messageDigest,
      signatureAlgorithm,
      signatureValue,
      timestampTokens,
      isTimeStampToken: eType === OID.tstInfo,
    };
  } catch (e) {
    throw new KysoError("CMS_MALFORMED", `the signature is not a readable CMS SignedData (${(e as Error).message})`, { cause: e });
  }
}
