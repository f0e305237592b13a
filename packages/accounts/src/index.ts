export * from "./store.js";
export * from "./migrations.js";
export * from "./throttle.js";
export { hashPassword, verifyPassword, checkPasswordPolicy, MIN_PASSWORD_LENGTH } from "./password.js";
export { secretHash } from "./tokens.js";
