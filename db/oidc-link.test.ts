import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { eq } from "drizzle-orm";
import { apiTokens } from "./schema/api-tokens";
import { userIdentities } from "./schema/user-identities";
import { userSshKeys } from "./schema/user-ssh-keys";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { resolveOidcSignIn } from "@/lib/auth/oidc-link";
import { authenticateToken, createToken } from "@/lib/tokens/service";

const issuer = "https://idp.example.com";

describe.each(testBackends())("OIDC account linking on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(users).values({ id: "ada", email: "ada@example.com", name: "Ada" });
  });
  afterAll(async () => close?.());

  it("refuses to link an existing account by an unverified email, and links it by a verified one", async () => {
    expect(await resolveOidcSignIn(db, { issuer, subject: "attacker", email: "ADA@example.com", emailVerified: false })).toEqual({ refused: "OidcUnverifiedEmail" });
    expect(await resolveOidcSignIn(db, { issuer, subject: "attacker", email: "ada@example.com" })).toEqual({ refused: "OidcUnverifiedEmail" });
    expect(await db.select().from(userIdentities)).toHaveLength(0);

    expect(await resolveOidcSignIn(db, { issuer, subject: "sub-ada", email: "ada@example.com", emailVerified: true })).toEqual({ userId: "ada" });
    expect(await db.select().from(userIdentities)).toEqual([expect.objectContaining({ issuer, subject: "sub-ada", userId: "ada" })]);
  });

  it("signs in by (issuer, subject) afterwards, even when the provider now reports another email", async () => {
    expect(await resolveOidcSignIn(db, { issuer, subject: "sub-ada", email: "renamed@example.com", emailVerified: false })).toEqual({ userId: "ada" });
    // The same subject at another issuer is another identity.
    expect(await resolveOidcSignIn(db, { issuer: "https://other.example.com", subject: "sub-ada", email: "ada@example.com", emailVerified: false })).toEqual({
      refused: "OidcUnverifiedEmail",
    });
  });
  it("an account squatted with a password before its owner came through the IdP: the owner gets it, the squatter's credentials die", async () => {
    // Sign-up verifies no email: someone registers grace@example.com first, with a password, a token and a key of theirs.
    const [squat] = await db.insert(users).values({ id: "squat", email: "grace@example.com", name: "Grace?", passwordHash: "$argon2id$squatter" }).returning();
    const { token } = await createToken(db, squat, { name: "kept", scopes: ["admin"] });
    await db.insert(userSshKeys).values({ userId: "squat", name: "k", publicKey: "ssh-ed25519 AAAA", fingerprint: "SHA256:x" });
    // Grace signs in with the IdP, which verified the address: she gets the account…
    expect(await resolveOidcSignIn(db, { issuer, subject: "sub-grace", email: "grace@example.com", emailVerified: true })).toEqual({ userId: "squat" });
    const [after] = await db.select().from(users).where(eq(users.id, "squat"));
    // …and nothing the unverified password holder set up works any more.
    expect(after.passwordHash).toBeNull();
    expect(after.sessionVersion).toBe(squat.sessionVersion + 1);
    expect(await authenticateToken(db, token).catch((e: Error) => e.message)).toMatch(/revoked/);
    expect(await db.select().from(userSshKeys).where(eq(userSshKeys.userId, "squat"))).toEqual([]);
    expect((await db.select().from(apiTokens).where(eq(apiTokens.userId, "squat"))).every((t) => t.revokedAt)).toBe(true);
  });
});
