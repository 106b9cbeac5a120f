// Benchmark dispatcher: npm run bench -- <name> [--json] [benchmark args]
// A benchmark is bench/<name>.ts with a default export implementing Benchmark.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, Benchmark } from './types';

const dir = path.dirname(fileURLToPath(import.meta.url));
const NOT_BENCHMARKS = new Set(['run', 'types']);

function available(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_BENCHMARKS.has(n))
    .sort();
}

async function load(name: string): Promise<Benchmark> {
  const mod = await import(pathToFileURL(path.join(dir, `${name}.ts`)).href);
  const b = mod.default as Benchmark | undefined;
  if (!b || typeof b.run !== 'function') throw new Error(`bench/${name}.ts has no default export with run()`);
  return b;
}

async function main() {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  const name = rest.shift();
  const names = available();
  if (!name || name === '--help' || name === '-h' || name === 'list') {
    console.log('usage: npm run bench -- <name> [--json] [args]\n\nbenchmarks:');
    for (const n of names) console.log(`  ${n.padEnd(20)} ${(await load(n)).description}`);
    process.exit(name ? 0 : 2);
  }
  if (!names.includes(name)) {
    console.error(`unknown benchmark '${name}'; available: ${names.join(', ')}`);
    process.exit(2);
  }
  const bench = await load(name);
  // With --json, stdout is the one result object: the code under test logs (the reconciler's
  // leadership lines) go to stderr with the progress.
  if (json) console.log = (...a: unknown[]) => console.error(...a);
  const ctx: BenchContext = { args: rest, json, log: (m) => process.stderr.write(`${m}\n`) };
  const result = await bench.run(ctx);
  if (json) process.stdout.write(`${JSON.stringify({ benchmark: name, ...result })}\n`);
  else console.log(bench.format ? bench.format(result) : JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
