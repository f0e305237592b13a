import { children, readTlv, decodeOid, type DerNode } from "./der.js";
import type { KeyAlgorithm } from "./signer.js";

/** The parts of an X.509 certificate (RFC 5280 §4.1) that signing needs, read straight from its DER. */
export interface CertificateParts {
  der: Uint8Array;
  /** DER of the issuer Name. */
  issuer: Uint8Array;
  /** DER of the subject Name. */
  subject: Uint8Array;
  /** The serialNumber INTEGER's contents (two's complement, as encoded). */
  serial: Uint8Array;
  /** DER of SubjectPublicKeyInfo. */
  spki: Uint8Array;
  keyAlgorithm: KeyAlgorithm;
}

const CURVES: Record<string, "P-256" | "P-384" | "P-521"> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};

export function keyAlgorithmOf(spki: DerNode): KeyAlgorithm {
  const [algId, bitString] = children(spki);
  const [algOid, params] = children(algId);
  const alg = decodeOid(algOid.value);
  if (alg === "1.2.840.113549.1.1.1" || alg === "1.2.840.113549.1.1.10") {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    const key = readTlv(bitString.value, 1);
    const [modulus] = children(key);
    let m = modulus.value;
    while (m.length > 1 && m[0] === 0) m = m.subarray(1);
    return { name: "RSA", modulusBits: m.length * 8 - Math.clz32(m[0]) + 24 };
  }
  if (alg === "1.2.840.10045.2.1") {
    const curve = params ? CURVES[decodeOid(params.value)] : undefined;
    if (!curve) throw new Error("unsupported elliptic curve");
    return { name: "EC", namedCurve: curve };
  }
  throw new Error(`unsupported public key algorithm ${alg}`);
}

export function parseCertificate(der: Uint8Array): CertificateParts {
  const cert = readTlv(der);
  const [tbs] = children(cert);
  const f = children(tbs);
  let i = 0;
  if (f[0].tag === 0xa0) i++; // [0] version
  const serial = f[i];
  const issuer = f[i + 2];
  const subject = f[i + 4];
  const spki = f[i + 5];
  return {
    der: cert.raw,
    issuer: issuer.raw,
    subject: subject.raw,
    serial: serial.value,
    spki: spki.raw,
    keyAlgorithm: keyAlgorithmOf(spki),
  };
}

/** Reads PEM (one or more certificates) or DER into DER certificates. */
export function certificatesFromPemOrDer(data: Uint8Array): Uint8Array[] {
  const text = Buffer.from(data).toString("latin1");
  if (text.includes("-----BEGIN")) {
    const out: Uint8Array[] = [];
    const re = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64")));
    return out;
  }
  return [data];
}
