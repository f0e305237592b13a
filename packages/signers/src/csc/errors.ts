import { KysoError } from "@kyso/core";

/**
 * Error codes of the CSC client. Each KysoError carries `details` {status, error, method} from the
 * service's answer (CSC API v2.0 §10.1: `{error, error_description}`); a PIN, an OTP, a secret or a
 * token is never part of a message or of `details`.
 */
export const CSC_ERROR_CODES = [
  "CSC_UNREACHABLE", // no answer (connection refused, DNS, timeout)
  "CSC_PROTOCOL", // an answer that is not what the API says (not JSON, fields missing)
  "CSC_AUTH_FAILED", // OAuth 2.0 / auth/login refused the client or the user
  "CSC_SESSION_EXPIRED", // the access token expired and could not be renewed
  "CSC_INVALID_PIN", // wrong PIN (the service says how many tries are left)
  "CSC_INVALID_OTP", // wrong OTP
  "CSC_ACCESS_DENIED", // credential locked, or authorization refused
  "CSC_SAD_REJECTED", // signHash refused the activation data: expired, reused, or not covering a hash
  "CSC_APPROVAL_REJECTED", // asynchronous approval: the officer refused on the phone
  "CSC_APPROVAL_TIMEOUT", // asynchronous approval: no answer in time
  "CSC_CANCELLED", // cancelled here (Ctrl-C) while waiting
  "CSC_CREDENTIAL_UNUSABLE", // key or certificate disabled, unknown algorithm, no certificate
  "CSC_UNSUPPORTED", // a scheme or digest the credential cannot do
  "CSC_REQUEST", // any other refusal (invalid_request ...)
] as const;

export type CscErrorCode = (typeof CSC_ERROR_CODES)[number];

/** The `{error, error_description}` of an answer, when there is one. */
export interface CscErrorBody {
  error?: string;
  error_description?: string;
}

export function cscError(code: CscErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown): KysoError {
  return new KysoError(code, message, { details, cause });
}

/** The code for a refusal of `method` (an API method name such as `credentials/authorize`). */
export function codeForRefusal(method: string, status: number, body: CscErrorBody): CscErrorCode {
  const e = body.error ?? "";
  if (e === "invalid_pin") return "CSC_INVALID_PIN";
  if (e === "invalid_otp") return "CSC_INVALID_OTP";
  if (method.startsWith("oauth2/") || method === "auth/login") return "CSC_AUTH_FAILED";
  if (e === "invalid_client" || e === "invalid_grant" || e === "unauthorized_client") return "CSC_AUTH_FAILED";
  if (e === "invalid_token" && status === 401) return "CSC_SESSION_EXPIRED";
  if (method === "signatures/signHash" && (e === "invalid_request" || e === "expired_token" || e === "invalid_token" || e === "access_denied")) return "CSC_SAD_REJECTED";
  if (method === "credentials/authorizeStatus" && e === "access_denied") return "CSC_APPROVAL_REJECTED";
  if (method === "credentials/authorizeStatus" && e === "expired_token") return "CSC_APPROVAL_TIMEOUT";
  if (e === "access_denied") return "CSC_ACCESS_DENIED";
  return "CSC_REQUEST";
}
