import { describe, expect, it } from "vitest";
import { coresToMillis, formatCommandLines, formatEnvLines, parseCommandLines, parseEnvLines } from "./settings-text";

describe("app settings as typed in a form", () => {
  it("reads NAME=value lines, keeping the value as typed (spaces, '=', quotes)", () => {
    const r = parseEnvLines("GREETING=hello world\n\n# a comment\n  URL=http://x/?a=b\nQUOTED=\"kept\"\nEMPTY=");
    expect(r).toEqual({
      ok: true,
      value: [
        { name: "GREETING", value: "hello world" },
        { name: "URL", value: "http://x/?a=b" },
        { name: "QUOTED", value: '"kept"' },
        { name: "EMPTY", value: "" },
      ],
    });
    expect(parseEnvLines("")).toEqual({ ok: true, value: [] });
  });

  it("names the line of a mistake", () => {
    expect(parseEnvLines("A=1\nnovalue")).toEqual({ ok: false, error: 'Line 2: "novalue" has no "=": write NAME=value.' });
    expect(parseEnvLines("1A=x")).toMatchObject({ ok: false, error: expect.stringContaining('Line 1: "1A" is not a variable name') });
    expect(parseEnvLines("A=1\nA=2")).toEqual({ ok: false, error: "Line 2: A is set twice." });
  });

  it("round-trips env and command through their text forms", () => {
    const env = [{ name: "A", value: "x=y" }, { name: "B", value: " padded " }];
    expect(parseEnvLines(formatEnvLines(env))).toEqual({ ok: true, value: env });
    expect(parseCommandLines(formatCommandLines(["python3", "-m", "http.server", "8000"]))).toEqual(["python3", "-m", "http.server", "8000"]);
    expect(parseCommandLines(" \n\n")).toBeNull();
    expect(formatCommandLines(null)).toBe("");
  });

  it("turns cores into millicores, refusing what is not a positive number", () => {
    expect(coresToMillis("0.25")).toBe(250);
    expect(coresToMillis(" 2 ")).toBe(2000);
    expect(coresToMillis("")).toBeUndefined();
    expect(coresToMillis("0")).toBeUndefined();
    expect(coresToMillis("lots")).toBeUndefined();
  });
});
