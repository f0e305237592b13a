import { readFileSync } from "node:fs";
import type { Request, Response } from "express";
import { KysoError } from "@kyso/core";
import type { FileReport } from "@kyso/verify";
import { contentDisposition } from "./content-disposition.js";

/** What the client asked for in Accept: the JSON report (the default) or a report a clerk can file. */
export type ReportFormat = "json" | "pdf" | "xml";

/** RFC 9110 §12.5.1 content negotiation; anything unmatched gets JSON, as before reports existed. */
export function requestedFormat(req: Request): ReportFormat {
  if (!req.headers.accept) return "json";
  const best = req.accepts(["application/json", "application/pdf", "application/xml"]);
  return best === "application/pdf" ? "pdf" : best === "application/xml" ? "xml" : "json";
}

function notAcceptable(message: string): KysoError {
  return new KysoError("NOT_ACCEPTABLE", message, { details: { status: 406 } });
}

/** The PDF and XML reports are made for one PDF at a time. */
export function requireSingleReport(format: ReportFormat, files: number, packages: number): void {
  if (format === "json") return;
  if (files !== 1) throw notAcceptable("A PDF or XML report is made for one file: send one file per request");
  if (packages > 0) throw notAcceptable("PDF and XML reports are made for PDF documents, not edXML packages");
}

let version: string | undefined;
function kysoVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
    } catch {
      version = "unknown";
    }
  }
  return version;
}

const disposition = (name: string): string => contentDisposition(name, "inline");

/**
 * Sends one verification report in the negotiated format. The PDF is in Vietnamese unless the
 * query says `lang=en`; the renderers are loaded on the first report asked for.
 */
export async function sendReport(req: Request, res: Response, report: FileReport, format: ReportFormat): Promise<void> {
  if (format === "json") {
    res.json(report);
    return;
  }
  const base = report.file.replace(/^.*[\\/]/, "").replace(/\.pdf$/i, "") || "document";
  const reports = await import("@kyso/verify/reports");
  if (format === "xml") {
    const xml = reports.renderReportXml(report, {});
    if (res.headersSent) return;
    res.set("Content-Disposition", disposition(`${base}.report.xml`));
    res.type("application/xml; charset=utf-8").send(xml);
    return;
  }
  const lang = req.query.lang === "en" ? "en" : "vi";
  const pdf = await reports.renderReportPdf(report, { lang, kysoVersion: kysoVersion() });
  if (res.headersSent) return;
  res.set("Content-Disposition", disposition(`${base}.report.pdf`));
  res.type("application/pdf").send(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
}
