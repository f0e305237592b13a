import type { Clock } from "@kyso/core";
import { PdfString, type ByteSource, type PdfObject, type PdfReader } from "@kyso/pdf";
import type { Certificate, CertificatePool, SignedData, SignerInfo, VerifyDigest } from "@kyso/cms";
import type { LtvFinding } from "./ltv/index.js";
import type { Change } from "./modifications.js";
import type { LocatedSignature } from "./modification-check.js";
import type { Check, CertificateSummary, Indication, SignatureReport, SubIndication } from "./report.js";
import { detail, type ParamsOf, type ReasonCode, type ReportDetail } from "./codes.js";
import type { RevocationCache, RevocationFetcher, RevocationMode } from "./revocation.js";

export interface VerifyOptions {
  /** Trust anchors (DER certificates). */
  trustAnchors?: Uint8Array[];
  /** Certificates that only help build paths (a trust store's intermediates). */
  intermediates?: Uint8Array[];
  /**
   * Where revocation status comes from: `online` (OCSP, then CRLs, fetched and cached; embedded
   * data when the network gives none), `embedded` (offline: what the document carries), `off`
   * (diagnosis only: never TOTAL_PASSED). Default `online` when a fetcher is given, else `embedded`.
   */
  revocation?: RevocationMode;
  /** Fetcher for online revocation and for AIA caIssuers (required for those). */
  fetcher?: RevocationFetcher;
  cache?: RevocationCache;
  clock?: Clock;
  /** Validate as of this time (certificates, revocation and algorithm rules at that date). */
  validationTime?: Date;
  /** Parsed certificates shared across verifications (a service keeps one); a new one per call otherwise. */
  pool?: CertificatePool;
  /** Largest decoded stream (object and xref streams) accepted. */
  maxDecodedStream?: number;
  /** Policy switch: new visible signature fields after a P=2 certification are accepted, with a warning. */
  allowVisibleSignatureFieldsAfterCertification?: boolean;
}

export type VerifyInput = { path: string; name?: string } | { bytes: Uint8Array; name: string };

export type Located = LocatedSignature;

/** Certificates, CRLs and OCSP responses of the Document Security Store (EN 319 142-1 §5.4.2). */
export interface DssMaterial {
  certs: Certificate[];
  crls: Uint8Array[];
  ocsps: Uint8Array[];
}

/** Everything about the file under test that the concerns share (one per verifyPdf call). */
export interface PipelineContext {
  reader: PdfReader;
  src: ByteSource;
  /** Revision ends, oldest first. */
  ends: number[];
  /** The validation time. */
  now: Date;
  options: VerifyOptions;
  mode: RevocationMode;
  pool: CertificatePool;
  anchors: Certificate[];
  intermediates: Certificate[];
  trailing: number;
  revisionReaders: Map<number, PdfReader | Error>;
  changes: Map<number, Change[]>;
  /** Every signature dictionary of the document (located once). */
  located: Located[];
  /** LTV: timestamps, DSS and PAdES levels of the document's signatures. */
  ltv?: LtvFinding[];
  dss?: DssMaterial;
}

/** The signature under test, as it passes through the concerns. */
export interface SigState {
  loc: Located;
  report: SignatureReport;
  /** Verdict candidates; the first TOTAL_FAILED wins, then the first INDETERMINATE. */
  fail: [Indication, SubIndication, string, ReportDetail][];
  ranges?: [number, number][];
  /** The digest the byte ranges are hashed with. */
  digestAlgorithm?: VerifyDigest;
  computedDigest?: Uint8Array;
  cms?: SignedData;
  signerInfo?: SignerInfo;
  signer?: Certificate;
  /** Every readable certificate of the CMS. */
  cmsCertificates?: Certificate[];
  coveredEnd?: number;
  /** The proven time of the signature (signature or document timestamp). */
  timestampTime?: Date;
  /** The path of the TSA of the signature's own timestamp (its status counts for the verdict). */
  tsaPath?: Certificate[];
}

export function check(s: SigState, step: string, ok: boolean, message: string): void {
  s.report.checks.push({ step, ok, message } satisfies Check);
}

/** A verdict candidate: the English sentence of `reasons` with its code and parameters (codes.ts). */
export function fail<C extends ReasonCode>(s: { fail: SigState["fail"] }, indication: Indication, sub: SubIndication, code: C, params: ParamsOf<C>, message: string): void {
  s.fail.push([indication, sub, message, detail(code, params, message)]);
}

export function summary(c: Certificate): CertificateSummary {
  return {
    commonName: c.commonName ?? null,
    organization: c.organization ?? null,
    subject: c.subject,
    serialNumber: c.serialHex,
    issuer: c.issuer,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    sha256: c.sha256,
  };
}

export function text(o: PdfObject | undefined): string | null {
  return o instanceof PdfString ? o.asText() : null;
}
