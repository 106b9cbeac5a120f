import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { isDnsLabel, slugify, validateTeamSlug } from "./names";

describe("validateTeamSlug", () => {
  it.each(["a", "team-1", "0abc", "x".repeat(40)])("accepts %s", (s) => {
    expect(validateTeamSlug(s)).toBe(s);
  });

  it.each([
    ["", /Choose a team name/],
    ["Team", /lower-case/],
    ["-team", /start and end/],
    ["team-", /start and end/],
    ["te_am", /lower-case/],
    ["te am", /lower-case/],
    ["x".repeat(41), /at most 40/],
    ["a.b", /lower-case/],
  ])("rejects %j with a message for the slug field", (s, message) => {
    try {
      validateTeamSlug(s);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("bad_request");
      expect((err as AppError).field).toBe("slug");
      expect((err as AppError).message).toMatch(message);
    }
  });
});

describe("slugify", () => {
  it("turns free text into a DNS label", () => {
    expect(slugify("Jane.Doe+dev")).toBe("jane-doe-dev");
    expect(slugify("  Ünïcode Team  ")).toBe("unicode-team");
    expect(slugify("___")).toBe("team");
    expect(isDnsLabel(slugify("a".repeat(100)))).toBe(true);
  });

  it("never ends with a dash after truncation", () => {
    expect(slugify("abcd-efgh", 5)).toBe("abcd");
  });
});
