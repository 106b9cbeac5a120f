import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration } from "./format";
import { parseImageRef } from "./registry";
import { containerIdOf, removalRequestId, repositoryOf, tagFor } from "./service";

describe("snapshot naming", () => {
  it("one repository per devbox, tags derived from the request id (a retry writes the same tag)", () => {
    expect(repositoryOf({ namespace: "devbox-acme", name: "web" })).toBe("devbox-acme/web");
    const id = removalRequestId("d1", "uid-1");
    expect(id).toBe("final-d1-uid-1");
    expect(tagFor(id)).toBe(tagFor("final-d1-uid-1"));
    expect(tagFor(id)).not.toBe(tagFor(removalRequestId("d1", "uid-2")));
    expect(tagFor(id)).toMatch(/^s-[0-9a-f]{20}$/);
  });
  it("parses image references with a port, a tag or a digest", () => {
    expect(parseImageRef("127.0.0.1:5000/devbox-acme/web:s-1")).toEqual({ host: "127.0.0.1:5000", repository: "devbox-acme/web", reference: "s-1" });
    expect(parseImageRef("127.0.0.1:5000/devbox/base@sha256:ab")).toEqual({ host: "127.0.0.1:5000", repository: "devbox/base", reference: "sha256:ab" });
    expect(parseImageRef("reg.example/team/box")).toEqual({ host: "reg.example", repository: "team/box", reference: "latest" });
  });
  it("finds the devbox container's containerd id only once it exists", () => {
    expect(containerIdOf({ status: { containerStatuses: [{ name: "devbox", containerID: "containerd://abc", image: "", imageID: "", ready: true, restartCount: 0 }] } })).toBe("abc");
    expect(containerIdOf({ status: { containerStatuses: [{ name: "devbox", image: "", imageID: "", ready: false, restartCount: 0 }] } })).toBeUndefined();
    expect(containerIdOf({})).toBeUndefined();
  });
  it("formats sizes and durations for people", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(500 * 1024 * 1024)).toBe("500 MB");
    expect(formatDuration(412)).toBe("412 ms");
    expect(formatDuration(4200)).toBe("4.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
});
