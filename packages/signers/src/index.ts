export * from "./pkcs11.js";
export * from "./pkcs12.js";
export * from "./x509.js";
export * from "./discovery.js";
export * from "./token-admin.js";
export * from "./csc/index.js";
