import path from "node:path";
import { describe, expect, it } from "vitest";
import { entryPoints } from "@/e2e/support/entry-points";
import { operations } from "./registry";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** "GET /api/v1/teams/[team]/devboxes/[name]" → "GET /teams/{team}/devboxes/{name}" */
const asOperationKey = (entry: string) => {
  const [method, urlPath] = entry.split(" ");
  return `${method} ${urlPath.replace(/^\/api\/v1/, "").replace(/\[(\w+)\]/g, "{$1}")}`;
};

describe("the OpenAPI registry", () => {
  it("describes every route handler under app/api/v1, and nothing else", () => {
    const routes = entryPoints(ROOT)
      .filter((k) => / \/api\/v1\//.test(k))
      .map(asOperationKey);
    const described = operations.map((o) => `${o.method} ${o.path}`);
    const missing = routes.filter((k) => !described.includes(k));
    const stale = described.filter((k) => !routes.includes(k));
    const howTo = (k: string) => {
      const [method, p] = k.split(" ");
      const area = p.split("/").filter((s) => s && !s.startsWith("{")).pop();
      return `  ${k}  → add { method: "${method}", path: "${p}", tag, operationId, summary, access, body?, query?, responses, errors? } to lib/api/operations/<area>.ts (area of "${area}"; a new area's file is listed once in lib/api/registry.ts)`;
    };
    expect(missing, `route handlers the OpenAPI document does not describe:\n${missing.map(howTo).join("\n")}\n`).toEqual([]);
    expect(stale, "operations in lib/api/operations/ with no route handler (app/api/v1/…/route.ts exporting the method)").toEqual([]);
    // The scan must see the API, or the check above passes vacuously.
    expect(routes.length).toBeGreaterThan(15);
  });

  it("has no two operations on one path + method", () => {
    const keys = operations.map((o) => `${o.method} ${o.path}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});
