import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./callback-url";

const ORIGIN = "http://localhost:3000";

describe("safeCallbackPath", () => {
  it("keeps paths on our origin, with query and fragment", () => {
    expect(safeCallbackPath("/t/alpha/devboxes?x=1#top", ORIGIN)).toBe("/t/alpha/devboxes?x=1#top");
    expect(safeCallbackPath("http://localhost:3000/t/alpha", ORIGIN)).toBe("/t/alpha");
    expect(safeCallbackPath("t/alpha", ORIGIN)).toBe("/t/alpha");
  });

  it("turns every way off our origin into /", () => {
    for (const raw of [
      "/\\evil.example",
      decodeURIComponent("%2F%5Cevil.example"),
      "\\\\evil.example",
      "//evil.example",
      "/\t/evil.example",
      "https://evil.example/t/alpha",
      "http://localhost:3001/",
      "https://localhost:3000/",
      "javascript:alert(1)",
      "http://localhost:3000@evil.example/",
      "",
      null,
      undefined,
    ])
      expect(safeCallbackPath(raw, ORIGIN), String(raw)).toBe("/");
  });

  it("never returns a protocol-relative path", () => {
    expect(safeCallbackPath("/.//evil.example", ORIGIN)).toBe("/evil.example");
    expect(safeCallbackPath("/%2F%2Fevil.example", ORIGIN).startsWith("//")).toBe(false);
  });
});
