import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { testBackends } from "./test-backends";
import { hitLimit } from "@/lib/abuse/rate-limit";
import { limitCredentialsSignIn, refundSignInAttempt } from "@/lib/auth/signin-limit";
import { CLIENT_IP_HEADER } from "@/lib/http/client-ip";

/** A credentials sign-in as next-auth's client posts it. */
function signInRequest(email: string, ip: string): Request {
  return new Request("http://localhost:3000/api/auth/callback/credentials", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", [CLIENT_IP_HEADER]: ip },
    body: new URLSearchParams({ email, password: "wrong password 1", csrfToken: "x", json: "true" }),
  });
}

describe.each(testBackends())("rate limits on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(async () => close?.());

  it("refuses the 11th password attempt on an account within a minute with 429 and Retry-After", async () => {
    for (let i = 1; i <= 10; i++) expect(await limitCredentialsSignIn(db, signInRequest("ada@example.com", `10.0.0.${i}`))).toBeNull();
    const refused = await limitCredentialsSignIn(db, signInRequest("ADA@example.com", "10.0.0.99"));
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused?.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused!.json()) as { url: string; error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    // next-auth's signIn() reads the error from the url: the login form shows this sentence.
    expect(new URL(body.url).searchParams.get("error")).toMatch(/^Too many sign-in attempts\. Try again in \d+ seconds?\.$/);
    // Another account is not locked out by it.
    expect(await limitCredentialsSignIn(db, signInRequest("bob@example.com", "10.0.0.99"))).toBeNull();
  });

  it("DEVBOX_SIGNIN_WINDOW_SECONDS sets the window: Retry-After counts down from it", async () => {
    process.env.DEVBOX_SIGNIN_WINDOW_SECONDS = "600";
    try {
      for (let i = 0; i < 10; i++) expect(await limitCredentialsSignIn(db, signInRequest("dora@example.com", "10.2.0.1"))).toBeNull();
      const refused = await limitCredentialsSignIn(db, signInRequest("dora@example.com", "10.2.0.1"));
      expect(refused?.status).toBe(429);
      const retryAfter = Number(refused?.headers.get("Retry-After"));
      expect(retryAfter).toBeGreaterThan(60);
      expect(retryAfter).toBeLessThanOrEqual(600);
    } finally {
      delete process.env.DEVBOX_SIGNIN_WINDOW_SECONDS;
    }
  });

  it("counts only failures: a correct password takes its attempt back", async () => {
    for (let i = 0; i < 10; i++) expect(await limitCredentialsSignIn(db, signInRequest("carol@example.com", "10.1.0.1"))).toBeNull();
    await refundSignInAttempt(db, "carol@example.com", "10.1.0.1"); // the 10th was the right password
    expect(await limitCredentialsSignIn(db, signInRequest("carol@example.com", "10.1.0.1"))).toBeNull();
    expect((await limitCredentialsSignIn(db, signInRequest("carol@example.com", "10.1.0.1")))?.status).toBe(429);
  });

  it("limits one address across accounts", async () => {
    for (let i = 0; i < 60; i++) expect(await limitCredentialsSignIn(db, signInRequest(`spray-${i}@example.com`, "192.0.2.7"))).toBeNull();
    expect((await limitCredentialsSignIn(db, signInRequest("spray-x@example.com", "192.0.2.7")))?.status).toBe(429);
    expect(await limitCredentialsSignIn(db, signInRequest("spray-x@example.com", "192.0.2.8"))).toBeNull();
  });

  it("counts parallel attempts exactly and opens again in the next window", async () => {
    const limit = { name: "test", max: 5, windowSeconds: 60 };
    const t0 = new Date("2026-01-01T00:00:00Z");
    const states = await Promise.all(Array.from({ length: 12 }, () => hitLimit(db, limit, "s", t0)));
    expect(states.filter((s) => s.allowed)).toHaveLength(5);
    expect(states.map((s) => s.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const later = await hitLimit(db, limit, "s", new Date(t0.getTime() + 30_000));
    expect(later).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    expect(await hitLimit(db, limit, "s", new Date(t0.getTime() + 61_000))).toMatchObject({ allowed: true, count: 1 });
  });
});
