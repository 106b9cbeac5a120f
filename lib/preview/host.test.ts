import { describe, expect, it } from "vitest";
import { appsLabelOf, parseLabel, parsePreviewPath, previewLabel, previewOrigin, LABEL_MAX } from "./host";

const cfg = { domain: "localhost", protocol: "http:", portSuffix: ":3000" };
const box = { id: "0f8fad5b-d9cb-469f-a165-70867728950e", name: "web" };

describe("preview hosts", () => {
  it("builds and parses <port>--<devbox>--<team>", () => {
    expect(previewOrigin(8080, box, "acme", cfg)).toBe("http://8080--web--acme.localhost:3000");
    expect(appsLabelOf("8080--web--acme.localhost:3000", cfg)).toBe("8080--web--acme");
    expect(parseLabel("8080--web--acme")).toEqual({ kind: "names", port: 8080, devbox: "web", team: "acme" });
  });

  it("a name containing -- takes the id form; a label that splits more than one way names nothing", () => {
    // `api--v2` of `acme` and `api` of a team `v2--acme` would share `80--api--v2--acme`.
    expect(previewLabel(80, { ...box, name: "api--v2" }, "acme")).toBe("80--0f8fad5bd9cb469fa16570867728950e");
    expect(previewLabel(80, box, "v2--acme")).toBe("80--0f8fad5bd9cb469fa16570867728950e");
    expect(parseLabel("80--api--v2--acme")).toBeNull();
    expect(parseLabel("80--a---b")).toBeNull();
  });

  it("falls back to the devbox id when the label would exceed 63 characters", () => {
    const long = { ...box, name: "a".repeat(40) };
    const label = previewLabel(65535, long, "t".repeat(40));
    expect(label).toBe("65535--0f8fad5bd9cb469fa16570867728950e");
    expect(label.length).toBeLessThanOrEqual(LABEL_MAX);
    expect(parseLabel(label)).toEqual({ kind: "id", port: 65535, devboxId: box.id });
  });

  it("refuses what is not a preview host", () => {
    expect(appsLabelOf("localhost:3000", cfg)).toBeNull();
    expect(appsLabelOf("a.b.localhost", cfg)).toBeNull();
    expect(appsLabelOf("evil.example", cfg)).toBeNull();
    expect(parseLabel("web--acme")).toBeNull();
    expect(parseLabel("0--web--acme")).toBeNull();
    expect(parseLabel("70000--web--acme")).toBeNull();
    expect(parseLabel("8080--web")).toBeNull();
  });

  it("parses the path fallback", () => {
    expect(parsePreviewPath("/p/acme/web/8080/a/b?x=1")).toMatchObject({ team: "acme", devbox: "web", port: 8080, rest: "/a/b?x=1", needsSlash: false });
    expect(parsePreviewPath("/p/acme/web/8080")).toMatchObject({ rest: "/", needsSlash: true });
    expect(parsePreviewPath("/p/acme/web/x/")).toBeNull();
  });
});
