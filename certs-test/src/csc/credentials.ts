/**
 * The CSC test server's credentials and users: one credential per demo officer key on the token
 * (`officer-rsa`, `officer-ec`), with the certificates of the test PKI. Test material only: the
 * passwords, PIN and OTP are public (certs-test/README.md, "CSC test server").
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { certificatesFromPemOrDer } from "@kyso/core";
import { pki, token } from "../layout.js";

export const CSC_CLIENT_ID = "kyso-test";
export const CSC_CLIENT_SECRET = "kyso-test-secret";
export const CSC_USER_PASSWORD = "kyso-test";
export const CSC_PIN = token.userPin;
/** The fixed one-time password the test server accepts (a real service sends one by SMS or app). */
export const CSC_OTP = "246810";

export interface CscCredential {
  id: string;
  /** The officer who owns it (user name for the code flow and auth/login). */
  user: string;
  keyLabel: string;
  kind: "RSA" | "EC";
  /** Leaf, intermediate, root (DER). */
  chain: Uint8Array[];
  keyLength: number;
  /** Named curve OID for EC keys. */
  curve?: string;
}

export const CSC_USERS: Record<string, { credentials: string[] }> = {
  an: { credentials: ["officer-rsa"] },
  binh: { credentials: ["officer-ec"] },
};

const CURVES: Record<string, string> = { prime256v1: "1.2.840.10045.3.1.7", secp384r1: "1.3.132.0.34", secp521r1: "1.3.132.0.35" };

function load(id: string, user: string, files: { cert: string; chain: string }): CscCredential {
  const leaf = certificatesFromPemOrDer(new Uint8Array(readFileSync(files.cert)))[0];
  const rest = certificatesFromPemOrDer(new Uint8Array(readFileSync(files.chain)));
  const details = new X509Certificate(leaf).publicKey;
  const kind = details.asymmetricKeyType === "ec" ? "EC" : "RSA";
  const d = details.asymmetricKeyDetails ?? {};
  const curve = d.namedCurve ? CURVES[d.namedCurve] : undefined;
  const keyLength = kind === "RSA" ? (d.modulusLength ?? 0) : d.namedCurve === "secp384r1" ? 384 : d.namedCurve === "secp521r1" ? 521 : 256;
  return { id, user, keyLabel: token.keys[id === "officer-rsa" ? "officerRsa" : "officerEc"].label, kind, chain: [leaf, ...rest], keyLength, curve };
}

export function loadCredentials(): Map<string, CscCredential> {
  return new Map([
    ["officer-rsa", load("officer-rsa", "an", pki.officerRsa)],
    ["officer-ec", load("officer-ec", "binh", pki.officerEc)],
  ]);
}

export const SIGN_OIDS = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  sha384WithRSA: "1.2.840.113549.1.1.12",
  sha512WithRSA: "1.2.840.113549.1.1.13",
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
} as const;

/** RFC 4514 string of a name, most significant RDN last (as LDAP writes it). */
function dn(lines: string): string {
  return lines
    .split("\n")
    .filter(Boolean)
    .reverse()
    .map((rdn) => {
      const eq = rdn.indexOf("=");
      return `${rdn.slice(0, eq)}=${rdn.slice(eq + 1).replace(/([,+"\\<>;])/g, "\\$1")}`;
    })
    .join(",");
}

/** YYYYMMDDHHMMSSZ (the CSC API's GeneralizedTime strings). */
function generalized(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
}

export interface InfoRequest {
  certificates?: string;
  certInfo?: boolean;
  authInfo?: boolean;
}

/**
 * credentials/info (CSC API v2.0 §11.5, with the v1.0.4 §11.5 authMode/PIN/OTP members beside v2's
 * `auth` object): certificate fields and authentication data are always returned.
 */
export function credentialInfo(c: CscCredential, req: InfoRequest, multisign: number, lang: string, otpType: "offline" | "online" = "offline"): Record<string, unknown> {
  const x = new X509Certificate(c.chain[0]);
  const which = req.certificates ?? "single";
  const certificates = which === "none" ? undefined : (which === "chain" ? c.chain : c.chain.slice(0, 1)).map((d) => Buffer.from(d).toString("base64"));
  const algo =
    c.kind === "RSA"
      ? [SIGN_OIDS.rsaEncryption, SIGN_OIDS.sha256WithRSA, SIGN_OIDS.sha384WithRSA, SIGN_OIDS.sha512WithRSA]
      : [SIGN_OIDS.ecPublicKey, SIGN_OIDS.ecdsaWithSHA256, SIGN_OIDS.ecdsaWithSHA384, SIGN_OIDS.ecdsaWithSHA512];
  return {
    description: `Kyso test credential ${c.id} (test material only)`,
    key: { status: "enabled", algo, len: c.keyLength, ...(c.curve ? { curve: c.curve } : {}) },
    cert: {
      status: "valid",
      ...(certificates ? { certificates } : {}),
      issuerDN: dn(x.issuer),
      serialNumber: x.serialNumber.toLowerCase(),
      subjectDN: dn(x.subject),
      validFrom: generalized(new Date(x.validFrom)),
      validTo: generalized(new Date(x.validTo)),
    },
    authMode: "explicit",
    SCAL: "2",
    PIN: { presence: "true", format: "N", label: "PIN", description: "Mã PIN của chứng thư số (6 chữ số)" },
    OTP: { presence: "true", type: otpType, format: "N", ID: `kyso-otp-${c.id}`, provider: "kyso-test", label: "OTP", description: "Mã OTP (thử nghiệm)" },
    auth: {
      mode: "explicit",
      expression: "PIN AND OTP",
      objects: [
        { type: "Password", id: "PIN", format: "N", label: "PIN" },
        { type: "Password", id: "OTP", format: "N", label: "OTP", generator: "kyso-test" },
      ],
    },
    multisign,
    lang,
  };
}
