export * from "./report.js";
export * from "./verify.js";
export { RevocationCache, httpFetcher, type RevocationFetcher, type RevocationMode, type RevocationFinding } from "./revocation.js";
export { classifyChanges, allowedKinds, isAllowed, isLocked, type Change, type ChangeKind, type FieldLock } from "./modifications.js";
export { CertificatePool, parseCertificateDer, parseSignedData, parseTstInfo, type Certificate } from "@kyso/cms";
export { loadTrustAnchors } from "./trust.js";
export { VerifyPool, type VerifyPoolOptions } from "./pool.js";
export * from "./ltv/index.js";
export { validateCertificate, type CertificateValidation, type CertificateValidationOptions } from "./certificate-validation.js";
