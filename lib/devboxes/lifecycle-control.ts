import type { DevboxState } from "./status";

export type PrimaryAction = "start" | "stop";

export interface PrimaryControl {
  /** What a click asks for. */
  action: PrimaryAction;
  label: string;
  /** A transition is under way: the label says which, and it does not swap to the opposite. */
  busy: boolean;
  disabled: boolean;
  /** A click while busy asks first: it would reverse what is happening. */
  confirm?: { title: string; body: string; label: string };
}

/**
 * The devbox's start/stop button, from what was asked (desired state, or a click still in flight)
 * and what runs. Pure, so the rule "a second click never silently does the opposite" is tested.
 */
export function primaryControl(desired: "running" | "stopped" | "deleted", state: DevboxState, inFlight?: "start" | "stop" | "restart" | null): PrimaryControl {
  if (state === "Deleting" || desired === "deleted") return { action: "stop", label: "Deleting…", busy: true, disabled: true };
  // The click is on its way and the page does not show its effect yet.
  if (inFlight === "stop") return { action: "stop", label: "Stopping…", busy: true, disabled: true };
  if (inFlight === "start") return { action: "start", label: "Starting…", busy: true, disabled: true };
  if (inFlight === "restart") return { action: "stop", label: "Restarting…", busy: true, disabled: true };
  if (desired === "running") {
    if (state === "Running" || state === "Error") return { action: "stop", label: "Stop", busy: false, disabled: false };
    return {
      action: "stop",
      label: `${state}…`,
      busy: true,
      disabled: false,
      confirm: { title: "Stop it while it starts?", body: "It has not finished starting. Stopping now saves what it has and stops it.", label: "Stop" },
    };
  }
  if (state === "Stopped") return { action: "start", label: "Start", busy: false, disabled: false };
  return {
    action: "start",
    label: "Stopping…",
    busy: true,
    disabled: false,
    confirm: { title: "Start it again?", body: "It is still saving its changes and stopping. Starting now runs it again from that snapshot.", label: "Start" },
  };
}
