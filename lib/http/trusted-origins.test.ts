import { describe, expect, it } from "vitest";
import { isTrustedHost, isTrustedOrigin, trustedOrigins } from "./trusted-origins";

const env = { NEXTAUTH_URL: "https://dash.example.com/some/path", DEVBOX_TRUSTED_ORIGINS: " http://localhost:3300 ,bogus, ftp://x" } as unknown as NodeJS.ProcessEnv;

describe("trusted origins", () => {
  it("are NEXTAUTH_URL's origin and DEVBOX_TRUSTED_ORIGINS, malformed entries ignored", () => {
    expect([...trustedOrigins(env)]).toEqual(["https://dash.example.com", "http://localhost:3300"]);
  });

  it("accept exactly a configured Origin", () => {
    expect(isTrustedOrigin("https://dash.example.com", env)).toBe(true);
    expect(isTrustedOrigin("http://localhost:3300", env)).toBe(true);
    expect(isTrustedOrigin("HTTPS://DASH.EXAMPLE.COM", env)).toBe(true);
  });

  it("refuse other ports, schemes, siblings, look-alikes, opaque and missing origins", () => {
    for (const origin of [
      "http://localhost:8080",
      "http://dash.example.com",
      "https://dash.example.com:8443",
      "https://app.example.com",
      "https://dash.example.com.evil.example",
      "https://evil.example/dash.example.com",
      "https://dash.example.com/path",
      "https://user@dash.example.com",
      "http://attacker.example:3300",
      "null",
      "",
      undefined,
    ])
      expect(isTrustedOrigin(origin, env), String(origin)).toBe(false);
  });

  it("accept only configured Hosts: a rebinding name is refused even on the right port", () => {
    expect(isTrustedHost("dash.example.com", env)).toBe(true);
    expect(isTrustedHost("localhost:3300", env)).toBe(true);
    expect(isTrustedHost("LOCALHOST:3300", env)).toBe(true);
    for (const host of ["attacker.example:3300", "127.0.0.1:3300", "localhost:3301", "dash.example.com.evil.example", "localhost:3300/x", "user@localhost:3300", "", undefined])
      expect(isTrustedHost(host, env), String(host)).toBe(false);
  });
});
