import { describe, expect, it } from "vitest";
import { bearerFrom, isCookielessBearer } from "./secret";

describe("bearer requests", () => {
  it("take the token of a well-formed Authorization header only", () => {
    expect(bearerFrom("Bearer dbx_pat_abc")).toBe("dbx_pat_abc");
    expect(bearerFrom("bearer  dbx_pat_abc ")).toBe("dbx_pat_abc");
    expect(bearerFrom("Basic dXNlcjpwYXNz")).toBeNull();
    expect(bearerFrom("Bearer a b")).toBeNull();
    expect(bearerFrom(undefined)).toBeNull();
  });
  it("are exempt from the browser rules only without a cookie", () => {
    expect(isCookielessBearer("Bearer dbx_pat_abc", null)).toBe(true);
    expect(isCookielessBearer("Bearer dbx_pat_abc", "next-auth.session-token=x")).toBe(false);
    expect(isCookielessBearer(null, null)).toBe(false);
    expect(isCookielessBearer("Bearer ", undefined)).toBe(false);
  });
});
