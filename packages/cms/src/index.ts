export * from "./oids.js";
export * from "./pades.js";
