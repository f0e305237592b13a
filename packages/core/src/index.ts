export * from "./errors.js";
export * from "./digest.js";
export * from "./signer.js";
export * from "./clock.js";
export * from "./bytes.js";
export * from "./files.js";
export * from "./der.js";
export * from "./certificate.js";
