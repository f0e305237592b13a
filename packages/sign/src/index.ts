export * from "./sign-pdf.js";
export * from "./batch.js";
