export * from "./model.js";
export { guardXml, decodeBase64Strict, DEFAULT_LIMITS, type EdxmlLimits } from "./guard.js";
export { parseEdxml, checkDate, checkTime } from "./parse.js";
export { buildEdxml, escapeXml } from "./write.js";
export { signEdxml, verifyXmlSignature, checkXmlSignature, XMLDSIG_ALG, type XmlSignatureCheck, type XmlSigningKey, type XmlSignatureAlgorithm, type XmlSignatureReport, type XmlSignerSummary, type XmlIndication, type XmlVerifyOptions } from "./xmldsig.js";
export { bindSender, normalizeName, type ExpectedSender, type SenderBinding, type SenderDirectory } from "./sender.js";
export { verifyEdxml, looksLikePdf, looksLikeXml, type AttachmentVerdict, type AttachmentReport, type PackageReport, type PdfVerifier, type VerifyEdxmlOptions, type CertificateValidator } from "./verify.js";
