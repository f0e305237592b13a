import type { Change, FieldLock } from "./modifications.js";
import type { RevocationFinding, RevocationMode } from "./revocation.js";
import type { ReportDetail } from "./codes.js";
export type { ReportDetail } from "./codes.js";

/** ETSI EN 319 102-1 §5.1.3 main indications. */
export type Indication = "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE";

/** EN 319 102-1 sub-indications used by Kyso, plus DISALLOWED_MODIFICATION for PDF changes after signing. */
export type SubIndication =
  | "FORMAT_FAILURE"
  | "HASH_FAILURE"
  | "SIG_CRYPTO_FAILURE"
  | "REVOKED"
  | "REVOKED_NO_POE"
  | "REVOKED_CA_NO_POE"
  | "EXPIRED"
  | "NOT_YET_VALID"
  | "OUT_OF_BOUNDS_NO_POE"
  | "NO_CERTIFICATE_CHAIN_FOUND"
  | "CHAIN_CONSTRAINTS_FAILURE"
  | "SIG_CONSTRAINTS_FAILURE"
  | "CRYPTO_CONSTRAINTS_FAILURE"
  | "NO_SIGNING_CERTIFICATE_FOUND"
  | "TRY_LATER"
  | "DISALLOWED_MODIFICATION";

export interface CertificateSummary {
  commonName: string | null;
  organization: string | null;
  subject: string;
  serialNumber: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
}

/** The revocation status of one certificate of a path. */
export type CertificateRevocation = RevocationFinding & { subject: string; sha256: string };

/** One step of the pipeline as it went (locate, byte-range, integrity, cms, chain, revocation, timestamp, modifications). */
export interface Check {
  step: string;
  ok: boolean;
  message: string;
}

export interface SignatureReport {
  field: string;
  /** "signature" (CMS) or "timestamp" (document timestamp, ETSI.RFC3161). */
  type: "signature" | "timestamp";
  subFilter: string | null;
  indication: Indication;
  subIndication: SubIndication | null;
  /** Readable reasons, most important first (English). */
  reasons: string[];
  /** The same reasons, entry for entry, as codes with parameters (codes.ts, docs/verify-codes.md). */
  reasonDetails?: ReportDetail[];
  signer: CertificateSummary | null;
  signingTime: string | null;
  timeSource: "timestamp" | "claimed" | "none";
  claimedTime: string | null;
  reason: string | null;
  location: string | null;
  digestAlgorithm: string | null;
  signatureAlgorithm: string | null;
  byteRange: number[] | null;
  /** true when the digest over the byte ranges equals the signed one. */
  integrity: boolean;
  coverage: "ENTIRE_FILE" | "ENTIRE_REVISION" | "PARTIAL" | "NONE";
  /** 1-based revision the signature covers. */
  revision: number | null;
  modifications: {
    /** The permission applied: DocMDP P of a certification signature, or "default". */
    permission: 1 | 2 | 3 | "default";
    certification: boolean;
    /** The most significant change kind after this signature, "none" when nothing changed. */
    level: "none" | Change["kind"];
    allowed: boolean;
    changes: (Change & { allowed: boolean; locked?: boolean })[];
    /** FieldMDP locks of this signature (ISO 32000-1 §12.7.4.5, §12.8.2.4), when it has any. */
    fieldLocks?: FieldLock[];
  };
  chain: { trusted: boolean; path: CertificateSummary[] };
  /**
   * The signer certificate's status (the fields of today's reports), the status of every certificate
   * of its path but the anchor (`path`), and of the signature timestamp's TSA path (`timestampPath`).
   */
  revocation: { mode: RevocationMode } & RevocationFinding & { path?: CertificateRevocation[]; timestampPath?: CertificateRevocation[] };
  timestamp: { time: string; valid: boolean; tsa: string | null; message: string } | null;
  /** LTV (issue 7): the PAdES level the signature reaches offline; null for document timestamps and failed signatures. */
  level: "B-B" | "B-T" | "B-LT" | "B-LTA" | null;
  /** LTV (issue 7): why the next level is not reached (empty at B-LTA). */
  levelReasons: string[];
  checks: Check[];
  warnings: string[];
  /** The same warnings, entry for entry, as codes with parameters. */
  warningDetails?: ReportDetail[];
}

export interface FileReport {
  file: string;
  sha256: string;
  size: number;
  indication: Indication | "NO_SIGNATURE";
  subIndication: SubIndication | null;
  /** Readable reasons for the file verdict. */
  reasons: string[];
  /** The same reasons, entry for entry, as codes with parameters. */
  reasonDetails?: ReportDetail[];
  revisions: number;
  signatures: SignatureReport[];
  warnings: string[];
  /** The same warnings, entry for entry, as codes with parameters. */
  warningDetails?: ReportDetail[];
  /** ISO time of validation (the time used: now, or --at). */
  validationTime: string;
  /** How revocation was checked for this file. */
  revocationMode?: RevocationMode;
}
