import { describe, expect, it } from "vitest";
import { primaryControl } from "./lifecycle-control";

describe("the start/stop button", () => {
  it("offers the opposite only once the devbox has settled", () => {
    expect(primaryControl("running", "Running")).toMatchObject({ action: "stop", label: "Stop", busy: false });
    expect(primaryControl("stopped", "Stopped")).toMatchObject({ action: "start", label: "Start", busy: false });
    expect(primaryControl("running", "Error")).toMatchObject({ action: "stop", label: "Stop" });
  });

  it("keeps saying what is under way after Stop is pressed: no silent Start while it stops", () => {
    // The click is in flight: the page still shows Running.
    expect(primaryControl("running", "Running", "stop")).toMatchObject({ label: "Stopping…", disabled: true });
    // Asked to stop, still snapshotting: same label; a click asks before it reverses anything.
    const stopping = primaryControl("stopped", "Stopping");
    expect(stopping).toMatchObject({ label: "Stopping…", busy: true });
    expect(stopping.confirm).toBeDefined();
  });

  it("keeps saying what is under way after Start is pressed", () => {
    expect(primaryControl("stopped", "Stopped", "start")).toMatchObject({ label: "Starting…", disabled: true });
    for (const state of ["Starting", "Creating", "Restarting"] as const) {
      const c = primaryControl("running", state);
      expect(c).toMatchObject({ label: `${state}…`, busy: true, action: "stop" });
      expect(c.confirm).toBeDefined();
    }
  });

  it("is disabled while the devbox is deleted", () => {
    expect(primaryControl("deleted", "Deleting")).toMatchObject({ disabled: true });
  });
});
