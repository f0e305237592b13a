/** The vocabulary of the registry, shared by the library, the CLI and the service. */

export const UNIT_LEVELS = ["province", "district", "commune", "department"] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];
/** The levels reports count under; a department counts at its parent's level. */
export const REPORT_LEVELS = ["province", "district", "commune"] as const;
export type ReportLevel = (typeof REPORT_LEVELS)[number];

export const CERTIFICATE_TYPES = ["personal", "organization"] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];

/** `expired` is not stored: an active certificate past its notAfter reads as expired. */
export const CERTIFICATE_STATUSES = ["active", "revoked", "expired", "suspended"] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export const TOKEN_STATUSES = ["in_stock", "issued", "returned", "lost", "locked", "destroyed"] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/** CRLReason names of RFC 5280 §5.3.1 (value 7 is unused). */
export const REVOCATION_REASONS = [
  "unspecified",
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "",
  "removeFromCRL",
  "privilegeWithdrawn",
  "aACompromise",
] as const;
export type RevocationReason = Exclude<(typeof REVOCATION_REASONS)[number], "">;

export const EVENT_KINDS = [
  "unit_added",
  "issued",
  "renewed",
  "revoked",
  "suspended",
  "corrected",
  "token_added",
  "token_issued",
  "token_returned",
  "token_lost",
  "token_locked",
  "token_unlocked",
  "token_destroyed",
  "pin_reset",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface Unit {
  code: string;
  name: string;
  level: UnitLevel;
  reportLevel: ReportLevel;
  parent: string | null;
}

export interface Holder {
  kind: "officer" | "organization";
  name: string;
  title: string | null;
  identityNumber: string | null;
  email: string | null;
  unit: string;
}

export interface CertificateRecord {
  serial: string;
  issuer: string;
  fingerprint: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  keyAlgorithm: string;
  keySize: number;
  type: CertificateType;
  tokenSerial: string | null;
  holder: string;
  unit: string;
  unitName: string;
  level: ReportLevel;
  status: CertificateStatus;
  revokedAt: string | null;
  revocationReason: string | null;
  /** Serial of the certificate this one renews, if any. */
  replaces: string | null;
}

export interface EventRecord {
  at: string;
  actor: string;
  kind: EventKind;
  certificate: string | null;
  token: string | null;
  unit: string | null;
  details: Record<string, unknown>;
}

export interface TokenRecord {
  serial: string;
  manufacturer: string | null;
  model: string | null;
  status: TokenStatus;
  holder: string | null;
  unit: string | null;
  updatedAt: string;
}

/** `certs report --json`, `GET /api/v1/registry/report`. */
export interface RegistryReport {
  from: string;
  to: string;
  unit: string | null;
  generatedAt: string;
  issued: { total: number; byLevel: Record<ReportLevel, number>; byUnit: Record<string, number> };
  cumulative: { total: number; byLevel: Record<ReportLevel, number> };
  expiring: { "30": number; "60": number; "90": number };
  revoked: { total: number; byReason: Record<string, number> };
  tokens: Record<TokenStatus, number>;
}
