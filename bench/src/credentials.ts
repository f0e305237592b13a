import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const kysoBin = fileURLToPath(new URL("../../cli/dist/bin.js", import.meta.url));

/**
 * An API key for a benchmark's `kyso serve`, made as an operator would: `kyso api-keys create`
 * against the same database (`db`, else the one `env` points the default at). The service now
 * refuses unauthenticated requests, so every benchmark request carries `Authorization: Bearer`.
 */
export function createApiKey(scopes: string[], db?: string, env: NodeJS.ProcessEnv = process.env): string {
  const args = [kysoBin, "api-keys", "create", `bench-${process.pid}-${Date.now()}`, ...scopes.flatMap((s) => ["--scope", s]), ...(db ? ["--db", db] : [])];
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kyso api-keys create failed: ${r.stderr}`);
  return r.stdout.trim();
}
