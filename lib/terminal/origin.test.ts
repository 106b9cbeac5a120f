import { describe, expect, it } from "vitest";
import { isSameOrigin } from "./origin";

describe("isSameOrigin", () => {
  const base = { host: "dash.example.com", publicUrl: "https://dash.example.com" };

  it("accepts the configured public origin and the addressed host", () => {
    expect(isSameOrigin({ ...base, origin: "https://dash.example.com" })).toBe(true);
    expect(isSameOrigin({ origin: "http://localhost:3300", host: "localhost:3300" })).toBe(true);
    expect(isSameOrigin({ origin: "http://LOCALHOST:3300", host: "localhost:3300" })).toBe(true);
  });

  it("accepts a reverse proxy's forwarded host and configured extra origins", () => {
    expect(isSameOrigin({ origin: "https://dev.corp.example", host: "127.0.0.1:3000", forwardedHost: "dev.corp.example, proxy2" })).toBe(true);
    expect(isSameOrigin({ origin: "https://alt.example", host: "127.0.0.1:3000", trustedOrigins: " https://alt.example ,bogus" })).toBe(true);
  });

  it("refuses other sites, look-alikes, missing and opaque origins", () => {
    for (const origin of [
      "https://evil.example",
      "https://dash.example.com.evil.example",
      "https://evil.example/dash.example.com",
      "https://dash.example.com:8443",
      "null",
      "file://",
      "not a url",
      undefined,
    ])
      expect(isSameOrigin({ ...base, origin }), String(origin)).toBe(false);
  });

  it("compares the scheme for configured origins", () => {
    expect(isSameOrigin({ origin: "http://dash.example.com", host: "127.0.0.1:3000", publicUrl: "https://dash.example.com" })).toBe(false);
  });
});
