// The `devbox` CLI as one file for bench/ssh.ts: esbuild bundles this (what an installed CLI
// would run: no TypeScript compile per ProxyCommand start). Not a benchmark (leading "_").
import { main } from "../cli/main";

process.exitCode = await main(process.argv.slice(2));
