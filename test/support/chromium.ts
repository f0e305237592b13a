import { chromium, type Browser } from "playwright-core";

/**
 * Debian's Chromium, headless, as this workplace runs it: without the background-networking
 * flags it keeps trying hosts the closed network refuses. playwright gives every launch a fresh
 * --user-data-dir of its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
