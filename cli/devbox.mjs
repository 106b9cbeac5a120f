#!/usr/bin/env node
// The `devbox` command: TypeScript run through tsx (a dependency, as for server.ts), so a clone
// needs no build step. The repository's tsconfig is named so "@/…" imports resolve from any cwd.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const here = path.dirname(fileURLToPath(import.meta.url));
register({ tsconfig: path.join(here, "..", "tsconfig.json") });
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
