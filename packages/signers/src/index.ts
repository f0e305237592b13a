export * from "./pkcs11.js";
export * from "./pkcs12.js";
export * from "./x509.js";
