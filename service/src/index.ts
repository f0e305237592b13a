export { createApp, type AppOptions } from "./app.js";
export { startServer, type ServerOptions, type RunningServer } from "./server.js";
export { AuditLog, defaultAuditPath, type AuditRecord } from "./audit.js";
export { Metrics } from "./metrics.js";
export { registryRouter } from "./registry-routes.js";
export { inboxRouter, type InboxRoutesOptions } from "./inbox-routes.js";
