import type { CertificateCheck, CertificateFacts, CertificateRefusal, CertificateWarning } from "@kyso/sign";
import { formatTime } from "@kyso/core";
import { currentZone } from "../../time.js";
import { isMessageKey, translator, type Lang, type Translate } from "../../messages/index.js";

/**
 * What `kyso sign` says when it checks a certificate before signing (issue 13), in English or
 * Vietnamese. Built from the check's codes and facts, never from its English message text.
 */

/** A date and time in Vietnam time (or the configured zone), in the language's format. */
export function vnTime(isoTime: string | undefined, lang: Lang): string {
  return isoTime ? formatTime(isoTime, { lang, zone: currentZone() }) : "?";
}

/** A CRLReason (RFC 5280 §5.3.1): its RFC name in English, the CAs' words in Vietnamese. */
function reasonWord(code: string, tr: Translate): string {
  const key = `sign.check.reason.${code}`;
  return isMessageKey(key) ? tr(key) : code;
}

function who(f: CertificateFacts, purpose: CertificateCheck["purpose"], tr: Translate): string {
  const name = `"${f.commonName ?? f.subject}"`;
  const tsa = purpose === "timestamping";
  return tr(f.ca ? (tsa ? "sign.check.who.caTsa" : "sign.check.who.caSigner") : tsa ? "sign.check.who.tsa" : "sign.check.who.signer", { name });
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Why a revocation status is unknown: in English the check's own errors (the most detail); in
 * Vietnamese the servers that gave no answer, named by address only (their errors are English).
 */
function noAnswer(f: CertificateFacts, lang: Lang): string {
  if (lang === "en") return f.errors && f.errors.length > 0 ? f.errors.join("; ") : "";
  const urls = [...new Set((f.errors ?? []).flatMap((e) => e.match(/https?:\/\/[^\s:]+(?::\d+)?[^\s:]*/g) ?? []))];
  return urls.length > 0 ? translator(lang)("sign.check.noAnswerFrom", { urls: urls.join(", ") }) : "";
}

/** The message that refuses signing: what is wrong, and that nothing was signed (or how to proceed). */
export function refusalText(r: CertificateRefusal, purpose: CertificateCheck["purpose"], lang: Lang): string {
  const tr = translator(lang);
  const w = who(r, purpose, tr);
  const none = tr("sign.check.none");
  switch (r.code) {
    case "CERT_EXPIRED":
      return tr("sign.check.CERT_EXPIRED", { who: w, time: vnTime(r.notAfter, lang), none });
    case "CERT_NOT_YET_VALID":
      return tr("sign.check.CERT_NOT_YET_VALID", { who: w, time: vnTime(r.notBefore, lang), none });
    case "CERT_KEY_USAGE":
      return tr("sign.check.CERT_KEY_USAGE", { who: w, tsa: purpose === "timestamping" ? tr("sign.check.tsaUsage") : "", none });
    case "CERT_REVOKED":
      return tr("sign.check.CERT_REVOKED", {
        who: w,
        time: vnTime(r.revocationTime, lang),
        reason: r.reason ? tr("sign.check.reasonPart", { reason: reasonWord(r.reason, tr) }) : "",
        origin: r.origin ? tr("sign.check.originPart", { origin: r.origin }) : "",
        none,
      });
    case "CERT_STATUS_UNKNOWN": {
      const why = noAnswer(r, lang) || (r.issuer ? tr("sign.check.issuerMissing", { issuer: r.issuer }) : "");
      return tr("sign.check.CERT_STATUS_UNKNOWN", { who: lowerFirst(w), why: why ? ` (${why})` : "", none });
    }
  }
  return r.message;
}

/** `warning` or `note`: a note is information (the root is not in this machine's trust store). */
export const warningLevel = (w: CertificateWarning): "warning" | "note" => (w.code === "NOT_TRUSTED" ? "note" : "warning");

export function warningText(w: CertificateWarning, purpose: CertificateCheck["purpose"], lang: Lang): string {
  const tr = translator(lang);
  const name = `"${w.commonName ?? w.subject}"`;
  switch (w.code) {
    case "CHAIN_INCOMPLETE":
      return tr("sign.check.warning.CHAIN_INCOMPLETE", { issuer: w.issuer ?? "?", name });
    case "NOT_TRUSTED":
      return tr("sign.check.warning.NOT_TRUSTED", { name });
    case "CHAIN_INVALID":
      return tr("sign.check.warning.CHAIN_INVALID", { name });
    case "STATUS_UNKNOWN": {
      const why = noAnswer(w, lang);
      return tr("sign.check.warning.STATUS_UNKNOWN", { who: lowerFirst(who(w, purpose, tr)), why: why ? `: ${why}` : "" });
    }
    case "REVOCATION_NOT_CHECKED":
      return tr("sign.check.warning.REVOCATION_NOT_CHECKED");
  }
  return w.message;
}

/** The prefix of a warning line on stderr. */
export function levelWord(level: "warning" | "note", lang: Lang): string {
  return translator(lang)(level === "warning" ? "sign.check.level.warning" : "sign.check.level.note");
}
