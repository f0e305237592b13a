import type { Argv } from "yargs";
import type { SignOptions } from "@kyso/sign";
import type { Io } from "../../command.js";

/** Flags for visible signatures (issue 6: --appearance, --page, --rect, --anchor ...). */
export function appearanceOptions<T>(y: Argv<T>): Argv<T> {
  return y;
}

/**
 * Turns the appearance flags into signing options for one document. Called once per run, before
 * any file is signed; throw a KysoError with code "USAGE" for bad flags (exit code 2).
 */
export async function appearanceSignOptions(_args: Record<string, unknown>, _io: Io): Promise<Partial<SignOptions>> {
  return {};
}
