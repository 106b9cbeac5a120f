// The ProxyCommand's fast start: `devbox ssh --stdio` runs once per SSH connection, and through
// tsx (TypeScript compiled by a loader thread) Node needs ~0.3 s more to start than for plain
// JavaScript. So cli/ssh-stdio.ts is bundled once into one .mjs file in the user's cache and run
// from there while every file it was built from is unchanged (size and mtime in its manifest);
// otherwise cli/devbox.mjs takes the tsx path and rebuilds the bundle in the background.
// Plain JavaScript: it runs before (and instead of) tsx.   `node cli/ssh-stdio-cache.mjs build`
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");

/** One cache directory per checkout: $DEVBOX_CLI_CACHE (`off`: no cache), else ~/.cache/devbox-cli/<checkout hash>. */
export function cacheDir(env = process.env) {
  if (env.DEVBOX_CLI_CACHE) return env.DEVBOX_CLI_CACHE;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "devbox-cli", createHash("sha256").update(root).digest("hex").slice(0, 12));
}

const files = (dir) => ({ bundle: path.join(dir, "ssh-stdio.mjs"), manifest: path.join(dir, "manifest.json") });

/** The bundle's path when it is current (same Node, every input unchanged), else null. */
export function freshBundle(dir = cacheDir()) {
  const { bundle, manifest } = files(dir);
  let m;
  try {
    m = JSON.parse(fs.readFileSync(manifest, "utf8"));
  } catch {
    return null;
  }
  if (m.node !== process.version || !m.inputs || !fs.existsSync(bundle)) return null;
  for (const [file, { size, mtimeMs }] of Object.entries(m.inputs)) {
    let st;
    try {
      st = fs.statSync(file);
    } catch {
      return null;
    }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return null;
  }
  return bundle;
}

const MTIME_MARGIN_MS = 2000;

/** Bundles cli/ssh-stdio.ts with esbuild (tsx's own compiler) and writes it with its manifest; null when an input changed meanwhile. */
export async function buildBundle(dir = cacheDir()) {
  const { build } = await import("esbuild");
  const { bundle, manifest } = files(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Inputs are known only after the build: one changed since it started (with a margin for coarse
  // file clocks) may be in the bundle at its old content, so nothing is written and it stays stale.
  const started = Date.now();
  const result = await build({
    entryPoints: [path.join(here, "ssh-stdio.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node}`,
    tsconfig: path.join(root, "tsconfig.json"),
    absWorkingDir: root,
    metafile: true,
    write: false,
    logLevel: "silent",
    // ws's optional native add-ons stay optional (require() inside try, as ws does).
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const inputs = {};
  for (const rel of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(root, rel);
    const st = fs.statSync(file);
    if (st.mtimeMs >= started - MTIME_MARGIN_MS) return null;
    inputs[file] = { size: st.size, mtimeMs: st.mtimeMs };
  }
  const tmp = `.${process.pid}.tmp`;
  fs.writeFileSync(bundle + tmp, result.outputFiles[0].contents, { mode: 0o600 });
  fs.renameSync(bundle + tmp, bundle);
  fs.writeFileSync(manifest + tmp, JSON.stringify({ node: process.version, inputs }), { mode: 0o600 });
  fs.renameSync(manifest + tmp, manifest);
  return bundle;
}

/** Starts a detached build unless one started in the last minute (every CLI command may ask). */
export function rebuildInBackground(dir = cacheDir()) {
  const lock = path.join(dir, "building");
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (Date.now() - fs.statSync(lock).mtimeMs < 60_000) return;
    fs.rmSync(lock, { force: true });
  } catch {
    /* no lock yet */
  }
  try {
    fs.closeSync(fs.openSync(lock, "wx"));
  } catch {
    return; // another command just took it
  }
  spawn(process.execPath, [fileURLToPath(import.meta.url), "build"], { detached: true, stdio: "ignore", env: { ...process.env, DEVBOX_CLI_CACHE: dir } }).unref();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === "build") {
  try {
    await buildBundle();
  } finally {
    fs.rmSync(path.join(cacheDir(), "building"), { force: true });
  }
}
