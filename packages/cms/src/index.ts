export * from "./oids.js";
export * from "./pades.js";
export * from "./pkix.js";
export * from "./timestamp.js";
export * from "./ocsp.js";
export * from "./crl.js";
export * from "./signed-data-info.js";
export * from "./ber-to-der.js";
