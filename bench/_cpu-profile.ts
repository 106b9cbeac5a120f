// CPU profile of this process over one piece of work (the V8 profiler of `node --cpu-prof`,
// started and stopped around it through the inspector), and its top entries by self time.
// For benchmarks that want to show what their time goes to; not a benchmark (leading "_").
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  /** `function file:line`, or V8's own entries: (garbage collector), (program), (idle). */
  entry: string;
  ms: number;
  /** Share of the profiled time that was not idle. */
  percentOfBusy: number;
}

/** Runs `work` under the profiler; the profile is written to `file` (open it in Chrome DevTools). */
export async function profileWhile<T>(file: string, work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    const result = await work();
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    writeFileSync(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/**
 * The `n` entries with the most self time (time spent in them, not in what they call). The
 * profiler's own work (the inspector call that stops it and serializes the profile) is left out.
 */
export function topSelfTime(profile: CpuProfile, n: number): { busyMs: number; idleMs: number; top: SelfTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const profilerOwn = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)!.callFrame.url === "node:inspector") return true;
    return false;
  };
  const self = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    if (profilerOwn(profile.samples[i])) continue;
    const f = byId.get(profile.samples[i])!.callFrame;
    const file = f.url ? ` ${f.url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*?\/(?=[^/]+\/[^/]+$)/, "")}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"}${file}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const idleMs = self.get("(idle)") ?? 0;
  self.delete("(idle)");
  const busyMs = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([entry, ms]) => ({ entry, ms: Math.round(ms * 10) / 10, percentOfBusy: Math.round((ms / busyMs) * 1000) / 10 }));
  return { busyMs: Math.round(busyMs), idleMs: Math.round(idleMs), top };
}
