import { describe, expect, it } from "vitest";
import { roleAtLeast } from "./roles";

describe("roleAtLeast", () => {
  it("orders viewer < developer < admin < owner", () => {
    expect(roleAtLeast("owner", "admin")).toBe(true);
    expect(roleAtLeast("admin", "admin")).toBe(true);
    expect(roleAtLeast("developer", "admin")).toBe(false);
    expect(roleAtLeast("viewer", "developer")).toBe(false);
    expect(roleAtLeast("developer", "viewer")).toBe(true);
  });
});
