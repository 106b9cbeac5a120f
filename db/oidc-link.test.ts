import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { userIdentities } from "./schema/user-identities";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { resolveOidcSignIn } from "@/lib/auth/oidc-link";

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
});
