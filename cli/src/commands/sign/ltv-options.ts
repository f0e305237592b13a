import type { Argv } from "yargs";
import type { SignOptions } from "@kyso/sign";
import type { Io } from "../../command.js";

/** Flags for long-term validation levels (issue 7: --level, --tsa ...). */
export function ltvOptions<T>(y: Argv<T>): Argv<T> {
  return y;
}

/** Turns the LTV flags into signing options. Throw a KysoError with code "USAGE" for bad flags. */
export async function ltvSignOptions(_args: Record<string, unknown>, _io: Io): Promise<Partial<SignOptions>> {
  return {};
}
