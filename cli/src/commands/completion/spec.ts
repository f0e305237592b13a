import type { KysoCommand } from "../../command.js";

/** What shell completion needs to know of one command: its flags and, if any, its actions. */
export interface CompletionSpec {
  name: string;
  describe: string;
  /** Flags as typed (`--digest`, `-r`, `--no-default-trust`). */
  flags: string[];
  /** Flags that take a value (the next word is theirs, not a positional). */
  valueFlags: string[];
  /** Choices of flags that take one of a list, by flag. */
  choices: Record<string, string[]>;
  /** Choices of the first positional (`kyso trust <action>`), if it has any. */
  actions: string[];
}

interface OptionLike {
  type?: string;
  alias?: string | string[];
  choices?: readonly unknown[];
  hidden?: boolean;
  default?: unknown;
  count?: boolean;
}

/** Words safe to put in a generated shell script unquoted. */
const SAFE = /^[A-Za-z0-9_.:+@/-]+$/;

/**
 * Reads a command's flags by running its builder against a recorder that stands in for yargs: every
 * call returns the recorder, `option`/`options` and `positional` are noted. So the completion is
 * generated from the very builders `kyso` parses with, without loading yargs' parser for each.
 */
export function completionSpec(c: KysoCommand): CompletionSpec {
  const first = Array.isArray(c.command) ? c.command[0] : c.command;
  const words = first.trim().split(/\s+/);
  const spec: CompletionSpec = { name: words[0], describe: c.describe, flags: [], valueFlags: [], choices: {}, actions: [] };
  const positionals = new Map<string, OptionLike>();
  const addOption = (name: string, o: OptionLike = {}) => {
    if (o.hidden || !SAFE.test(name)) return;
    const names = [name, ...(Array.isArray(o.alias) ? o.alias : o.alias ? [o.alias] : [])].filter((n) => SAFE.test(n));
    const flags = names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    const takesValue = o.type !== "boolean" && !o.count;
    const choices = (o.choices ?? []).map(String).filter((v) => SAFE.test(v));
    for (const f of flags) {
      if (!spec.flags.includes(f)) spec.flags.push(f);
      if (takesValue && !spec.valueFlags.includes(f)) spec.valueFlags.push(f);
      if (takesValue && choices.length) spec.choices[f] = choices;
    }
    if (o.type === "boolean" && o.default === true) spec.flags.push(`--no-${name}`);
  };
  const recorder: object = new Proxy(function () {}, {
    get(_target, prop) {
      if (prop === "then") return undefined; // not a promise
      if (prop === "option" || prop === "options")
        return (name: string | Record<string, OptionLike>, o?: OptionLike) => {
          if (typeof name === "string") addOption(name, o);
          else for (const [k, v] of Object.entries(name ?? {})) addOption(k, v);
          return recorder;
        };
      if (prop === "positional")
        return (name: string, o: OptionLike = {}) => {
          positionals.set(name, o);
          return recorder;
        };
      return () => recorder;
    },
  });
  c.builder(recorder as never);
  // The first positional of the command string (`trust <action> [args..]`), if it has choices.
  const firstPositional = words[1]?.replace(/^[<[]|(\.\.)?[>\]]$/g, "");
  const p = firstPositional ? positionals.get(firstPositional) : undefined;
  spec.actions = (p?.choices ?? []).map(String).filter((v) => SAFE.test(v));
  spec.flags.push("--help");
  return spec;
}

/** Every command's spec, in the order of the command list, loading each command module. */
export async function allCompletionSpecs(): Promise<CompletionSpec[]> {
  const { commandLoaders } = await import("../index.js");
  const commands = await Promise.all(commandLoaders.map((l) => l.load()));
  return commands.map(completionSpec);
}
