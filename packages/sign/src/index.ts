export * from "./sign-pdf.js";
export * from "./batch.js";
export * from "./network.js";
export * from "./timestamper.js";
export * from "./ltv.js";
export * from "./validation-data.js";
export * from "./extend.js";
export * from "./certificate-check.js";
