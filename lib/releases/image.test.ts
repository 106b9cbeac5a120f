import { describe, expect, it } from "vitest";
import { devboxImageConfig, RELEASE_ID_LABEL, releaseImageConfig } from "./image";

const base = {
  architecture: "amd64",
  os: "linux",
  config: { User: "1000:1000", Env: ["PATH=/usr/bin:/bin", "LANG=en_US.UTF-8"], Entrypoint: ["/usr/bin/tini", "--"], Cmd: ["sleep", "infinity"], WorkingDir: "/home/devbox/project", Labels: { a: "b" } },
  rootfs: { type: "layers", diff_ids: ["sha256:1", "sha256:2"] },
  history: [{ created_by: "x" }],
};
const release = { releaseId: "r1", tag: "v1.2.0", devbox: "web", entrypoint: ["/home/devbox/project/entrypoint.sh"], cmd: [], workingDir: "/srv", env: [{ name: "LANG", value: "C.UTF-8" }, { name: "MODE", value: "prod" }], ports: [{ port: 8000 }, { port: 9000 }] };

describe("release image config", () => {
  it("keeps tini as PID 1 in front of the entrypoint, sets workdir, env (overriding by name), ports and labels; layers untouched", () => {
    const c = releaseImageConfig(base, release);
    expect(c.config).toMatchObject({
      User: "1000:1000",
      Entrypoint: ["/usr/bin/tini", "--", "/home/devbox/project/entrypoint.sh"],
      Cmd: null,
      WorkingDir: "/srv",
      Env: ["PATH=/usr/bin:/bin", "LANG=C.UTF-8", "MODE=prod"],
      ExposedPorts: { "8000/tcp": {}, "9000/tcp": {} },
      Labels: { a: "b", [RELEASE_ID_LABEL]: "r1", "dev.devbox.release": "v1.2.0", "dev.devbox.devbox": "web" },
    });
    expect(c.rootfs).toEqual(base.rootfs);
    expect(c.history).toHaveLength(2);
    expect(c.history![1]).toMatchObject({ empty_layer: true, created_by: "devbox release" });
    // deterministic: a resumed build writes the same config
    expect(JSON.stringify(releaseImageConfig(base, release))).toBe(JSON.stringify(c));
  });

  it("a devbox started from a release runs the devbox main process again", () => {
    const c = devboxImageConfig(releaseImageConfig(base, release));
    expect(c.config).toMatchObject({ Entrypoint: ["/usr/bin/tini", "--"], Cmd: ["sleep", "infinity"] });
    expect(c.config!.Labels).not.toHaveProperty(RELEASE_ID_LABEL);
  });
});
