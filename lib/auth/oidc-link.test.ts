import { describe, expect, it } from "vitest";
import { decideOidcSignIn } from "./oidc-link";

describe("decideOidcSignIn", () => {
  it("signs in the account linked to (issuer, subject), whatever email is reported now", () => {
    expect(decideOidcSignIn({ linkedUserId: "u1", email: "other@example.com", emailVerified: false, emailUserId: "u2" })).toEqual({
      kind: "signIn",
      userId: "u1",
    });
  });
  it("links an existing account by email only when the provider verified it", () => {
    expect(decideOidcSignIn({ email: "ada@example.com", emailVerified: true, emailUserId: "u1" })).toEqual({ kind: "link", userId: "u1" });
    expect(decideOidcSignIn({ email: "ada@example.com", emailVerified: false, emailUserId: "u1" })).toEqual({ kind: "refuse", code: "OidcUnverifiedEmail" });
    expect(decideOidcSignIn({ email: "ada@example.com", emailUserId: "u1" })).toEqual({ kind: "refuse", code: "OidcUnverifiedEmail" });
  });
  it("creates an account for a new verified email, refuses an unverified or missing one", () => {
    expect(decideOidcSignIn({ email: "new@example.com", emailVerified: true })).toEqual({ kind: "create", email: "new@example.com" });
    expect(decideOidcSignIn({ email: "new@example.com", emailVerified: "true" })).toEqual({ kind: "create", email: "new@example.com" });
    expect(decideOidcSignIn({ email: "new@example.com", emailVerified: false })).toEqual({ kind: "refuse", code: "OidcUnverifiedEmail" });
    expect(decideOidcSignIn({ email: "new@example.com", emailVerified: "false" })).toEqual({ kind: "refuse", code: "OidcUnverifiedEmail" });
    expect(decideOidcSignIn({ email: null, emailVerified: true })).toEqual({ kind: "refuse", code: "OidcNoEmail" });
  });
});
