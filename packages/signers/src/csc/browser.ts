import { spawn } from "node:child_process";

/**
 * Opens a URL in the desktop's browser: xdg-open (Linux), open (macOS), start (Windows). The
 * browser is left running; a failure to start it rejects (the caller prints the URL instead).
 */
export function openSystemBrowser(url: string): Promise<void> {
  const [cmd, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", "", url.replace(/&/g, "^&")]] : ["xdg-open", [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}
