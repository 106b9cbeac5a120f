import { describe, expect, it } from "vitest";
import { revocationReason } from "./access-watch";

describe("revocationReason", () => {
  const grant = { userId: "u", sessionVersion: 2, teamId: "t", minRole: "developer" as const };
  it("keeps a grant whose user, session version and role still hold", () => {
    expect(revocationReason(grant, { sessionVersion: 2 }, "developer")).toBeNull();
    expect(revocationReason(grant, { sessionVersion: 2 }, "owner")).toBeNull();
  });
  it("revokes on a deleted user, a newer session version, a lost membership or a lowered role", () => {
    expect(revocationReason(grant, undefined, "owner")).toMatch(/deleted/);
    expect(revocationReason(grant, { sessionVersion: 3 }, "owner")).toMatch(/signed out everywhere/);
    expect(revocationReason(grant, { sessionVersion: 2 }, undefined)).toMatch(/no longer a member/);
    expect(revocationReason(grant, { sessionVersion: 2 }, "viewer")).toMatch(/role .* changed/);
  });
  it("a grant made with an API token also ends with the token's revocation or expiry", () => {
    const viaToken = { ...grant, tokenId: "tok" };
    const now = Date.parse("2026-01-01T00:00:00Z");
    const live = { revokedAt: null, expiresAt: new Date(now + 60_000) };
    expect(revocationReason(viaToken, { sessionVersion: 2 }, "developer", live, now)).toBeNull();
    expect(revocationReason(viaToken, { sessionVersion: 2 }, "developer", { ...live, revokedAt: new Date(now) }, now)).toMatch(/token was revoked or expired/);
    expect(revocationReason(viaToken, { sessionVersion: 2 }, "developer", { ...live, expiresAt: new Date(now) }, now)).toMatch(/token was revoked or expired/);
    expect(revocationReason(viaToken, { sessionVersion: 2 }, "developer", undefined, now)).toMatch(/token was revoked or expired/);
    // A cookie grant does not look at tokens.
    expect(revocationReason(grant, { sessionVersion: 2 }, "developer", undefined, now)).toBeNull();
  });
});
