import { execFile } from "node:child_process";

/** Runs a command; its stdout, or undefined when it cannot run or fails. */
function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 3000, windowsHide: true }, (err, stdout) => resolve(err ? undefined : String(stdout).trim()));
  });
}

/**
 * The screen-lock probe of `kyso agent` (best effort): on Linux with systemd-logind, the session's
 * `LockedHint` (set by GNOME, KDE, and lockers that speak logind), read with
 * `loginctl show-session ID -p LockedHint --value`. The session is $XDG_SESSION_ID when the agent
 * runs inside it, else the user's graphical session (`loginctl show-user UID -p Display`): a user
 * service runs outside any session. Elsewhere (no loginctl, no session, macOS, Windows) it answers
 * "not locked" and the idle time is what ends the session. KYSO_AGENT_SCREEN_LOCK=off turns it off.
 */
export function screenLockProbe(env: NodeJS.ProcessEnv, uid = process.getuid?.()): (() => Promise<boolean>) | undefined {
  if (process.platform !== "linux" || env.KYSO_AGENT_SCREEN_LOCK === "off") return undefined;
  let session: Promise<string | undefined> | undefined;
  const find = async (): Promise<string | undefined> => {
    if (env.XDG_SESSION_ID) return env.XDG_SESSION_ID;
    if (uid === undefined) return undefined;
    const display = await run("loginctl", ["show-user", String(uid), "-p", "Display", "--value"]);
    return display || undefined;
  };
  return async () => {
    session ??= find();
    const id = await session;
    if (!id) return false;
    return (await run("loginctl", ["show-session", id, "-p", "LockedHint", "--value"])) === "yes";
  };
}
