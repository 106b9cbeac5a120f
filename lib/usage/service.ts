import { CoreV1Api } from "@kubernetes/client-node";
import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apps } from "@/db/schema/apps";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { parseBytes, parseCpuMillis } from "@/lib/k8s/quantity";
import { QUOTA_NAME } from "@/lib/k8s/team-namespace";
import { deriveStatus } from "@/lib/devboxes/status";
import { teamSnapshotBytes, teamSnapshotQuotaBytes } from "@/lib/snapshots/quota";
import { WINDOW_RESOLUTION, type UsageWindow } from "./buckets";
import { latestMinute, readRows, teamConsumers } from "./queries";
import type { DevboxUsageView, TeamUsageView } from "./schemas";
import { toSeries } from "./series";
import { usageWarnings, type UsageWarning } from "./warnings";

/** A devbox's charts for the last hour or day, with its limits and warnings. */
export async function devboxUsage(db: Database, d: Devbox, window: UsageWindow, now = new Date()): Promise<DevboxUsageView> {
  const r = WINDOW_RESOLUTION[window];
  const [rows, warnings] = await Promise.all([readRows(db, d.id, r, now), devboxUsageWarnings(db, d, now)]);
  const s = toSeries(rows, r, now);
  return {
    window,
    resolutionSeconds: s.resolutionSeconds,
    limits: { cpuMillis: d.cpuMillis, memoryBytes: d.memoryMiB * 2 ** 20, diskBytes: d.diskMiB * 2 ** 20 },
    series: { t: s.t, cpuMillis: s.cpuMillis, memoryBytes: s.memoryBytes, diskBytes: s.diskBytes, rxBytesPerSec: s.rxBytesPerSec, txBytesPerSec: s.txBytesPerSec },
    warnings,
  };
}

/** Near a limit now (the last minute sampled); nothing for a devbox that should not run. */
export async function devboxUsageWarnings(db: Database, d: Devbox, now = new Date()): Promise<UsageWarning[]> {
  if (d.desiredState !== "running") return [];
  return usageWarnings(await latestMinute(db, d.id), d, now);
}

export async function teamUsage(db: Database, team: Team, now = new Date()): Promise<TeamUsageView> {
  const [boxes, appsRunning, snapshotBytes, consumers, quota] = await Promise.all([
    db.select().from(devboxes).where(eq(devboxes.teamId, team.id)),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(apps)
      .where(and(eq(apps.teamId, team.id), gt(apps.replicas, 0))),
    teamSnapshotBytes(db, team.id),
    teamConsumers(db, team.id, now),
    readQuotaUse(team.namespace),
  ]);
  const pods = devboxPodCache();
  const live = boxes.filter((d) => d.desiredState !== "deleted");
  return {
    devboxesRunning: live.filter((d) => deriveStatus(d, pods.podsOf(d.id)).state === "Running").length,
    devboxesTotal: live.length,
    appsRunning: appsRunning[0]?.n ?? 0,
    quota,
    snapshotStorage: { usedBytes: snapshotBytes, quotaBytes: teamSnapshotQuotaBytes() },
    topConsumers: consumers.map((c) => ({ name: c.name, cpuMillis: Math.round(c.cpuMillis), memoryBytes: c.memoryBytes })),
  };
}

async function readQuotaUse(namespace: string): Promise<TeamUsageView["quota"]> {
  try {
    const q = await kubeConfig().makeApiClient(CoreV1Api).readNamespacedResourceQuota({ name: QUOTA_NAME, namespace });
    const hard = q.status?.hard ?? q.spec?.hard ?? {};
    const used = q.status?.used ?? {};
    const pair = (key: string, parse: (s: string) => number) => ({ used: parse(used[key] ?? "0"), hard: key in hard ? parse(hard[key]) : null });
    return {
      cpuRequestsMillis: pair("requests.cpu", parseCpuMillis),
      memoryRequestsBytes: pair("requests.memory", parseBytes),
      cpuLimitsMillis: pair("limits.cpu", parseCpuMillis),
      memoryLimitsBytes: pair("limits.memory", parseBytes),
      diskLimitsBytes: pair("limits.ephemeral-storage", parseBytes),
      pods: pair("pods", Number),
    };
  } catch {
    return null;
  }
}
