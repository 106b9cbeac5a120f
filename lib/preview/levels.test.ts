import { describe, expect, it } from "vitest";
import { decide, effectiveLevel, type LinkState, type Viewer } from "./levels";

const creator: Viewer = { userId: "c", role: "developer" };
const member: Viewer = { userId: "m", role: "viewer" };
const other: Viewer = { userId: "o", role: null };
const anon: Viewer = null;

describe("preview access rule", () => {
  // [level, viewer, link, expected]
  const table: [Parameters<typeof decide>[0], Viewer, LinkState, string][] = [
    ["private", creator, "none", "allow"],
    ["private", member, "none", "forbidden"],
    ["private", other, "none", "not_found"],
    ["private", anon, "none", "signin"],
    ["private", anon, "valid", "signin"],
    ["team", creator, "none", "allow"],
    ["team", member, "none", "allow"],
    ["team", other, "none", "not_found"],
    ["team", anon, "none", "signin"],
    ["link", member, "none", "allow"],
    ["link", other, "none", "not_found"],
    ["link", anon, "none", "signin"],
    ["link", anon, "valid", "allow"],
    ["link", other, "valid", "allow"],
    ["link", anon, "expired", "link_expired"],
    ["link", anon, "revoked", "link_revoked"],
    ["link", member, "revoked", "allow"],
    ["link", anon, "creator_gone", "link_creator_gone"],
    ["link", member, "creator_gone", "allow"],
    ["public", anon, "none", "allow"],
    ["public", other, "none", "allow"],
  ];
  it.each(table)("%s × %j × link %s → %s", (level, viewer, link, want) => {
    expect(decide(level, viewer, "c", link)).toBe(want);
  });

  it("caps the stored level by team and instance maxima", () => {
    expect(effectiveLevel("public", "link", undefined)).toBe("link");
    expect(effectiveLevel("public", undefined, "team")).toBe("team");
    expect(effectiveLevel("team", "public", "public")).toBe("team");
  });
});
