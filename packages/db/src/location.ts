import { homedir } from "node:os";
import { join } from "node:path";
import { KysoError } from "@kyso/core";

/** Where a database lives: `sqlite:PATH` (or a bare path) or a `postgres://` URL. */
export type DbLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

export function parseDbLocation(spec: string): DbLocation {
  if (/^postgres(ql)?:\/\//i.test(spec)) return { kind: "postgres", url: spec };
  if (spec.startsWith("sqlite:")) {
    const path = spec.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!path) throw new KysoError("USAGE", `No file in database location "${spec}" (expected sqlite:PATH)`);
    return { kind: "sqlite", path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new KysoError("USAGE", `Unsupported database location "${redactUrl(spec)}": use sqlite:PATH or postgres://...`);
  return { kind: "sqlite", path: spec };
}

/** A URL with its password replaced, safe to print. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

/**
 * The default database: `sqlite:$XDG_DATA_HOME/kyso/registry.db`, falling back to
 * `~/.local/share/kyso/registry.db` (XDG Base Directory Specification). The name predates the
 * split into packages: the registry, the inbox and what comes after them share this one file.
 */
export function defaultDbSpec(env: NodeJS.ProcessEnv = process.env): string {
  const dataHome = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith("/") ? env.XDG_DATA_HOME : join(env.HOME || homedir(), ".local", "share");
  return `sqlite:${join(dataHome, "kyso", "registry.db")}`;
}
