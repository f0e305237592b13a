// Whole-process timings taken in rounds: each round runs every command once (the order turned by one
// each round), so that the load of a shared machine falls on all of them alike and their ratios hold
// better than those of figures taken one after the other.
import { median, runProcess } from "./stats.js";

export interface ProcessSpec {
  key: string;
  cmd: string;
  /** Arguments of run i (e.g. a fresh output folder each time). */
  args: (i: number) => string[];
  env?: NodeJS.ProcessEnv;
  /** Exit codes that count as a normal run (default 0). */
  okCodes?: number[];
}

/** Runs `warmUp` rounds unmeasured (caches filled), then `runs` rounds; medians (ms) by key. */
export async function interleavedMedians(specs: ProcessSpec[], runs: number, warmUp = 1): Promise<Record<string, number>> {
  const times = new Map<string, number[]>(specs.map((s) => [s.key, []]));
  for (let round = -warmUp; round < runs; round++) {
    const k = ((round % specs.length) + specs.length) % specs.length;
    for (const s of [...specs.slice(k), ...specs.slice(0, k)]) {
      const r = await runProcess(s.cmd, s.args(round + warmUp), s.env ?? process.env);
      if (!(s.okCodes ?? [0]).includes(r.code ?? -1)) throw new Error(`${s.key}: ${s.cmd} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
      if (round >= 0) times.get(s.key)!.push(r.ms);
    }
  }
  return Object.fromEntries([...times].map(([k, v]) => [k, median(v)]));
}
