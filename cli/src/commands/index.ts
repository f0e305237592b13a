import type { KysoCommand } from "../command.js";

/**
 * Every top-level command of `kyso`, each in its own folder under commands/. They are loaded on
 * demand: `kyso sign` loads only the sign command, so start-up does not pay for the registry, the
 * verifier or the service.
 */
export const commandLoaders: { name: string; load: () => Promise<KysoCommand> }[] = [
  { name: "sign", load: async () => (await import("./sign/index.js")).signCommand },
  { name: "verify", load: async () => (await import("./verify/index.js")).verifyCommand },
  { name: "serve", load: async () => (await import("./serve/index.js")).serveCommand },
  { name: "units", load: async () => (await import("./units/index.js")).unitsCommand },
  { name: "certs", load: async () => (await import("./certs/index.js")).certsCommand },
  { name: "tokens", load: async () => (await import("./tokens/index.js")).tokensCommand },
  { name: "token", load: async () => (await import("./token/index.js")).tokenCommand },
  { name: "extend", load: async () => (await import("./extend/index.js")).extendCommand },
  { name: "trust", load: async () => (await import("./trust/index.js")).trustCommand },
  { name: "users", load: async () => (await import("./users/index.js")).usersCommand },
  { name: "api-keys", load: async () => (await import("./api-keys/index.js")).apiKeysCommand },
  { name: "audit", load: async () => (await import("./audit/index.js")).auditCommand },
  { name: "config", load: async () => (await import("./config/index.js")).configCommand },
  { name: "version", load: async () => (await import("./version/index.js")).versionCommand },
  { name: "doctor", load: async () => (await import("./doctor/index.js")).doctorCommand },
  { name: "agent", load: async () => (await import("./agent/index.js")).agentCommand },
  { name: "completion", load: async () => (await import("./completion/index.js")).completionCommand },
  { name: "csc", load: async () => (await import("./csc/index.js")).cscCommand },
];

/** The commands needed for this argv: the one it names, or all of them (help, unknown commands). */
export async function loadCommands(argv: readonly string[]): Promise<KysoCommand[]> {
  const named = argv.find((a) => commandLoaders.some((c) => c.name === a));
  const wanted = named ? commandLoaders.filter((c) => c.name === named) : commandLoaders;
  return Promise.all(wanted.map((c) => c.load()));
}
