import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import { adminConfig, execIn } from "../../test/integration/cluster-helpers";

/**
 * A real Vite dev server in a devbox, without the internet (devboxes have none). The node
 * template's Node is Debian bookworm's 18 (18.20.4 today), which this repo's own Vite (8, for vitest) does not
 * run on, so package.json carries Vite 5.4 under the alias `vite5` (devDependency). Its dependency
 * closure (esbuild and rollup with their native linux packages, as npm ci installed them here) is
 * copied into the devbox as a tar over the Kubernetes exec stdin, next to the small project in
 * test/fixtures/vite-hmr-app, and Vite is started there on the devbox's declared port 3000.
 */
export const VITE_PACKAGE = "vite5";
export const VITE_APP_DIR = "/home/devbox/hmr-app";
const TOOLCHAIN_DIR = "/tmp/vite5/node_modules";
const APP_FIXTURE = path.join(import.meta.dirname, "../../test/fixtures/vite-hmr-app");
const REPO_ROOT = path.join(import.meta.dirname, "../..");

/** A package directory as `<node_modules dir>/<rel>`: `rel` keeps npm's nesting (`vite5/node_modules/esbuild`). */
export interface PackageDir {
  nodeModules: string;
  rel: string;
}

/** Where Node would find package `name` from `fromDir` (its own lookup list), or null. */
function locate(name: string, fromDir: string): string | null {
  const lookup = createRequire(path.join(fromDir, "noop.js")).resolve.paths(name) ?? [];
  for (const dir of lookup) if (existsSync(path.join(dir, name, "package.json"))) return path.join(dir, name);
  return null;
}

/**
 * The package `name` as Node resolves it from `fromDir`, with everything it needs at run time:
 * `dependencies`, and the `optionalDependencies` npm installed on this platform (the native
 * `@esbuild/linux-x64`, `@rollup/rollup-linux-x64-gnu`; the others are absent and skipped).
 */
export function dependencyClosure(name: string, fromDir: string = REPO_ROOT): PackageDir[] {
  const found = new Map<string, PackageDir>();
  const visit = (pkg: string, from: string, optional: boolean) => {
    const dir = locate(pkg, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`${pkg} (needed from ${from}) is not installed: run npm ci (package.json devDependency "${VITE_PACKAGE}")`);
    }
    const real = realpathSync(dir);
    if (found.has(real)) return;
    const marker = `${path.sep}node_modules${path.sep}`;
    const at = real.indexOf(marker);
    found.set(real, { nodeModules: real.slice(0, at + marker.length - 1), rel: real.slice(at + marker.length) });
    const manifest = JSON.parse(readFileSync(path.join(real, "package.json"), "utf8")) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, real, false);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, real, true);
  };
  visit(name, fromDir, false);
  return [...found.values()];
}

/** `tar` arguments for these packages (a nested one is already inside its parent's directory). */
function tarArgs(dirs: PackageDir[]): string[] {
  const inside = (d: PackageDir) => dirs.some((p) => p !== d && p.nodeModules === d.nodeModules && d.rel.startsWith(`${p.rel}/node_modules/`));
  return dirs.filter((d) => !inside(d)).flatMap((d) => ["-C", d.nodeModules, d.rel]);
}

/**
 * Runs a script in the devbox's container (as its user) with an optional stdin; resolves with its
 * output, rejects with the output and the status when it fails.
 */
export async function execInDevbox(namespace: string, pod: string, script: string, stdin: Readable | null = null): Promise<string> {
  const { stdout, stderr, status } = await execIn(adminConfig(), namespace, pod, "devbox", ["bash", "-c", script], undefined, stdin);
  if (status.status !== "Success") throw new Error(`in the devbox: ${script.split("\n")[0]}…\n${stdout}${stderr}\n${JSON.stringify(status)}`);
  return stdout + stderr;
}

/**
 * Packs these entries with `tar -cz` on this machine and unpacks them in the devbox under `dest`
 * (the archive is sent whole: Node drains a child's unread stdout when it exits, which would lose
 * it before the exec's websocket is open to take it).
 */
async function copyInto(namespace: string, pod: string, dest: string, args: string[]): Promise<void> {
  const archive = execFileSync("tar", ["-cz", "-f", "-", ...args], { maxBuffer: 512 << 20 });
  await execInDevbox(namespace, pod, `mkdir -p ${dest} && tar -xz -f - -C ${dest}`, Readable.from([archive]));
}

/**
 * Copies Vite 5 and the fixture project into the devbox, starts `vite` there (detached, its log in
 * /tmp/vite.log) and returns when it says it is ready (or fails with its log).
 */
export async function startViteInDevbox(namespace: string, pod: string): Promise<void> {
  await copyInto(namespace, pod, TOOLCHAIN_DIR, tarArgs(dependencyClosure(VITE_PACKAGE)));
  await copyInto(namespace, pod, VITE_APP_DIR, ["-C", APP_FIXTURE, "."]);
  await execInDevbox(
    namespace,
    pod,
    [
      `cd ${VITE_APP_DIR}`,
      `(setsid nohup node ${TOOLCHAIN_DIR}/${VITE_PACKAGE}/bin/vite.js > /tmp/vite.log 2>&1 < /dev/null & echo $! > /tmp/vite.pid)`,
      // Vite prints "ready in" once it listens; stop waiting when it exited, or after 60 s, with its log.
      `for i in $(seq 600); do grep -q 'ready in' /tmp/vite.log && exit 0; kill -0 "$(cat /tmp/vite.pid)" 2>/dev/null || break; sleep 0.1; done`,
      "cat /tmp/vite.log; exit 1",
    ].join("\n"),
  );
}
