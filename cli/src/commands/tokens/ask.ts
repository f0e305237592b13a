import { createInterface } from "node:readline";
import { KysoError } from "@kyso/core";
import type { Io } from "../../command.js";
import { translator } from "../../messages/index.js";

const YES = new Set(["y", "yes", "c", "có", "co"]);
const NO = new Set(["n", "no", "k", "không", "khong"]);

/**
 * Asks a yes/no question on the terminal (the question on stderr, so stdout stays the result).
 * Accepts y/yes/n/no and c/có/k/không in either language; anything else asks again, three times
 * at most. End of input (Ctrl-D) or Ctrl-C cancels: CANCELLED, nothing changed.
 */
export async function askYesNo(io: Io, question: string, lang: "vi" | "en"): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      io.stderr.write(question);
      const next = await lines.next();
      if (next.done) break;
      const answer = String(next.value).trim().toLowerCase();
      if (YES.has(answer)) return true;
      if (NO.has(answer)) return false;
      io.stderr.write(`${translator(lang)("tokens.ask.again")}\n`);
    }
  } finally {
    rl.close();
  }
  throw new KysoError("CANCELLED", translator(lang)("tokens.ask.noAnswer"));
}
