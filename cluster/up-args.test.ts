// `devbox-cluster up`'s argument parsing (lib/lifecycle.sh cmd_up). Bad arguments are refused
// before preflight, so nothing is started; the state dir points at an empty temp dir all the same.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = path.join(import.meta.dirname, "devbox-cluster");
const stateDir = mkdtempSync(path.join(os.tmpdir(), "devbox-up-args-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function up(...args: string[]) {
  const r = spawnSync("bash", [script, "up", ...args], {
    env: { ...process.env, DEVBOX_CLUSTER_DIR: stateDir },
    encoding: "utf8",
    timeout: 10_000,
  });
  return { code: r.status, signal: r.signal, err: r.stderr };
}

describe("devbox-cluster up arguments", () => {
  it("refuses --nodes without a value instead of looping on it", () => {
    const r = up("--nodes");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.err).toContain("--nodes needs a value");
  });

  it("refuses a node count other than 1 or 2, and unknown arguments", () => {
    expect(up("--nodes", "3")).toMatchObject({ code: 2, err: expect.stringContaining("--nodes takes 1 or 2") });
    expect(up("--nodes=0")).toMatchObject({ code: 2, err: expect.stringContaining("--nodes takes 1 or 2") });
    expect(up("--bogus")).toMatchObject({ code: 2, err: expect.stringContaining("unknown argument '--bogus'") });
  });
});
