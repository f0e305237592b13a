export { startCscServer } from "./server.js";
export type { CscConfig, CscServer, CscServerOptions, CscStats, FailNext } from "./server.js";
export { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, CSC_USERS, CSC_USER_PASSWORD } from "./credentials.js";
