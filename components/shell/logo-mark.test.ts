import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import manifest from "@/app/manifest";
import { logoSvg } from "./logo-mark";

const pub = (f: string) => path.resolve(import.meta.dirname, "../../public", f.replace(/^\//, ""));

describe("product icon", () => {
  it("public/icon.svg is the header's mark (regenerate with scripts/make-icons.ts)", () => {
    expect(readFileSync(pub("icon.svg"), "utf8")).toBe(logoSvg());
  });

  it("favicon.ico holds 16, 32 and 48 px PNG images", () => {
    const ico = readFileSync(pub("favicon.ico"));
    expect(ico.readUInt16LE(2)).toBe(1);
    const n = ico.readUInt16LE(4);
    const sizes = [];
    for (let i = 0; i < n; i++) {
      const e = 6 + 16 * i;
      const offset = ico.readUInt32LE(e + 12);
      expect(ico.subarray(offset, offset + 8).toString("latin1")).toBe("\x89PNG\r\n\x1a\n");
      sizes.push(ico.readUInt8(e));
    }
    expect(sizes).toEqual([16, 32, 48]);
  });

  it("every icon the manifest names exists, with the size it claims", () => {
    for (const icon of manifest().icons ?? []) {
      expect(existsSync(pub(icon.src)), icon.src).toBe(true);
      const m = icon.sizes?.match(/^(\d+)x(\d+)$/);
      if (m) {
        const png = readFileSync(pub(icon.src));
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([Number(m[1]), Number(m[2])]);
      }
    }
  });
});
