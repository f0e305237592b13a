import type { FileReport, SignatureReport } from "../report.js";
import { VERIFY_TEXTS } from "../texts.js";
import { detailTexts } from "./detail-text.js";
import { revocationWords, text, toneOf, verdictWords, vietnamTime, type ReportLang, type VerdictTone } from "./text.js";

/** One labelled line of the printable report. */
export interface ReportRow {
  label: string;
  value: string;
  /** Printed in the monospaced style (digests, serial numbers). */
  mono?: boolean;
}

export interface ReportVerdict {
  words: string;
  detail: string | null;
  tone: VerdictTone;
}

export interface SignatureSection {
  heading: string;
  verdict: ReportVerdict;
  rows: ReportRow[];
  /** Changes after signing, one line each, with the rule applied. */
  changes: string[];
  reasons: string[];
  warnings: string[];
}

/** What the printable report says, independent of how it is drawn. */
export interface ReportContent {
  lang: ReportLang;
  title: string;
  subtitle: string;
  header: ReportRow[];
  overall: ReportVerdict;
  signatures: SignatureSection[];
  /** Shown when the document has no signature. */
  empty: string | null;
  qrPayload: string;
  qrCaption: string;
  footerRight: string;
}

export interface ReportContentOptions {
  lang: ReportLang;
  policy?: string;
  kysoVersion: string;
}

/** At most this many changes are listed per signature; the rest are counted. */
const MAX_CHANGES = 40;

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** A certificate serial as printed by CAs: upper-case hex in pairs. */
export function formatSerial(hex: string): string {
  const h = hex.toUpperCase();
  return (h.length % 2 ? `0${h}` : h).match(/../g)?.join(" ") ?? h;
}

function signatureSection(lang: ReportLang, s: SignatureReport, index: number, revisions: number): SignatureSection {
  const t = (k: string, v?: Record<string, string | number>): string => text(lang, k, v);
  const isTimestamp = s.type === "timestamp";
  const { verdict, detail } = verdictWords(lang, s.indication, s.subIndication);
  const rows: ReportRow[] = [{ label: t("field"), value: s.field }];
  if (s.signer) {
    rows.push({ label: t(isTimestamp ? "tsa" : "signer"), value: s.signer.commonName ?? s.signer.subject });
    if (s.signer.organization) rows.push({ label: t("organization"), value: s.signer.organization });
    rows.push({ label: t("serial"), value: formatSerial(s.signer.serialNumber), mono: true });
    rows.push({ label: t("issuer"), value: s.signer.issuer });
    rows.push({ label: t("validity"), value: t("validityRange", { from: vietnamTime(s.signer.notBefore), to: vietnamTime(s.signer.notAfter) }) });
  } else {
    rows.push({ label: t(isTimestamp ? "tsa" : "signer"), value: t("none") });
  }
  // The trust anchor is the last certificate of a path that reached one (EN 319 102-1 §5.2.6).
  const anchor = s.chain.trusted ? s.chain.path[s.chain.path.length - 1] : undefined;
  rows.push({ label: t("anchor"), value: anchor ? (anchor.commonName ?? anchor.subject) : t("anchorNone") });
  if (!isTimestamp) rows.push({ label: t("revocation"), value: revocationWords(lang, s.revocation) });
  rows.push({ label: t("claimedTime"), value: s.claimedTime ? vietnamTime(s.claimedTime) : t("none") });
  if (!isTimestamp) {
    let ts = t("none");
    if (s.timestamp) ts = `${vietnamTime(s.timestamp.time)}${s.timestamp.tsa ? ` (${s.timestamp.tsa})` : ""}${s.timestamp.valid ? "" : `; ${t("timestampInvalid")}`}`;
    rows.push({ label: t("timestampTime"), value: ts });
  }
  const revision = s.revision !== null ? `; ${t("revisionOf", { n: s.revision, total: revisions })}` : "";
  rows.push({ label: t("coverage"), value: `${t(s.coverage)}${revision}` });
  const algs = [s.digestAlgorithm, s.signatureAlgorithm, s.subFilter].filter((x): x is string => !!x);
  if (algs.length) rows.push({ label: t("algorithms"), value: algs.join("; ") });
  if (s.level) rows.push({ label: t("level"), value: s.level });
  if (s.reason) rows.push({ label: t("reason"), value: s.reason });
  if (s.location) rows.push({ label: t("location"), value: s.location });

  const changes = s.modifications.changes.slice(0, MAX_CHANGES).map((c) => {
    const where = [`${t("revisionShort")} ${c.revision}`, VERIFY_TEXTS[lang].kind[c.kind], c.object].filter(Boolean).join(" · ");
    return `${where}: ${c.description} — ${t(c.allowed ? "allowed" : "disallowed")}`;
  });
  if (s.modifications.changes.length > MAX_CHANGES) changes.push(t("changesMore", { n: s.modifications.changes.length - MAX_CHANGES }));

  return {
    heading: `${t(isTimestamp ? "docTimestamp" : "signature")} ${index + 1}`,
    verdict: { words: verdict, detail, tone: toneOf(s.indication) },
    rows,
    changes,
    reasons: detailTexts(lang, s.reasons, s.reasonDetails, "reason"),
    warnings: detailTexts(lang, s.warnings, s.warningDetails, "warning"),
  };
}

/** The content of the printable report for one verified file. */
export function reportContent(report: FileReport, opts: ReportContentOptions): ReportContent {
  const { lang } = opts;
  const t = (k: string, v?: Record<string, string | number>): string => text(lang, k, v);
  const mode = report.signatures[0]?.revocation.mode;
  const policy = opts.policy ?? t("defaultPolicy", { mode: mode ? t(`mode:${mode}`) : t("none") });
  const overall = verdictWords(lang, report.indication, report.subIndication);
  return {
    lang,
    title: t("title"),
    subtitle: t("subtitle"),
    header: [
      { label: t("document"), value: baseName(report.file) },
      { label: t("size"), value: `${groupDigits(report.size)} ${t("bytes")}` },
      { label: t("revisions"), value: String(report.revisions) },
      { label: t("signatureCount"), value: String(report.signatures.length) },
      { label: t("validationTime"), value: vietnamTime(report.validationTime) },
      { label: t("sha256"), value: report.sha256, mono: true },
      { label: t("policy"), value: policy },
    ],
    overall: { words: overall.verdict, detail: overall.detail, tone: toneOf(report.indication) },
    signatures: report.signatures.map((s, i) => signatureSection(lang, s, i, report.revisions)),
    empty: report.signatures.length === 0 ? t("noSignature") : null,
    qrPayload: report.sha256,
    qrCaption: t("qrCaption"),
    footerRight: t("generatedBy", { version: opts.kysoVersion }),
  };
}
