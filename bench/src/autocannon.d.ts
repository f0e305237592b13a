// autocannon ships no types; only what bench/src/verify.ts uses.
declare module "autocannon" {
  interface Histogram { average: number; p50: number; p99: number; max: number; total: number }
  interface Result { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number }
  interface Options { url: string; method?: string; headers?: Record<string, string>; body?: Buffer | string; connections?: number; duration?: number }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
