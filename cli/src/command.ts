import type { Argv, ArgumentsCamelCase } from "yargs";

/** What a command may touch of the outside world; tests pass their own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * One `kyso` command. `run` returns the exit code: 0 success, 1 some input failed, 2 usage, token
 * or PIN error. Only bin.ts turns it into process.exit.
 */
export interface KysoCommand<A = any> {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv<A>;
  run: (args: ArgumentsCamelCase<A>, io: Io) => Promise<number>;
}

export function defineCommand<A>(c: KysoCommand<A>): KysoCommand<A> {
  return c;
}
