import { CoreV1Api } from "@kubernetes/client-node";
import { and, eq, ne } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxes } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import { AppError } from "@/lib/errors";
import { kubeConfig } from "@/lib/k8s/config";
import { parseCpuMillis, parseMiB } from "@/lib/k8s/quantity";
import { QUOTA_NAME } from "@/lib/k8s/team-namespace";
import { teamQuotaDefaults } from "@/lib/k8s/quota-defaults";
import type { ResourceInput } from "./spec-input";

interface TeamQuota {
  cpuMillis: number;
  memoryMiB: number;
  diskMiB: number;
  pods: number;
}

/** The team's ResourceQuota as Kubernetes has it (an operator may have edited it). */
async function readTeamQuota(team: Team): Promise<TeamQuota> {
  let hard: Record<string, string> = teamQuotaDefaults().hard;
  try {
    const q = await kubeConfig().makeApiClient(CoreV1Api).readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: team.namespace });
    hard = { ...hard, ...(q.spec?.hard ?? {}) };
  } catch {
    // Unreachable or missing: fall back to the operator defaults; Kubernetes enforces the real one.
  }
  return {
    cpuMillis: parseCpuMillis(hard["limits.cpu"]),
    memoryMiB: parseMiB(hard["limits.memory"]),
    diskMiB: parseMiB(hard["limits.ephemeral-storage"]),
    pods: Number(hard.pods),
  };
}

/**
 * Refuses, before anything is created, a devbox that would not fit in the team's quota next to
 * the team's other running devboxes. Kubernetes checks again when the Pod is created.
 */
export async function assertFitsTeamQuota(db: Database, team: Team, wanted: ResourceInput, excludeDevboxId?: string): Promise<void> {
  const where = excludeDevboxId
    ? and(eq(devboxes.teamId, team.id), eq(devboxes.desiredState, "running"), ne(devboxes.id, excludeDevboxId))
    : and(eq(devboxes.teamId, team.id), eq(devboxes.desiredState, "running"));
  const running = await db.select().from(devboxes).where(where);
  const used = running.reduce(
    (acc, d) => ({ cpuMillis: acc.cpuMillis + d.cpuMillis, memoryMiB: acc.memoryMiB + d.memoryMiB, diskMiB: acc.diskMiB + d.diskMiB }),
    { cpuMillis: 0, memoryMiB: 0, diskMiB: 0 },
  );
  const quota = await readTeamQuota(team);
  const over: string[] = [];
  if (used.cpuMillis + wanted.cpuMillis > quota.cpuMillis)
    over.push(`CPU: ${fmtCores(wanted.cpuMillis)} asked, ${fmtCores(quota.cpuMillis - used.cpuMillis)} of ${fmtCores(quota.cpuMillis)} free`);
  if (used.memoryMiB + wanted.memoryMiB > quota.memoryMiB)
    over.push(`memory: ${fmtGiB(wanted.memoryMiB)} asked, ${fmtGiB(quota.memoryMiB - used.memoryMiB)} of ${fmtGiB(quota.memoryMiB)} free`);
  if (used.diskMiB + wanted.diskMiB > quota.diskMiB)
    over.push(`disk: ${fmtGiB(wanted.diskMiB)} asked, ${fmtGiB(quota.diskMiB - used.diskMiB)} of ${fmtGiB(quota.diskMiB)} free`);
  if (running.length + 1 > quota.pods) over.push(`devboxes: ${quota.pods} may run at once`);
  if (over.length) throw new AppError("quota_exceeded", `This would exceed the team's quota (${over.join("; ")}). Stop another devbox or ask for less.`);
}

const fmtCores = (m: number) => `${Math.max(0, m) / 1000} CPU`;
const fmtGiB = (mib: number) => `${Math.round((Math.max(0, mib) / 1024) * 10) / 10} GiB`;
