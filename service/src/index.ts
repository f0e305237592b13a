export { createApp, type AppOptions } from "./app.js";
export { startServer, type ServerOptions, type RunningServer } from "./server.js";
export { ServiceAudit, AuditFile, auditAs, auditRequests, auditSignIn, recordAudit, callerOf, type Caller, type ServiceAuditOptions } from "./audit.js";
export { Metrics } from "./metrics.js";
export { registryRouter } from "./registry-routes.js";
export { inboxRouter, type InboxRoutesOptions } from "./inbox-routes.js";
export { Auth, ACCESS, SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER, type Access, type AuthOptions, type Principal } from "./auth.js";
export { authRouter } from "./auth-routes.js";
export { RateLimiter, rateLimit, parseRateLimit, retryAfter, clientKey, RATELIMIT_MIGRATIONS, type RateLimit, type Admission } from "./rate-limit.js";
