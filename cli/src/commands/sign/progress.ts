import type { Io } from "../../command.js";

/** A one-line progress bar on a terminal: count, rate and ETA. Redrawn at most every 100 ms. */
export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private readonly started = performance.now();
  constructor(
    private readonly out: Io["stderr"],
    private readonly total: number,
  ) {}

  tick(): void {
    this.done++;
    const now = performance.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Prints a line above the bar (a failure, say) without garbling it. */
  note(line: string): void {
    this.out.write(`\r\x1b[K${line}\n`);
    this.draw(performance.now());
  }

  private draw(now: number): void {
    const width = 30;
    const frac = this.total ? this.done / this.total : 1;
    const filled = Math.round(frac * width);
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? Math.round((this.total - this.done) / rate) : 0;
    const etaText = `${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, "0")}`;
    this.out.write(`\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.done}/${this.total}  ${rate.toFixed(1)}/s  ETA ${etaText}`);
  }

  finish(): void {
    this.out.write("\r\x1b[K");
  }
}
