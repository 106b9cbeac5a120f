import { describe, expect, it } from "vitest";
import { parseEnvLines, parsePortList, validateDevboxName, validateEnv, validatePorts, validateResources } from "./spec-input";

describe("devbox input", () => {
  it("accepts DNS-label names and refuses the rest with a field error", () => {
    expect(validateDevboxName(" web-1 ")).toBe("web-1");
    for (const bad of ["", "Web", "a_b", "-a", "a".repeat(41), "a.b", "x y"]) expect(() => validateDevboxName(bad)).toThrow(expect.objectContaining({ field: "name" }));
  });

  it("bounds resources", () => {
    expect(validateResources({ cpuMillis: 1000, memoryMiB: 2048, diskMiB: 10240 })).toBeTruthy();
    expect(() => validateResources({ cpuMillis: 100, memoryMiB: 2048, diskMiB: 10240 })).toThrow(/CPU must be between/);
    expect(() => validateResources({ cpuMillis: 1000, memoryMiB: 1e9, diskMiB: 10240 })).toThrow(expect.objectContaining({ field: "memoryMiB" }));
    expect(() => validateResources({ cpuMillis: 1000.5, memoryMiB: 2048, diskMiB: 10240 })).toThrow();
  });

  it("parses and checks env and ports", () => {
    expect(parseEnvLines("A=1\n# comment\n\nB=x=y")).toEqual([{ name: "A", value: "1" }, { name: "B", value: "x=y" }]);
    expect(() => parseEnvLines("novalue")).toThrow(/KEY=value/);
    expect(() => validateEnv([{ name: "1A", value: "" }])).toThrow(/not a valid variable name/);
    expect(() => validateEnv([{ name: "A", value: "" }, { name: "A", value: "" }])).toThrow(/twice/);
    expect(validatePorts(parsePortList("3000:http, 8080"))).toEqual([{ port: 3000, name: "http" }, { port: 8080, name: "port-8080" }]);
    expect(() => validatePorts(parsePortList("22"))).toThrow(/reserved/);
    expect(() => validatePorts(parsePortList("70000"))).toThrow(/between 1 and 65535/);
    expect(() => validatePorts(parsePortList("80, 80"))).toThrow(/twice/);
    expect(() => parsePortList("http")).toThrow(/not a port/);
  });
});
