import { describe, expect, it } from "vitest";
import { parseBytes, parseCpuMillis, parseMiB } from "./quantity";

describe("quantities", () => {
  it("parses CPU", () => {
    expect(parseCpuMillis("500m")).toBe(500);
    expect(parseCpuMillis("2")).toBe(2000);
    expect(parseCpuMillis("1.5")).toBe(1500);
    expect(parseCpuMillis("250000000n")).toBe(250); // the Metrics API's unit
    expect(parseCpuMillis("1500u")).toBe(1.5);
    expect(() => parseCpuMillis("2Gi")).toThrow();
  });
  it("parses bytes in binary and decimal units", () => {
    expect(parseMiB("16Gi")).toBe(16384);
    expect(parseBytes("1k")).toBe(1000);
    expect(parseBytes("512")).toBe(512);
    expect(parseMiB("256Mi")).toBe(256);
    expect(() => parseBytes("lots")).toThrow();
  });
});
