/**
 * Reports a clerk can file, made from a verification report (FileReport): a printable A4 PDF and the
 * ETSI TS 119 102-2 XML validation report. Imported as `@kyso/verify/reports` so that plain
 * verification does not load them; the PDF renderer loads pdf-lib itself on first use.
 */
export { renderReportPdf, type ReportPdfOptions } from "./pdf.js";
export { renderReportXml, xmlEscape, ETSI_VR_NS, type ReportXmlOptions } from "./xml.js";
export { reportContent, formatSerial, type ReportContent, type ReportRow, type SignatureSection } from "./content.js";
export { revocationWords, verdictWords, vietnamTime, toneOf, text as reportText, type ReportLang, type VerdictTone } from "./text.js";
export { findReportFonts, REPORT_FONT_DIRS, type ReportFontFiles } from "./fonts.js";
export { DETAIL_TEXTS, detailTexts, detailWording } from "./detail-text.js";
