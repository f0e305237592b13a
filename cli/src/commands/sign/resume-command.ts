/**
 * The command line that resumes an interrupted `kyso sign`: the arguments it was started with (from
 * `sign` on), `--resume` added once. No PIN is ever on the command line (it comes from a prompt,
 * KYSO_PIN or --pin-file), so nothing secret is repeated.
 */
export function resumeCommand(argv: readonly string[], fallbackFiles: readonly string[]): string {
  const at = argv.indexOf("sign");
  const args = at >= 0 ? argv.slice(at + 1) : [...fallbackFiles];
  const kept = args.filter((a) => a !== "--resume" && a !== "--no-resume" && a !== "--resume=true" && a !== "--resume=false");
  return ["kyso", "sign", ...kept.map(shellQuote), "--resume"].join(" ");
}

/** POSIX shell quoting: bare when safe, else in single quotes ('it'\''s'). */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
