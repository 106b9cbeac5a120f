import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { requireSameOriginJson } from "./csrf";

const ORIGIN = "http://localhost:3300";
const saved = { ...process.env };
beforeEach(() => {
  process.env.NEXTAUTH_URL = ORIGIN;
  delete process.env.DEVBOX_TRUSTED_ORIGINS;
});
afterEach(() => {
  process.env = { ...saved };
});

const req = (method: string, headers: Record<string, string>) => new Request(`${ORIGIN}/api/v1/teams`, { method, headers });
const refused = (r: Request) => {
  try {
    requireSameOriginJson(r);
    return false;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(403);
    return true;
  }
};

describe("requireSameOriginJson", () => {
  it("lets the dashboard's own JSON requests and every safe method through", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(refused(req(method, { origin: ORIGIN, "content-type": "application/json" }))).toBe(false);
      expect(refused(req(method, { origin: ORIGIN, "content-type": "application/json; charset=utf-8" }))).toBe(false);
    }
    expect(refused(req("GET", {}))).toBe(false);
    expect(refused(req("HEAD", { origin: "http://evil.example" }))).toBe(false);
  });

  it("refuses bodies a cross-site form or fetch can send without a preflight", () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""])
      expect(refused(req("POST", { origin: ORIGIN, ...(type ? { "content-type": type } : {}) })), type).toBe(true);
  });

  it("refuses a missing, null, foreign-port, sibling or look-alike Origin", () => {
    for (const origin of [undefined, "null", "http://localhost:8080", "https://localhost:3300", "http://app.localhost:3300", "http://localhost:3300.evil.example"])
      expect(refused(req("DELETE", { ...(origin ? { origin } : {}), "content-type": "application/json" })), String(origin)).toBe(true);
  });

  it("exempts token-authenticated requests (the hook for API tokens)", () => {
    expect(() => requireSameOriginJson(req("POST", { "content-type": "text/plain" }), true)).not.toThrow();
  });
});
