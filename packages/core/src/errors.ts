/**
 * The one error type of Kyso. Every error carries a stable string code (never matched on message
 * text) and, where there is one, the error that caused it.
 *
 * The message is English (logs, the API). An error a person meets carries the facts its message
 * names in `details.params` (`{ unit: "PY" }`) and, when its code has several messages, which one
 * in `details.form` (`"cycle"`), so that the CLI can say it in the user's language from its own
 * catalogue (`error.CODE` or `error.CODE.form`) without reading the English text.
 */
export class KysoError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KysoError";
    this.code = code;
    this.details = options.details;
  }
}

/** The facts of an error's message and which of its code's messages it is (see KysoError). */
export interface MessageFacts {
  params: Record<string, string | number>;
  form?: string;
}

export function isKysoError(e: unknown, code?: string): e is KysoError {
  return e instanceof KysoError && (code === undefined || e.code === code);
}

/** A message safe to show to a user: the error's own message plus the chain of causes. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  let text = e.message;
  let cause = (e as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 4; depth++) {
    if (!text.includes(cause.message)) text += `: ${cause.message}`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return text;
}
