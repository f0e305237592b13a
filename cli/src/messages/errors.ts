import { KysoError, describeError } from "@kyso/core";
import { translator, type Lang, type MessageKey, type Params } from "./index.js";

/**
 * An error as the person running `kyso` reads it. The libraries below the CLI speak English (their
 * messages go to logs and the API too); for the codes a person meets every day the CLI says it
 * in the run's language from the catalogue (`error.CODE`), with the names (token, file) taken
 * from the error. English keeps the library's message, which carries the most detail.
 */
export interface CodedError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
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

export function codedErrorText(e: CodedError, lang: Lang): string {
  if (lang === "en" || alreadyIn(e.message, lang)) return e.message;
  const params = PARAMS[e.code];
  if (!params) return e.message;
  const tr = translator(lang);
  let text = tr(`error.${e.code}` as MessageKey, params(e));
  const flags = e.details?.pinFlags as { locked?: boolean; finalTry?: boolean; countLow?: boolean } | undefined;
  if (e.code === "P11_PIN_INCORRECT" && flags) text += ` ${tr(flags.locked ? "error.pinFlags.locked" : flags.finalTry ? "error.pinFlags.finalTry" : flags.countLow ? "error.pinFlags.countLow" : "error.pinFlags.none")}`;
  return text;
}

/** The text after `kyso: ` for an error that ended the run. */
export function errorText(e: unknown, lang: Lang): string {
  // A message from the catalogue is shown without its causes' texts: those are the English of
  // Node and the libraries (ENOENT: no such file or directory, ...), kept for English and the logs.
  if (e instanceof Error && alreadyIn(e.message, lang)) return e.message;
  if (e instanceof KysoError && lang !== "en" && PARAMS[e.code]) return codedErrorText({ code: e.code, message: e.message, details: e.details }, lang);
  return describeError(e);
}
