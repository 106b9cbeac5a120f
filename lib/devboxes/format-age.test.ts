import { describe, expect, it } from "vitest";
import { formatAge } from "./format-age";

describe("formatAge", () => {
  const t0 = "2026-01-01T10:00:00.000Z";
  const at = (sec: number) => Date.parse(t0) + sec * 1000;
  it("reads like a person would say it", () => {
    expect(formatAge(t0, at(5))).toBe("less than a minute");
    expect(formatAge(t0, at(5 * 60 + 10))).toBe("5 min");
    expect(formatAge(t0, at(3 * 3600 + 20 * 60))).toBe("3 h 20 min");
    expect(formatAge(t0, at(2 * 3600))).toBe("2 h");
    expect(formatAge(t0, at(3 * 86400))).toBe("3 days");
  });
  it("never goes negative when the clocks disagree a little", () => {
    expect(formatAge(t0, at(-3))).toBe("less than a minute");
  });
});
