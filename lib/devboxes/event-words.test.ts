import { describe, expect, it } from "vitest";
import { explainEvent } from "./event-words";

describe("explainEvent", () => {
  it("says what an eviction or an OOM kill means; other reasons are left as they are", () => {
    expect(explainEvent("Evicted").explanation).toMatch(/stopped this devbox to get resources back/);
    expect(explainEvent("OOMKilling").explanation).toMatch(/more memory than its limit/);
    expect(explainEvent("Pulled")).toEqual({});
    expect(explainEvent("constructor")).toEqual({}); // not an inherited property
  });
});
