export * from "./types.js";
export { canonicalJson, rowHash, GENESIS_HASH, HASH_FORMAT } from "./canonical.js";
export { AUDIT_MIGRATIONS } from "./migrations.js";
export { AuditTrail, appendAudit, listAudit, AUDIT_LOCK, type AuditTrailOptions, type AuditListOptions } from "./trail.js";
export { verifyAuditChain, type AuditChainReport, type AuditBreak } from "./verify.js";
export { auditTime, parseAuditDate } from "./dates.js";
export { compareWithCopy, type CopyMismatch } from "./copy.js";
