// Contract for benchmarks run by bench/run.ts: a file bench/<name>.ts whose
// default export is a Benchmark. `npm run bench -- <name> [--json] [args...]`.

export interface BenchContext {
  /** arguments after the benchmark name, --json removed */
  args: string[];
  json: boolean;
  /** progress for humans; goes to stderr so --json stdout stays one object */
  log: (msg: string) => void;
}

export interface Benchmark<R extends object = Record<string, unknown>> {
  description: string;
  run(ctx: BenchContext): Promise<R>;
  /** human-readable report; without it run.ts prints the JSON indented */
  format?(result: R): string;
}

/** --name value / --name=value */
export function option(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

export function intOption(args: string[], name: string, dflt: number, min = 1): number {
  const v = option(args, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got '${v}')`);
  return n;
}

export interface Stats {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

/** The p-th percentile of ascending samples, by nearest rank. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Summary in ms; percentiles by nearest rank. */
export function stats(samples: number[]): Stats {
  if (samples.length === 0) throw new Error('no samples');
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => percentile(s, p);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, min: r(s[0]), median: r(rank(50)), p95: r(rank(95)), max: r(s[s.length - 1]), mean: r(s.reduce((a, b) => a + b, 0) / s.length) };
}
