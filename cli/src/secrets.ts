import { readFile } from "node:fs/promises";
import { KysoError } from "@kyso/core";
import type { Io } from "./command.js";
import { t } from "./messages/index.js";

/**
 * Reads a secret from the terminal without echo. Never logged, never part of an error message.
 * Ctrl-C (the byte in raw mode, or SIGINT sent to the process) gives the terminal back with echo
 * on and ends the run with CANCELLED: one line, exit 130 (128 + SIGINT) as a shell reports it.
 */
export async function promptHidden(io: Io, question: string, what: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY || typeof stdin.setRawMode !== "function") throw new KysoError("PIN_UNAVAILABLE", t("prompt.noTerminal", { what }));
  io.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.off("SIGINT", onSigint);
      io.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const cancelled = (): KysoError => new KysoError("CANCELLED", t("prompt.cancelled"), { details: { exitCode: 130 } });
    const onSigint = (): void => done(cancelled());
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(cancelled());
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    process.on("SIGINT", onSigint);
    stdin.on("data", onData);
  });
}

/** The token PIN: KYSO_PIN, else --pin-file, else a prompt without echo. Never a flag. */
export async function obtainPin(io: Io, pinFile: string | undefined, tokenHint: string): Promise<string> {
  if (pinFile) {
    try {
      return (await readFile(pinFile, "utf8")).replace(/\r?\n$/, "");
    } catch (e) {
      throw new KysoError("PIN_FILE", t("prompt.pinFileUnreadable", { file: pinFile, code: (e as NodeJS.ErrnoException).code ?? "error" }));
    }
  }
  if (io.env.KYSO_PIN !== undefined) return io.env.KYSO_PIN;
  return promptHidden(io, t("prompt.pin", { token: tokenHint }), t("prompt.pinWhat", { token: tokenHint }));
}

/** The PKCS#12 password: KYSO_P12_PASSWORD, else a prompt without echo. */
export async function obtainP12Password(io: Io, file: string): Promise<string> {
  if (io.env.KYSO_P12_PASSWORD !== undefined) return io.env.KYSO_P12_PASSWORD;
  return promptHidden(io, t("prompt.p12Password", { file }), t("prompt.p12What", { file }));
}
