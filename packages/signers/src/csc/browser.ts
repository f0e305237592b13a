import { spawn } from "node:child_process";

/**
 * Opens a URL in the desktop's browser: the `BROWSER` environment variable when set (the usual
 * convention: commands separated by ":", `%s` standing for the URL, else the URL is appended), else
 * xdg-open (Linux), open (macOS), start (Windows). The browser is left running; a failure to start
 * it rejects (the caller prints the URL anyway).
 */
export function openSystemBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let cmd: string;
  let args: string[];
  const configured = env.BROWSER?.split(":").map((s) => s.trim()).find(Boolean);
  if (configured) {
    const words = configured.split(/\s+/);
    cmd = words[0];
    args = words.slice(1).map((w) => w.replace("%s", url));
    if (!configured.includes("%s")) args.push(url);
  } else if (process.platform === "darwin") [cmd, args] = ["open", [url]];
  else if (process.platform === "win32") [cmd, args] = ["cmd", ["/c", "start", "", url.replace(/&/g, "^&")]];
  else [cmd, args] = ["xdg-open", [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "ignore", detached: true });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}
