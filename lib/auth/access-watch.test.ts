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
});
