import { VERIFY_TEXTS, type VerifyLang, type VerifyTextTable } from "@kyso/verify/texts";

/** The catalogue's prefix of each table of @kyso/verify/texts the CLI says (revocation reasons are the registry's words, registry.reason.*). */
const PREFIX = { reason: "verify.reason.", warning: "verify.warning.", tsProblem: "verify.tsProblem.", kind: "verify.term.kind." } as const;

type Prefixed<T extends keyof typeof PREFIX> = `${(typeof PREFIX)[T]}${Extract<keyof VerifyTextTable[T], string>}`;
export type VerifyTextKey = { [T in keyof typeof PREFIX]: Prefixed<T> }[keyof typeof PREFIX];

/**
 * The texts of a verification report's codes (reasons, warnings, timestamp problems, change kinds)
 * as catalogue entries, taken from @kyso/verify/texts, their one source (the printable report and
 * the verify page say the same): `verify.reason.HASH_MISMATCH`, `verify.tsProblem.TST_UNREADABLE`, ...
 */
export function verifyTextEntries(lang: VerifyLang): Record<VerifyTextKey, string> {
  const out: Record<string, string> = {};
  for (const [table, prefix] of Object.entries(PREFIX) as [keyof typeof PREFIX, string][])
    for (const [code, text] of Object.entries(VERIFY_TEXTS[lang][table])) out[`${prefix}${code}`] = text;
  return out as Record<VerifyTextKey, string>;
}
