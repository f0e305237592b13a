export * from "./oids.js";
export * from "./pades.js";
export * from "./pkix.js";
export * from "./timestamp.js";
