import { CoreV1Api } from "@kubernetes/client-node";
import type { Team } from "@/db/schema/teams";
import { AppError } from "@/lib/errors";
import { kubeConfig } from "@/lib/k8s/config";
import { parseCpuMillis, parseMiB } from "@/lib/k8s/quantity";
import { QUOTA_NAME } from "@/lib/k8s/team-namespace";

export interface AppFootprint {
  replicas: number;
  cpuMillis: number;
  memoryMiB: number;
}

/** Limits an app holds in the namespace, counting the one extra Pod a rolling update adds (maxSurge 1). */
const need = (a: AppFootprint, surge: boolean) => {
  const pods = a.replicas + (surge && a.replicas > 0 ? 1 : 0);
  return { pods, cpuMillis: pods * a.cpuMillis, memoryMiB: pods * a.memoryMiB };
};

/**
 * Refuses, before anything is created or changed, an app that would not fit in the team's
 * ResourceQuota next to what already runs there (devboxes and apps alike: Kubernetes' own `used`).
 * `current` is what the app holds now (an update only needs the difference).
 */
export async function assertAppFitsQuota(team: Team, wanted: AppFootprint, current?: AppFootprint): Promise<void> {
  let hard: Record<string, string> = {};
  let used: Record<string, string> = {};
  try {
    const q = await kubeConfig().makeApiClient(CoreV1Api).readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: team.namespace });
    hard = q.status?.hard ?? q.spec?.hard ?? {};
    used = q.status?.used ?? {};
  } catch {
    return; // no quota readable: Kubernetes still enforces whatever there is
  }
  const w = need(wanted, true);
  const c = current ? need(current, false) : { pods: 0, cpuMillis: 0, memoryMiB: 0 };
  const over: string[] = [];
  const check = (label: string, key: string, parse: (q: string) => number, delta: number, fmt: (n: number) => string) => {
    if (!(key in hard) || delta <= 0) return;
    const free = parse(hard[key]) - parse(used[key] ?? "0");
    if (delta > free) over.push(`${label}: ${fmt(delta)} more needed, ${fmt(Math.max(0, free))} of ${fmt(parse(hard[key]))} free`);
  };
  check("CPU", "limits.cpu", parseCpuMillis, w.cpuMillis - c.cpuMillis, (m) => `${m / 1000} CPU`);
  check("memory", "limits.memory", parseMiB, w.memoryMiB - c.memoryMiB, (m) => `${Math.round(m)} MiB`);
  check("pods", "pods", Number, w.pods - c.pods, String);
  if (over.length)
    throw new AppError("quota_exceeded", `This app does not fit in the team's quota (${over.join("; ")}; a rolling update needs room for one extra replica). Ask for fewer replicas or less, or stop something.`);
}
