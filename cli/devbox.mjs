#!/usr/bin/env node
// The `devbox` command: TypeScript run through tsx (a dependency, as for server.ts), so a clone
// needs no build step. The repository's tsconfig is named so "@/…" imports resolve from any cwd.
// `ssh --stdio` (OpenSSH's ProxyCommand, one process per connection) runs from a cached bundle
// instead when it is current (cli/ssh-stdio-cache.mjs): no tsx, no TypeScript compile.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freshBundle, rebuildInBackground } from "./ssh-stdio-cache.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const cached = process.env.DEVBOX_CLI_CACHE !== "off" && freshBundle();
if (argv[0] === "ssh" && argv[1] === "--stdio" && cached) {
  const { sshStdio } = await import(pathToFileURL(cached).href);
  process.exitCode = await sshStdio(argv.slice(1));
} else {
  // Rebuilt off to the side while this command runs; the next ProxyCommand start uses it.
  if (!cached && process.env.DEVBOX_CLI_CACHE !== "off") rebuildInBackground();
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(here, "..", "tsconfig.json") });
  const { main } = await import("./main.ts");
  process.exitCode = await main(argv);
}
