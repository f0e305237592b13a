import { parseCertificateDer } from "@kyso/cms";
import type { Organization } from "./model.js";

/**
 * Who may sign for a sender, as configured (e.g. from `kyso units`: each unit's OrganId and seal
 * certificate). Every criterion given must hold; an entry with none matches no certificate.
 */
export interface ExpectedSender {
  /** SHA-256 fingerprints (hex, colons allowed) of the certificates that may sign for the sender. */
  certificateSha256?: string[];
  /** Texts that must all occur in the signer certificate's subject (e.g. `UID=MST:4400123456`). */
  subjectContains?: string[];
  /** Texts that must all occur in the signer certificate's issuer. */
  issuerContains?: string[];
  /** The organization (O) the signer certificate must name. */
  organizationName?: string;
}

/** OrganId → who may sign for it: a plain record or a lookup function. */
export type SenderDirectory = Readonly<Record<string, ExpectedSender>> | ((organId: string) => ExpectedSender | undefined);

/** Whether the XML signer is the organization the package's `From` claims to be. */
export interface SenderBinding {
  /** `not-checked` when no signer was established (the XML signature did not verify). */
  status: "matched" | "mismatch" | "not-checked";
  /** `directory`: the configured entry for the OrganId; `organization-name`: the certificate's O against From/OrganName. */
  rule: "directory" | "organization-name" | null;
  organId: string | null;
  organName: string | null;
  signerOrganization: string | null;
  signerCommonName: string | null;
  /** Vietnamese, then English. */
  message: string;
}

/**
 * Comparable form of a name: Unicode NFC, case-folded, whitespace collapsed, and the Vietnamese
 * tone mark taken off its vowel and put at the end of the syllable, so that the old and new
 * placements ("Uỷ ban" / "Ủy ban", "Thanh Hoá" / "Thanh Hóa") compare equal.
 */
export function normalizeName(s: string): string {
  return s
    .normalize("NFC")
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .map((word) => {
      const d = word.normalize("NFD");
      // grave, acute, tilde, hook above, dot below: the five tone marks (U+0300, 0301, 0303, 0309, 0323)
      const tones = d.match(/[\u0300\u0301\u0303\u0309\u0323]/g) ?? [];
      return d.replace(/[\u0300\u0301\u0303\u0309\u0323]/g, "").normalize("NFC") + tones.join("");
    })
    .join(" ");
}

const hex = (s: string): string => s.replace(/[:\s]/g, "").toLowerCase();

function lookup(directory: SenderDirectory | undefined, organId: string): ExpectedSender | undefined {
  if (!directory) return undefined;
  if (typeof directory === "function") return directory(organId);
  return Object.prototype.hasOwnProperty.call(directory, organId) ? directory[organId] : undefined;
}

/** Why the certificate does not satisfy the entry, or null when it does. */
function entryMismatch(e: ExpectedSender, cert: { sha256: string; subject: string; issuer: string; organization?: string }, summary: { subject: string; issuer: string }): string | null {
  const criteria = [e.certificateSha256, e.subjectContains, e.issuerContains, e.organizationName].filter((c) => c !== undefined);
  if (criteria.length === 0) return "the configured entry names no certificate";
  if (e.certificateSha256 && !e.certificateSha256.map(hex).includes(cert.sha256.toLowerCase())) return "the certificate is not one of those configured for the sender";
  const inSubject = [normalizeName(cert.subject), normalizeName(summary.subject)];
  const missing = (e.subjectContains ?? []).find((t) => !inSubject.some((s) => s.includes(normalizeName(t))));
  if (missing !== undefined) return `the certificate's subject does not contain "${missing}"`;
  const inIssuer = [normalizeName(cert.issuer), normalizeName(summary.issuer)];
  const missingIssuer = (e.issuerContains ?? []).find((t) => !inIssuer.some((s) => s.includes(normalizeName(t))));
  if (missingIssuer !== undefined) return `the certificate's issuer does not contain "${missingIssuer}"`;
  if (e.organizationName !== undefined && normalizeName(cert.organization ?? "") !== normalizeName(e.organizationName))
    return `the certificate's organization is not "${e.organizationName}"`;
  return null;
}

/**
 * Binds the package's sender to its XML signer (issue 12): the `From` OrganId's entry in the
 * directory when there is one, otherwise the certificate's organization (O) against `From`
 * OrganName. The certificate is the XML signer's, whose signature value has verified.
 */
export function bindSender(from: Organization, signerDer: Uint8Array | undefined, signerSummary: { subject: string; issuer: string } | null, directory?: SenderDirectory): SenderBinding {
  const base = { organId: from.organId, organName: from.organName ?? null };
  const claimed = from.organName ? `${from.organName} (${from.organId})` : from.organId;
  if (!signerDer || !signerSummary)
    return { ...base, status: "not-checked", rule: null, signerOrganization: null, signerCommonName: null, message: `Chưa đối chiếu được nơi gửi ${claimed} với người ký vì chữ ký XML không được xác minh. / The sender ${claimed} was not bound to a signer: the XML signature did not verify.` };
  const cert = parseCertificateDer(signerDer);
  const signer = { signerOrganization: cert.organization ?? null, signerCommonName: cert.commonName ?? null };
  const who = cert.organization && cert.commonName && normalizeName(cert.organization) !== normalizeName(cert.commonName) ? `${cert.commonName} (${cert.organization})` : (cert.organization ?? cert.commonName ?? cert.subject);
  const entry = lookup(directory, from.organId);
  let why: string | null;
  let rule: SenderBinding["rule"];
  if (entry) {
    rule = "directory";
    why = entryMismatch(entry, cert, signerSummary);
  } else {
    rule = "organization-name";
    why = !from.organName
      ? "the package gives no OrganName and no sender is configured for its OrganId"
      : !cert.organization
        ? "the certificate names no organization (O)"
        : normalizeName(cert.organization) !== normalizeName(from.organName)
          ? `the certificate's organization "${cert.organization}" is not the sender's name`
          : null;
  }
  if (why === null)
    return { ...base, ...signer, status: "matched", rule, message: `Chữ ký số là của nơi gửi ${claimed}: ${who}. / The digital signature is the sender's, ${claimed}: ${who}.` };
  return {
    ...base,
    ...signer,
    status: "mismatch",
    rule,
    message: `Gói tin tự nhận là của ${claimed} nhưng chữ ký số là của ${who}. / The package claims to come from ${claimed} but its digital signature is by ${who} (${why}).`,
  };
}

/** A personal certificate (CN a person, not the organization) matched by organization name only: worth a warning. */
export function personalSignerWarning(b: SenderBinding): string | null {
  if (b.status !== "matched" || b.rule !== "organization-name" || !b.signerCommonName || !b.signerOrganization) return null;
  if (normalizeName(b.signerCommonName) === normalizeName(b.signerOrganization)) return null;
  return `Gói tin được ký bằng chứng thư số cá nhân (${b.signerCommonName}) của ${b.signerOrganization}, không phải chứng thư số của cơ quan. / The package is signed with a personal certificate (${b.signerCommonName}) of ${b.signerOrganization}, not the organization's own certificate.`;
}
