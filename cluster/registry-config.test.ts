// The registry's config.yml as lib/registry.sh renders it for each storage setting (no cluster
// needed: `registry.sh config` prints it without touching any state).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const script = path.join(import.meta.dirname, "lib/registry.sh");

function render(env: Record<string, string>, ...args: string[]) {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith("DEVBOX_REGISTRY")) delete clean[k];
  const r = spawnSync("bash", [script, "config", ...args], { env: { ...clean, ...env }, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("registry config (lib/registry.sh)", () => {
  it("keeps the filesystem store by default", () => {
    const r = render({}, ":5000", "/var/lib/registry");
    expect(r.code).toBe(0);
    expect(r.out).toContain("storage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n  delete:\n    enabled: true\n");
    expect(r.out).toContain("  addr: :5000\n");
    expect(r.out).not.toContain("s3:");
  });

  it("renders S3 with a path-style endpoint, TLS from its scheme, the prefix, and no keys", () => {
    const r = render({
      DEVBOX_REGISTRY_STORAGE: "s3",
      DEVBOX_REGISTRY_S3_BUCKET: "devbox-images",
      DEVBOX_REGISTRY_S3_ENDPOINT: "https://s3.example.internal:9000/",
      DEVBOX_REGISTRY_S3_REGION: "eu-west-3",
      DEVBOX_REGISTRY_S3_ROOT: "/team/registry",
      DEVBOX_REGISTRY_S3_ACCESS_KEY: "AKIDEXAMPLE",
      DEVBOX_REGISTRY_S3_SECRET_KEY: "not-in-the-config",
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      [
        "  s3:",
        "    bucket: devbox-images",
        "    region: eu-west-3",
        "    regionendpoint: https://s3.example.internal:9000",
        "    forcepathstyle: true",
        "    secure: true",
        "    rootdirectory: /team/registry",
        "    v4auth: true",
        "  redirect:",
      ].join("\n"),
    );
    expect(r.out).not.toMatch(/AKIDEXAMPLE|not-in-the-config|accesskey|secretkey/);
    expect(r.out).not.toContain("filesystem:");
  });

  it("talks to AWS S3 itself without an endpoint (virtual-host style, TLS)", () => {
    const r = render({ DEVBOX_REGISTRY_STORAGE: "s3", DEVBOX_REGISTRY_S3_BUCKET: "devbox-images" });
    expect(r.code).toBe(0);
    expect(r.out).toContain("    bucket: devbox-images\n    region: us-east-1\n    rootdirectory: /\n");
    expect(r.out).not.toMatch(/regionendpoint|forcepathstyle|secure:/);
  });

  it.each([
    [{ DEVBOX_REGISTRY_STORAGE: "gcs" }, "DEVBOX_REGISTRY_STORAGE must be filesystem or s3"],
    [{ DEVBOX_REGISTRY_STORAGE: "s3" }, "needs DEVBOX_REGISTRY_S3_BUCKET"],
    [{ DEVBOX_REGISTRY_STORAGE: "s3", DEVBOX_REGISTRY_S3_BUCKET: "Devbox_Images" }, "is not an S3 bucket name"],
    [{ DEVBOX_REGISTRY_STORAGE: "s3", DEVBOX_REGISTRY_S3_BUCKET: "b12", DEVBOX_REGISTRY_S3_ENDPOINT: "127.0.0.1:9000" }, "must be http(s)://host[:port]"],
    [{ DEVBOX_REGISTRY_STORAGE: "s3", DEVBOX_REGISTRY_S3_BUCKET: "b12", DEVBOX_REGISTRY_S3_ENDPOINT: "http://h/path" }, "must be http(s)://host[:port]"],
    [{ DEVBOX_REGISTRY_STORAGE: "s3", DEVBOX_REGISTRY_S3_BUCKET: "b12", DEVBOX_REGISTRY_S3_ROOT: "a b" }, "DEVBOX_REGISTRY_S3_ROOT may hold only"],
  ])("refuses %o", (env, message) => {
    const r = render(env);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(r.out).toBe("");
  });
});
