import { children, decodeOid, parseCertificate, readTlv, type DerNode } from "@kyso/core";

/** The subject attributes an appearance shows (RFC 5280 §4.1.2.6; X.520 attribute types). */
export interface SubjectNames {
  commonName?: string;
  organization?: string;
  title?: string;
}

const OIDS: Record<string, keyof SubjectNames> = { "2.5.4.3": "commonName", "2.5.4.10": "organization", "2.5.4.12": "title" };

function directoryString(v: DerNode): string {
  const b = Buffer.from(v.value);
  if (v.tag === 0x1e) return Buffer.from(b).swap16().toString("utf16le"); // BMPString
  if (v.tag === 0x1c) return [...Array(b.length / 4).keys()].map((i) => String.fromCodePoint(b.readUInt32BE(4 * i))).join(""); // UniversalString
  return b.toString(v.tag === 0x0c ? "utf8" : "latin1"); // UTF8String, else PrintableString / TeletexString as Latin-1
}

/** CN, O and title of a certificate's subject (the last occurrence of each wins, as in most displays). */
export function subjectNames(certificate: Uint8Array): SubjectNames {
  const out: SubjectNames = {};
  const subject = readTlv(parseCertificate(certificate).subject);
  for (const rdn of children(subject)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      const key = OIDS[decodeOid(type.value)];
      if (key && value) out[key] = directoryString(value).normalize("NFC");
    }
  }
  return out;
}
