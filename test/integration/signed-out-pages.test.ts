import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSuffix } from "@/lib/ids";
import { Dashboard } from "@/test/support/dashboard";

// A signed-out visit is routine (every new user's first request): it is a redirect to the sign-in
// page, and nothing in the server's log, where operators look for real failures.

describe("pages visited signed out", () => {
  const id = `signed-out-${randomSuffix()}`;
  const dataDir = path.resolve(import.meta.dirname, `../../.cache/${id}`);
  let dash: Dashboard;

  beforeAll(async () => {
    dash = await Dashboard.create({ dataDir, instance: id });
    await dash.start();
  });
  afterAll(async () => {
    await dash?.crash();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("redirect to /login and log no error", async () => {
    for (const page of ["/", "/admin", "/settings/tokens", "/teams/new"]) {
      const res = await fetch(`${dash.url}${page}`, { redirect: "manual" });
      expect(res.status, page).toBe(307);
      expect(new URL(res.headers.get("location")!, dash.url).pathname, page).toBe("/login");
      await res.arrayBuffer();
    }
    // What Next.js prints for an error a page threw: "⨯ Error [AppError]: Sign in to continue." and its stack.
    const log = dash.tail(400);
    expect(log, log).not.toMatch(/AppError|Sign in to continue|⨯/);
  });

  it("an API path no route has gets the API's JSON 404 from server.ts, a real one is still its route's to answer", async () => {
    const missing = await fetch(`${dash.url}/api/v1/teams/acme/nosuch`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^application\/json/);
    expect(missing.headers.get("x-devbox-no-route")).toBe("1");
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
    // A path the API has, signed out: the route's own refusal, unmarked.
    const real = await fetch(`${dash.url}/api/v1/teams/acme/devboxes`);
    expect(real.status).toBe(401);
    expect(real.headers.get("x-devbox-no-route")).toBeNull();
    await real.arrayBuffer();
  });
});
