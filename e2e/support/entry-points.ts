import fs from "node:fs";
import path from "node:path";

/**
 * Every way into the dashboard, read from the code (not from a list someone keeps): route
 * handlers (`app/**\/route.ts` and the methods they export), server actions (exported functions
 * of `"use server"` files) and websocket endpoints (`registerWebsocketEndpoint` in server/).
 * Keys: "GET /api/v1/teams/[team]", "action app/(app)/t/[team]/actions.ts#addMemberAction",
 * "ws server/ws/terminal.ts".
 */
export function entryPoints(root: string): string[] {
  const out: string[] = [];
  for (const file of walk(path.join(root, "app"))) {
    const rel = path.relative(root, file).split(path.sep).join("/");
    const src = fs.readFileSync(file, "utf8");
    if (path.basename(file) === "route.ts") {
      const urlPath = "/" + rel.split("/").slice(1, -1).filter((s) => !/^\(.*\)$/.test(s)).join("/");
      for (const m of handlerMethods(src)) out.push(`${m} ${urlPath}`);
    } else if (/^\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*["']use server["']/.test(src)) {
      for (const m of src.matchAll(/export\s+(?:async\s+)?function\s+(\w+)|export\s+const\s+(\w+)\s*=/g)) out.push(`action ${rel}#${m[1] ?? m[2]}`);
    }
  }
  for (const file of walk(path.join(root, "server"))) {
    if (file.endsWith(".test.ts")) continue;
    const rel = path.relative(root, file).split(path.sep).join("/");
    if (/registerWebsocketEndpoint\(/.test(fs.readFileSync(file, "utf8")) && !rel.endsWith("server/upgrade.ts")) out.push(`ws ${rel}`);
  }
  return out.sort();
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function handlerMethods(src: string): string[] {
  const found = new Set<string>();
  for (const m of src.matchAll(/export\s+(?:const|async\s+function|function)\s+([A-Z]+)\b/g)) if (METHODS.includes(m[1])) found.add(m[1]);
  for (const m of src.matchAll(/export\s*\{([^}]*)\}/g))
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim() ?? "";
      if (METHODS.includes(name)) found.add(name);
    }
  return [...found];
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : walk(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** Server action ids of this build: "file#export" → { id, page } (a page that hosts the action). */
export function actionIds(root: string): Map<string, { id: string; page: string }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }>;
  };
  const out = new Map<string, { id: string; page: string }>();
  for (const [id, a] of Object.entries(manifest.node)) {
    if (!a.filename || !a.exportedName) continue;
    const worker = Object.keys(a.workers)[0];
    const page = "/" + worker.split("/").slice(1, -1).filter((s) => !/^\(.*\)$/.test(s)).join("/");
    out.set(`${a.filename}#${a.exportedName}`, { id, page });
  }
  return out;
}
