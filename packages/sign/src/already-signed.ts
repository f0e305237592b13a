import { children, parseCertificate, readTlv, type CertificateParts, type DerNode } from "@kyso/core";
import { PdfString, listSignatureFields, type PdfReader } from "@kyso/pdf";

/**
 * The issuer and serial number a CMS SignedData names for each of its signers (RFC 5652 §5.3,
 * SignerIdentifier issuerAndSerialNumber). Signers named by subjectKeyIdentifier are returned with
 * `ski`. Tolerates the zero padding after the DER in a PDF /Contents string.
 */
export function cmsSignerIds(cms: Uint8Array): { issuer?: Uint8Array; serial?: Uint8Array; ski?: Uint8Array }[] {
  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
  const contentInfo = readTlv(cms);
  const [, explicit] = children(contentInfo);
  if (!explicit || explicit.tag !== 0xa0) return [];
  const [signedData] = children(explicit);
  const fields = children(signedData);
  const signerInfos = fields[fields.length - 1];
  if (!signerInfos || signerInfos.tag !== 0x31) return [];
  return children(signerInfos).map((si) => {
    const sid: DerNode = children(si)[1];
    if (sid.tag === 0x30) {
      const [issuer, serial] = children(sid);
      return { issuer: issuer.raw, serial: serial.value };
    }
    return { ski: sid.value };
  });
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return !!a && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * True when a signature in the document was made with `certificate` (same issuer and serial number).
 * Unreadable signature values are ignored: they cannot be ours.
 */
export function signedByCertificate(reader: PdfReader, certificate: Uint8Array | CertificateParts): boolean {
  const cert = certificate instanceof Uint8Array ? parseCertificate(certificate) : certificate;
  for (const field of listSignatureFields(reader)) {
    const v = reader.dict(field.value);
    const contents = v ? reader.resolve(v.get("Contents")) : undefined;
    if (!(contents instanceof PdfString) || contents.bytes.length < 8) continue;
    try {
      for (const id of cmsSignerIds(contents.bytes)) {
        if (sameBytes(id.serial, cert.serial) && sameBytes(id.issuer, cert.issuer)) return true;
      }
    } catch {
      /* not a CMS we can read: not ours */
    }
  }
  return false;
}
