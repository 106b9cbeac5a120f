import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { sessionTokenFromCookies, userIdFromCookieHeader } from "./ws-session";

const secret = "test-secret-0123456789";

describe("websocket session cookie", () => {
  it("reads the user id from a valid session cookie among others", async () => {
    const token = await encode({ token: { uid: "u_123", email: "a@example.com" }, secret });
    expect(await userIdFromCookieHeader(`theme=dark; next-auth.session-token=${token}; x=1`, secret)).toBe("u_123");
  });

  it("on https only the __Host- cookie counts: a name a sibling host could set for the parent domain does not", async () => {
    const token = await encode({ token: { uid: "u_https" }, secret });
    const before = process.env.NEXTAUTH_URL;
    process.env.NEXTAUTH_URL = "https://devbox.example.com";
    try {
      expect(await userIdFromCookieHeader(`__Host-next-auth.session-token=${token}`, secret)).toBe("u_https");
      // A preview app on *.apps.example.com can set these with Domain=example.com (cookie tossing).
      expect(await userIdFromCookieHeader(`__Secure-next-auth.session-token=${token}`, secret)).toBeNull();
      expect(await userIdFromCookieHeader(`next-auth.session-token=${token}`, secret)).toBeNull();
      // next-auth sets the same name the websocket reads.
      const { authOptions } = await import("./options");
      expect(authOptions.cookies?.sessionToken).toEqual({ name: "__Host-next-auth.session-token", options: { httpOnly: true, sameSite: "lax", path: "/", secure: true } });
    } finally {
      if (before === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = before;
    }
    const { authOptions } = await import("./options");
    expect(authOptions.cookies?.sessionToken?.name).toBe("next-auth.session-token");
  });

  it("reassembles a chunked cookie", async () => {
    const token = await encode({ token: { uid: "u_chunked" }, secret });
    const mid = Math.floor(token.length / 2);
    const header = `next-auth.session-token.1=${token.slice(mid)}; next-auth.session-token.0=${token.slice(0, mid)}`;
    expect(sessionTokenFromCookies(header)).toBe(token);
    expect(await userIdFromCookieHeader(header, secret)).toBe("u_chunked");
  });

  it("refuses missing, tampered, foreign-secret and expired tokens", async () => {
    const token = await encode({ token: { uid: "u_1" }, secret });
    const expired = await encode({ token: { uid: "u_1" }, secret, maxAge: -60 });
    expect(await userIdFromCookieHeader(undefined, secret)).toBeNull();
    expect(await userIdFromCookieHeader("other=1", secret)).toBeNull();
    expect(await userIdFromCookieHeader(`next-auth.session-token=${token.slice(0, -3)}abc`, secret)).toBeNull();
    expect(await userIdFromCookieHeader(`next-auth.session-token=${token}`, "another-secret-xyz")).toBeNull();
    expect(await userIdFromCookieHeader(`next-auth.session-token=${expired}`, secret)).toBeNull();
    expect(await userIdFromCookieHeader(`next-auth.session-token=${await encode({ token: { sub: "x" }, secret })}`, secret)).toBeNull();
  });
});
