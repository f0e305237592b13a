/** Prometheus text exposition (version 0.0.4) of verification counts and latency. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  private readonly verdicts = new Map<string, number>();
  private readonly buckets = new Array<number>(BUCKETS.length).fill(0);
  private count = 0;
  private sum = 0;
  private readonly responses = new Map<string, number>();

  observe(indication: string, seconds: number): void {
    this.verdicts.set(indication, (this.verdicts.get(indication) ?? 0) + 1);
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) this.buckets[i]++;
  }

  response(status: number): void {
    const k = String(status);
    this.responses.set(k, (this.responses.get(k) ?? 0) + 1);
  }

  render(pending: number): string {
    const lines = [
      "# HELP kyso_verifications_total Documents verified, by verdict.",
      "# TYPE kyso_verifications_total counter",
      ...["TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE", "NO_SIGNATURE"].map((v) => `kyso_verifications_total{indication="${v}"} ${this.verdicts.get(v) ?? 0}`),
      "# HELP kyso_verification_seconds Time to verify one document.",
      "# TYPE kyso_verification_seconds histogram",
      ...BUCKETS.map((b, i) => `kyso_verification_seconds_bucket{le="${b}"} ${this.buckets[i]}`),
      `kyso_verification_seconds_bucket{le="+Inf"} ${this.count}`,
      `kyso_verification_seconds_sum ${this.sum}`,
      `kyso_verification_seconds_count ${this.count}`,
      "# HELP kyso_http_responses_total HTTP responses of the verification API, by status.",
      "# TYPE kyso_http_responses_total counter",
      ...[...this.responses].map(([s, n]) => `kyso_http_responses_total{status="${s}"} ${n}`),
      "# HELP kyso_verifications_pending Documents waiting or being verified.",
      "# TYPE kyso_verifications_pending gauge",
      `kyso_verifications_pending ${pending}`,
    ];
    return lines.join("\n") + "\n";
  }
}
