import { KysoError } from "@kyso/core";

/**
 * The Status codes of the compatible contract (`Status`, 0 = OK) and of Kyso's protocol v1
 * (`status` beside a string `error.code`). The table in docs/agent-protocol.md is this one.
 */
export const STATUS = {
  OK: 0,
  /** The message is not JSON, lacks a field, names an unknown function or has a wrong type. */
  BAD_REQUEST: 1,
  /** The origin is not paired and the officer refused (or did not answer) the pairing. */
  NOT_PAIRED: 2,
  /** The officer said no. */
  REJECTED: 3,
  /** The officer did not answer within the confirmation time. */
  CONFIRM_TIMEOUT: 4,
  /** A download or upload URL is not on the calling origin's hosts, or is http:// without allowHttp. */
  URL_NOT_ALLOWED: 5,
  /** The document could not be downloaded (HTTP error, too large, too slow, redirect elsewhere, not a PDF). */
  DOWNLOAD_FAILED: 6,
  /** The signed document could not be posted to FileUploadHandler. */
  UPLOAD_FAILED: 7,
  /** The signer's certificate is expired, not yet valid, revoked, of the wrong key usage, or its status is unknown. */
  CERTIFICATE_REFUSED: 8,
  /** Wrong PIN (one attempt, never retried), PIN locked, or PIN entry cancelled. */
  PIN_FAILED: 9,
  /** No token, several tokens, no key, or the token was removed. */
  TOKEN_UNAVAILABLE: 10,
  /** The document cannot be signed this way (SignIssued on a document with no earlier signature, a bad placement). */
  DOCUMENT_REFUSED: 11,
  /** Signing failed for another reason (the token, the TSA, the PDF). */
  SIGN_FAILED: 12,
  /** Anything else (a bug): the audit log has the details. */
  INTERNAL: 99,
} as const;

export type StatusCode = (typeof STATUS)[keyof typeof STATUS];

/** The Status for a KysoError code. */
export function statusForCode(code: string): StatusCode {
  if (code.startsWith("AGENT_URL_")) return STATUS.URL_NOT_ALLOWED;
  if (code.startsWith("AGENT_DOWNLOAD_") || code === "AGENT_NOT_PDF") return STATUS.DOWNLOAD_FAILED;
  if (code.startsWith("AGENT_UPLOAD_")) return STATUS.UPLOAD_FAILED;
  switch (code) {
    case "AGENT_BAD_REQUEST":
    case "AGENT_UNKNOWN_FUNCTION":
      return STATUS.BAD_REQUEST;
    case "AGENT_NOT_PAIRED":
      return STATUS.NOT_PAIRED;
    case "AGENT_REJECTED":
      return STATUS.REJECTED;
    case "AGENT_CONFIRM_TIMEOUT":
      return STATUS.CONFIRM_TIMEOUT;
    case "CERT_EXPIRED":
    case "CERT_NOT_YET_VALID":
    case "CERT_KEY_USAGE":
    case "CERT_REVOKED":
    case "CERT_STATUS_UNKNOWN":
      return STATUS.CERTIFICATE_REFUSED;
    case "P11_PIN_INCORRECT":
    case "P11_PIN_LOCKED":
    case "PIN_CANCELLED":
    case "PIN_UNAVAILABLE":
    case "P12_PASSWORD":
      return STATUS.PIN_FAILED;
    case "P11_TOKEN_NOT_FOUND":
    case "P11_TOKEN_AMBIGUOUS":
    case "P11_TOKEN_REMOVED":
    case "P11_KEY_NOT_FOUND":
    case "P11_KEY_AMBIGUOUS":
    case "P11_CERT_NOT_FOUND":
    case "P11_LIBRARY":
    case "P11_CLOSED":
    case "P11_DEVICE_ERROR":
      return STATUS.TOKEN_UNAVAILABLE;
    case "APPEARANCE_NO_EARLIER_SIGNATURE":
    case "AGENT_DOCUMENT_REFUSED":
      return STATUS.DOCUMENT_REFUSED;
    default:
      return code.startsWith("P11_") ? STATUS.TOKEN_UNAVAILABLE : STATUS.SIGN_FAILED;
  }
}

/** What an answer says of a failure: the numeric Status, a stable code and a message. */
export interface Failure {
  status: StatusCode;
  code: string;
  message: string;
}

/** A KysoError, also one from another copy of @kyso/core (matched by name and a string code, never by message). */
export function isCodedError(e: unknown): e is KysoError {
  return e instanceof KysoError || (e instanceof Error && e.name === "KysoError" && typeof (e as { code?: unknown }).code === "string");
}

export function failureOf(e: unknown): Failure {
  if (isCodedError(e)) return { status: statusForCode(e.code), code: e.code, message: e.message };
  return { status: STATUS.INTERNAL, code: "AGENT_INTERNAL", message: (e as Error)?.message ?? String(e) };
}
