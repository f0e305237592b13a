export * from "./errors.js";
export * from "./transport.js";
export * from "./oauth.js";
export * from "./approval.js";
export * from "./client.js";
export * from "./signer.js";
export * from "./browser.js";
