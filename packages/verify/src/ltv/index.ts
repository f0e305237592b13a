export * from "./timestamp.js";
export * from "./revocation.js";
export * from "./level.js";
