import { KysoError, describeError, formatTime, type MessageFacts } from "@kyso/core";
import { currentZone } from "../time.js";
import { isMessageKey, translator, type Lang, type MessageKey, type Params } from "./index.js";

/**
 * An error as the person running `kyso` reads it. The libraries below the CLI speak English (their
 * messages go to logs and the API too); for the codes a person meets every day the CLI says it
 * in the run's language from the catalogue (`error.CODE`), with the names (token, file) taken
 * from the error. English keeps the library's message, which carries the most detail.
 */
export interface CodedError {
  code: string;
  message: string;
  /** The error's details, or just its facts (a bulk run's failed file: MessageFacts). */
  details?: Record<string, unknown> | MessageFacts;
}

const quoted = (m: string): string[] => [...m.matchAll(/"([^"]*)"/g)].map((x) => x[1]);

/** The names each coded message needs, read from the error. */
const PARAMS: Record<string, (e: CodedError) => Params> = {
  P11_PIN_INCORRECT: (e) => ({ token: quoted(e.message)[0] ?? "?" }),
  P11_PIN_LOCKED: (e) => ({ token: quoted(e.message)[0] ?? "?" }),
  P11_TOKEN_NOT_FOUND: (e) => ({ found: /\(tokens (?:found|seen): (.*)\)\s*$/.exec(e.message)?.[1] ?? "?" }),
  P11_KEY_NOT_FOUND: (e) => ({ token: quoted(e.message).at(-1) ?? "?" }),
  P11_LIBRARY: (e) => ({ library: /library (\S+)/.exec(e.message)?.[1] ?? "?" }),
  PDF_ENCRYPTED: () => ({}),
  FILE_UNREADABLE: (e) => ({ detail: e.message.replace(/^Cannot read /, "") }),
};

/** Letters Vietnamese has and English has not: a message holding one was written in Vietnamese already. */
const VIETNAMESE = /[ăâđêôơưĩũĂÂĐÊÔƠƯĨŨ\u1EA0-\u1EF9]/u;

/**
 * Whether a message already speaks the run's language: the CLI's own errors take their text from
 * the catalogue when they are thrown (t), so under vi they are Vietnamese and stay as they are.
 */
function alreadyIn(message: string, lang: Lang): boolean {
  return lang === "vi" && VIETNAMESE.test(message);
}

/**
 * The labels libraries put in their messages for what they read ("The certificate", "seal image",
 * "user name"): said in the catalogue's words (error.what.*); anything else (a file name) as it is.
 */
const WHAT: Record<string, MessageKey> = {
  "The certificate": "error.what.certificate",
  "The TSL signer's certificate": "error.what.tslSigner",
  "signature image": "error.what.signatureImage",
  "seal image": "error.what.sealImage",
  "PNG image": "error.what.pngImage",
  "user name": "error.what.userName",
  "key name": "error.what.keyName",
};

/** What a token refusal (TOKEN_STATE) says could not be done, as the registry's event words. */
const TOKEN_ACTIONS: Record<string, MessageKey> = {
  issue: "registry.event.token_issued",
  return: "registry.event.token_returned",
  lost: "registry.event.token_lost",
  lock: "registry.event.token_locked",
  unlock: "registry.event.token_unlocked",
  destroy: "registry.event.token_destroyed",
  "pin-reset": "registry.event.pin_reset",
};

/** The facts of a library's message as a person reads them: times in Vietnam time, the registry's codes and the labels as words. */
function shownParams(params: MessageFacts["params"], lang: Lang): Params {
  const tr = translator(lang);
  const word = (prefix: string, code: string): string => (isMessageKey(`${prefix}${code}`) ? tr(`${prefix}${code}` as MessageKey) : code);
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) {
    const v = String(value);
    if (name === "date") out[name] = /^\d{4}-\d{2}-\d{2}T/.test(v) ? formatTime(v, { lang, zone: currentZone() }) : v;
    else if (name === "status") out[name] = word("registry.status.", v);
    else if (name === "allowed") out[name] = v.split(", ").map((s) => word("registry.status.", s)).join(", ");
    else if (name === "reason") out[name] = word("registry.reason.", v);
    else if (name === "level") out[name] = word("registry.level.", v);
    else if (name === "what") out[name] = WHAT[v] ? tr(WHAT[v]) : v;
    else if (name === "action") out[name] = TOKEN_ACTIONS[v] ? tr(TOKEN_ACTIONS[v]) : v;
    // Where a row came from: `line 3` (the import's own word) in the language.
    else if (name === "other") out[name] = v.replace(/\bline (\d+)/, (_, line: string) => tr("certs.import.line", { line }));
    else out[name] = value;
  }
  return out;
}

/** The catalogue's text of a code that carries its facts (error.CODE.form, else error.CODE), when the catalogue has one. */
export function factsText(code: string, facts: MessageFacts | undefined, lang: Lang): string | undefined {
  if (!facts) return undefined;
  const key = facts.form ? `error.${code}.${facts.form}` : `error.${code}`;
  if (!isMessageKey(key)) return undefined;
  return translator(lang)(key, shownParams(facts.params, lang));
}

function factsOf(details: Record<string, unknown> | MessageFacts | undefined): MessageFacts | undefined {
  const params = details?.params;
  if (params === null || typeof params !== "object") return undefined;
  return { params: params as MessageFacts["params"], ...(typeof details?.form === "string" ? { form: details.form } : {}) };
}

/**
 * One refused row of an import (the registry's Rejection: an English reason, its code, its facts)
 * in the run's language; English keeps the registry's reason.
 */
export function rejectionText(r: { code: string; reason: string; params?: MessageFacts["params"]; form?: string }, lang: Lang): string {
  if (lang === "en" || !r.params) return r.reason;
  return factsText(r.code, { params: r.params, ...(r.form ? { form: r.form } : {}) }, lang) ?? r.reason;
}

export function codedErrorText(e: CodedError, lang: Lang): string {
  if (lang === "en") return e.message;
  // A library's message that carries its facts: the catalogue's text (its data may hold
  // Vietnamese names, so this comes before the check below).
  const byFacts = factsText(e.code, factsOf(e.details), lang);
  if (byFacts !== undefined) return byFacts;
  if (alreadyIn(e.message, lang)) return e.message;
  const params = PARAMS[e.code];
  if (!params) return e.message;
  const tr = translator(lang);
  let text = tr(`error.${e.code}` as MessageKey, params(e));
  const flags = (e.details as Record<string, unknown> | undefined)?.pinFlags as { locked?: boolean; finalTry?: boolean; countLow?: boolean } | undefined;
  if (e.code === "P11_PIN_INCORRECT" && flags) text += ` ${tr(flags.locked ? "error.pinFlags.locked" : flags.finalTry ? "error.pinFlags.finalTry" : flags.countLow ? "error.pinFlags.countLow" : "error.pinFlags.none")}`;
  return text;
}

/** The text after `kyso: ` for an error that ended the run. */
export function errorText(e: unknown, lang: Lang): string {
  // A message from the catalogue is shown without its causes' texts: those are the English of
  // Node and the libraries (ENOENT: no such file or directory, ...), kept for English and the logs.
  if (e instanceof KysoError && lang !== "en") {
    const byFacts = factsText(e.code, factsOf(e.details), lang);
    if (byFacts !== undefined) return byFacts;
  }
  if (e instanceof Error && alreadyIn(e.message, lang)) return e.message;
  if (e instanceof KysoError && lang !== "en" && PARAMS[e.code]) return codedErrorText({ code: e.code, message: e.message, details: e.details }, lang);
  return describeError(e);
}
