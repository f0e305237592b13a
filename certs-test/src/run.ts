import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { KysoError } from "@kyso/core";

const execFileAsync = promisify(execFile);

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
}

/**
 * Runs a tool without a shell and returns its stdout. On failure the error names the tool and its
 * first argument only: the other arguments may hold test PINs, which are never printed.
 */
export function run(tool: string, args: readonly string[], options: RunOptions = {}): string {
  try {
    return execFileSync(tool, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      input: options.input,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (cause) {
    throw toolError(tool, args, cause);
  }
}

/** {@link run}, asynchronously, so that independent key generations use both cores. */
export async function runAsync(tool: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(tool, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (cause) {
    throw toolError(tool, args, cause);
  }
}

function toolError(tool: string, args: readonly string[], cause: unknown): KysoError {
  const e = cause as { stderr?: string | Buffer; stdout?: string | Buffer; status?: number; code?: string };
  if (e.code === "ENOENT") {
    return new KysoError("CERTS_TOOL_MISSING", `${tool} is not installed (run scripts/install.sh)`, { cause });
  }
  const out = `${String(e.stderr ?? "")}\n${String(e.stdout ?? "")}`.trim().split("\n").slice(-8).join("\n");
  return new KysoError("CERTS_TOOL_FAILED", `${tool} ${args[0] ?? ""} failed (exit ${String(e.status ?? "?")}): ${out}`, {
    cause,
  });
}
